import Dispatch
import Foundation
import PostgresNIO
import Synchronization

/// How the synchronous `FeatureStore` methods of `PostGISStore` wait for
/// postgres-nio's async API without deadlocking the cooperative pool.
///
/// Those methods are called from Swift tasks (the reload loop, request
/// handlers) on the small cooperative pool. Blocking a cooperative thread on
/// a `Task {}` that itself needs a cooperative thread can deadlock once every
/// pool thread waits. So the async work runs with a task-executor preference
/// on one dedicated thread (`executor`), its connections live on a private
/// event loop (`eventLoops`, never a caller's thread), and the calling thread
/// waits on a semaphore: nothing it waits for ever needs a cooperative thread.
/// The sync path never uses the `PostgresClient` pool either (its `run()` loop
/// is a cooperative task); it keeps its own few connections (`SyncConnections`).
enum PostGISBridge {
    /// One thread running the jobs of every bridged task (they spend their time
    /// suspended on I/O, so one thread is plenty).
    static let executor = ThreadTaskExecutor(name: "CityTwin.PostGIS.sync")
    /// The event loop of the sync path's connections.
    static let eventLoops = MultiThreadedEventLoopGroup(numberOfThreads: 1)

    /// Runs `body` on `executor` and blocks the calling thread until it ends.
    /// Never call it from `executor`'s thread or an event-loop thread.
    static func blocking<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
        let done = DispatchSemaphore(value: 0)
        let box = Mutex<Result<T, any Error>?>(nil)
        Task(executorPreference: executor) {
            let result: Result<T, any Error>
            do {
                result = .success(try await body())
            } catch {
                result = .failure(error)
            }
            box.withLock { $0 = result }
            done.signal()
        }
        done.wait()
        // The task stored its result before signalling.
        return try box.withLock { $0 ?? .failure(CancellationError()) }.get()
    }
}

/// A `TaskExecutor` backed by one dedicated thread (see `PostGISBridge`).
final class ThreadTaskExecutor: TaskExecutor, @unchecked Sendable {
    // Guarded by `condition`.
    private var jobs: [UnownedJob] = []
    private let condition = NSCondition()

    init(name: String) {
        let thread = Thread { [unowned self] in self.loop() }
        thread.name = name
        thread.start()
    }

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        condition.lock()
        jobs.append(job)
        condition.signal()
        condition.unlock()
    }

    private func loop() {
        while true {
            condition.lock()
            while jobs.isEmpty { condition.wait() }
            let batch = jobs
            jobs.removeAll(keepingCapacity: true)
            condition.unlock()
            for job in batch { job.runSynchronously(on: asUnownedTaskExecutor()) }
        }
    }
}

/// The sync path's connections: a few idle ones kept for reuse, a new one
/// opened when none is idle. A connection that saw an error is closed rather
/// than reused (its transaction state is unknown).
final class SyncConnections: Sendable {
    let configuration: PostgresConnection.Configuration
    let logger: Logger
    private let idle = Mutex<[PostgresConnection]>([])
    private let nextID = Atomic<Int>(1)
    private let keepIdle = 4

    init(configuration: PostgresConnection.Configuration, logger: Logger) {
        self.configuration = configuration
        self.logger = logger
    }

    func connect() throws -> PostgresConnection {
        let id = nextID.wrappingAdd(1, ordering: .relaxed).oldValue
        return try PostgresConnection.connect(on: PostGISBridge.eventLoops.next(), configuration: configuration,
                                              id: id, logger: logger).wait()
    }

    func with<T>(_ body: (PostgresConnection) throws -> T) throws -> T {
        let connection = try idle.withLock { $0.popLast() }.flatMap { $0.isClosed ? nil : $0 } ?? connect()
        let result: T
        do {
            result = try body(connection)
        } catch {
            Self.close(connection)
            throw error
        }
        let extra: PostgresConnection? = idle.withLock { list in
            if list.count < keepIdle {
                list.append(connection)
                return nil
            }
            return connection
        }
        if let extra { Self.close(extra) }
        return result
    }

    func closeAll() {
        let all = idle.withLock { list in
            defer { list = [] }
            return list
        }
        for c in all { Self.close(c) }
    }

    /// Closes and waits: postgres-nio asserts that a connection is closed before it is released.
    static func close(_ connection: PostgresConnection) {
        let closing: EventLoopFuture<Void> = connection.close()
        try? closing.wait()
    }
}
