import Foundation
import Synchronization

/// A throwaway PostgreSQL 15 + PostGIS 3 cluster on loopback for tests, started
/// by the test process itself (never skipped: the Makefile installs
/// `postgresql-15 postgresql-15-postgis-3`).
///
/// Usage:
/// ```swift
/// let cluster = try PostgresTestCluster.shared()        // started once per test process
/// let url = try cluster.newDatabase()                    // postgres://citytwin@127.0.0.1:PORT/ct_…
/// setenv("PGPASSWORD", cluster.password, 1)              // or pass cluster.passwordFile
/// ```
///
/// - One cluster per test process, started lazily by `shared()` and stopped and
///   removed at process exit (`atexit`); clusters left by dead runs (their owner
///   pid is gone) are stopped and removed at the next start.
/// - `newDatabase()` gives each test its own database (a copy of a template that
///   already has `CREATE EXTENSION postgis`), so parallel tests never collide.
/// - Host lines use scram-sha-256 with `password`, so clients take the password
///   path; the Unix socket (inside the data directory) is trust, for set-up only.
/// - Durability is off (`fsync=off`): the cluster is scratch. Start-up takes a
///   few seconds (initdb, start, template).
/// - As root, initdb and the server run as the `postgres` user (`runuser`): initdb
///   refuses to run as root.
public final class PostgresTestCluster: Sendable {
    public static let binDirectory = "/usr/lib/postgresql/15/bin"
    /// The superuser the tests connect as.
    public let user = "citytwin"
    public let host = "127.0.0.1"
    public let port: Int
    /// The superuser's password (scram-sha-256 on loopback TCP).
    public let password: String
    /// A file holding `password` (readable by the tests' user), for `--password-file`.
    public let passwordFile: String
    /// The data directory (also the Unix socket directory).
    public let dataDirectory: String
    private let stopped = Mutex(false)
    private let databaseCounter = Mutex(0)

    private static let sharedCluster = Mutex<Result<PostgresTestCluster, ClusterError>?>(nil)

    public struct ClusterError: Error, CustomStringConvertible, Sendable {
        public var description: String
    }

    /// The process's cluster, started on first use; stopped and removed at exit.
    public static func shared() throws -> PostgresTestCluster {
        try sharedCluster.withLock { slot in
            if let slot { return try slot.get() }
            let result: Result<PostgresTestCluster, ClusterError>
            do {
                result = .success(try PostgresTestCluster())
            } catch let e as ClusterError {
                result = .failure(e)
            } catch {
                result = .failure(ClusterError(description: "\(error)"))
            }
            slot = result
            if case .success = result {
                atexit {
                    if case .success(let c)? = PostgresTestCluster.sharedCluster.withLock({ $0 }) { c.stop() }
                }
            }
            return try result.get()
        }
    }

    /// Starts a new cluster (most tests want `shared()`).
    public init() throws {
        Self.removeStaleClusters()
        let dir = "/tmp/citytwin-pg-\(getpid())-\(UUID().uuidString.prefix(8).lowercased())"
        dataDirectory = dir
        password = UUID().uuidString.replacingOccurrences(of: "-", with: "")
        let fm = FileManager.default
        try fm.createDirectory(atPath: dir, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
        try Data("\(getpid())\n".utf8).write(to: URL(fileURLWithPath: dir + ".owner"))
        passwordFile = dir + ".password"
        try Data(password.utf8).write(to: URL(fileURLWithPath: passwordFile))
        chmod(passwordFile, 0o644)
        if getuid() == 0 {
            try Self.run("/bin/chown", ["postgres:postgres", dir])
        }
        port = try Self.freePort()
        try Self.runAsServerUser(Self.binDirectory + "/initdb", [
            "-D", dir, "-U", user, "--pwfile=\(passwordFile)", "-E", "UTF8", "--locale=C", "--no-sync",
            "--auth-local=trust", "--auth-host=scram-sha-256",
        ])
        let options = [
            "listen_addresses='\(host)'", "port=\(port)", "unix_socket_directories='\(dir)'", "fsync=off",
            "synchronous_commit=off", "full_page_writes=off", "max_connections=300", "shared_buffers=64MB",
            "log_min_messages=warning", "password_encryption='scram-sha-256'",
        ].map { "-c " + $0 }.joined(separator: " ")
        try Self.runAsServerUser(Self.binDirectory + "/pg_ctl", ["-D", dir, "-l", dir + "/server.log", "-o", options, "-w", "-t", "60", "start"])
        // Every new database is a copy of this one, so none pays for CREATE EXTENSION.
        try psql("postgres", "CREATE DATABASE citytwin_template")
        try psql("citytwin_template", "CREATE EXTENSION postgis")
    }

    /// A new empty database with PostGIS, named after `prefix` and a counter; its URL
    /// (`postgres://citytwin@127.0.0.1:PORT/NAME`, no password in it).
    public func newDatabase(_ prefix: String = #function) throws -> String {
        let safe = String(prefix.lowercased().filter { ($0.isLetter && $0.isASCII) || $0.isNumber }.prefix(30))
        let n = databaseCounter.withLock { n in
            n += 1
            return n
        }
        let name = "ct_\(safe)_\(n)"
        try psql("postgres", "CREATE DATABASE \(name) TEMPLATE citytwin_template")
        return url(database: name)
    }

    /// A new database without PostGIS (to test the "extension missing" message).
    public func newDatabaseWithoutPostGIS(_ prefix: String = #function) throws -> String {
        let n = databaseCounter.withLock { n in
            n += 1
            return n
        }
        let name = "ct_plain_\(n)"
        try psql("postgres", "CREATE DATABASE \(name)")
        return url(database: name)
    }

    public func url(database: String) -> String { "postgres://\(user)@\(host):\(port)/\(database)" }

    /// Runs SQL as the superuser over the Unix socket; returns psql's unaligned output.
    @discardableResult
    public func psql(_ database: String, _ sql: String) throws -> String {
        try Self.run("/usr/bin/psql", ["-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-h", dataDirectory, "-p", "\(port)",
                                       "-U", user, "-d", database, "-c", sql])
    }

    /// Stops the server and removes its files (idempotent).
    public func stop() {
        let first = stopped.withLock { s in
            defer { s = true }
            return !s
        }
        guard first else { return }
        _ = try? Self.runAsServerUser(Self.binDirectory + "/pg_ctl", ["-D", dataDirectory, "-m", "immediate", "-w", "stop"])
        Self.remove(dataDirectory)
    }

    // MARK: Helpers

    static func remove(_ dir: String) {
        try? FileManager.default.removeItem(atPath: dir)
        try? FileManager.default.removeItem(atPath: dir + ".owner")
        try? FileManager.default.removeItem(atPath: dir + ".password")
    }

    /// Clusters of test processes that no longer run (killed before `atexit`).
    static func removeStaleClusters() {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: "/tmp") else { return }
        for name in names where name.hasPrefix("citytwin-pg-") && name.hasSuffix(".owner") {
            let dir = "/tmp/" + String(name.dropLast(".owner".count))
            guard let text = try? String(contentsOfFile: "/tmp/" + name, encoding: .utf8),
                  let pid = Int32(text.trimmingCharacters(in: .whitespacesAndNewlines)) else { continue }
            if kill(pid, 0) == 0 || errno == EPERM { continue }
            _ = try? runAsServerUser(binDirectory + "/pg_ctl", ["-D", dir, "-m", "immediate", "-w", "stop"])
            remove(dir)
        }
    }

    static func freePort() throws -> Int {
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard fd >= 0 else { throw ClusterError(description: "socket() failed") }
        defer { close(fd) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = 0
        addr.sin_addr.s_addr = inet_addr("127.0.0.1")
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        let ok = withUnsafeMutablePointer(to: &addr) { p in
            p.withMemoryRebound(to: sockaddr.self, capacity: 1) { s in
                bind(fd, s, len) == 0 && getsockname(fd, s, &len) == 0
            }
        }
        guard ok else { throw ClusterError(description: "cannot find a free port on 127.0.0.1") }
        return Int(UInt16(bigEndian: addr.sin_port))
    }

    static func runAsServerUser(_ program: String, _ arguments: [String]) throws {
        if getuid() == 0 {
            try run("/usr/sbin/runuser", ["-u", "postgres", "--", program] + arguments)
        } else {
            try run(program, arguments)
        }
    }

    /// Runs a program to completion with posix_spawn and waitpid, output to a scratch
    /// file. Not Foundation's `Process`: after `pg_ctl start` left a daemon behind,
    /// `Process` never saw its child exit (the child stayed a zombie, the test hung).
    @discardableResult
    static func run(_ program: String, _ arguments: [String]) throws -> String {
        let outPath = NSTemporaryDirectory() + "citytwin-pg-run-\(UUID().uuidString.prefix(8)).out"
        defer { unlink(outPath) }
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, outPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        // Through bash: start in /tmp (the server user may not enter the test's working directory)
        // and close every inherited descriptor above 2 first, so the server never holds one of
        // the test process's files (e.g. a build lock taken by `flock`) after the test is gone.
        let script = "cd /tmp && for fd in /proc/$$/fd/*; do fd=${fd##*/}; "
            + "if [ \"$fd\" -gt 2 ] && [ -e /proc/$$/fd/$fd ]; then exec {fd}>&-; fi; done; exec \"$0\" \"$@\""
        let command = ["/bin/bash", "-c", script, program] + arguments
        let argv: [UnsafeMutablePointer<CChar>?] = command.map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        var pid = pid_t()
        let rc = posix_spawn(&pid, "/bin/bash", &actions, nil, argv, environ)
        guard rc == 0 else { throw ClusterError(description: "cannot run \(program): error \(rc)") }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            if errno == EINTR { continue }
            throw ClusterError(description: "waitpid for \(program) failed: errno \(errno)")
        }
        let output = (try? String(contentsOfFile: outPath, encoding: .utf8)) ?? ""
        let exited = status & 0x7F == 0
        let code = (status >> 8) & 0xFF
        guard exited, code == 0 else {
            throw ClusterError(description: "\(program) \(arguments.prefix(3).joined(separator: " ")) failed (status \(status)): \(output)")
        }
        return output
    }
}
