import Foundation
import Geo
import PostgresNIO
import Synchronization

/// The PostgreSQL/PostGIS store: base layers (`FeatureStore`), events, readings
/// and bike positions (`OperationalStore`, `BikePositionStore`) in one database
/// that several CityTwin instances share, with `StoreChangeFeed` telling each
/// what the others committed (`NOTIFY citytwin_changes` in every writing
/// transaction).
///
/// Layout: `citytwin_schema` (migration version), `meta` (`data_version`),
/// `layers` (the catalog, as in SpatiaLite), one table `layer_<name>` per layer
/// (`id bigint` identity, `ext_id text`, `props json` kept verbatim, `geom
/// geometry(<type>, 4326)` with a GiST index), `events` + `event_history`,
/// `sensor_readings`, `bike_positions` + `bike_batches` + `bike_latest`.
///
/// Connections: the async methods lease from a `PostgresClient` pool whose
/// `run()` this store runs in its own task until `close()`. The synchronous
/// `FeatureStore` methods use a separate handful of connections through
/// `PostGISBridge` (see there why: no deadlock on the cooperative pool).
///
/// Guarantees: an import is one transaction (a throw, a lost connection or a
/// `kill -9` of the importer leaves the database as it was: PostgreSQL rolls
/// back what did not commit); imports and layer deletes are serialised by an
/// advisory lock and each bumps the data version once. Event compare-and-set is
/// a conditional `UPDATE` (row lock), correct across processes. TLS is not used
/// (loopback or a private network; put the server behind a TLS tunnel otherwise).
public final class PostGISStore: FeatureStore, StoreChangeFeed {
    /// Where the store is, without the password.
    public struct Endpoint: Sendable, Equatable, CustomStringConvertible {
        public var user: String
        public var host: String
        public var port: Int
        public var database: String
        public var description: String { "postgres://\(user)@\(host):\(port)/\(database)" }
    }

    public let endpoint: Endpoint
    let client: PostgresClient
    let clientTask: Task<Void, Never>
    let sync: SyncConnections
    let connectionConfiguration: PostgresConnection.Configuration
    let logger: Logger
    let listener: ChangeListener
    /// Ids of the last history row of the bike batches this instance wrote (see `bikePositions(storedElsewhereAfter:)`).
    let ownBikeBatches = Mutex<Set<Int64>>([])
    private let closed = Mutex(false)

    /// The NOTIFY channel every writing transaction signals on.
    public static let changeChannel = "citytwin_changes"

    /// Opens the store at `location` (a `.postgres` location; see `open(url:passwordFile:)`).
    public convenience init(location: StoreLocation) throws(StorageError) {
        guard case .postgres(let url, let passwordFile) = location else {
            throw StorageError(.unavailable, "\(location) is not a postgres:// URL")
        }
        let (endpoint, password) = try Self.parse(url: url, passwordFile: passwordFile)
        try self.init(endpoint: endpoint, password: password)
    }

    /// Opens `postgres://user@host:port/database` (or `postgresql://`; port 5432
    /// when left out). The password comes from `passwordFile` (its first line)
    /// when given, else from `PGPASSWORD`; a password inside the URL is refused,
    /// so it never reaches a log. Throws `StorageError` `.unavailable` naming the
    /// problem: malformed URL, cannot connect to host:port, authentication
    /// failed, database missing, PostGIS missing (`CREATE EXTENSION postgis`).
    public static func open(url: String, passwordFile: String? = nil) throws(StorageError) -> PostGISStore {
        try PostGISStore(location: .postgres(url: url, passwordFile: passwordFile))
    }

    /// Parses the URL and finds the password (see `open(url:passwordFile:)`).
    static func parse(url: String, passwordFile: String?,
                      environment: [String: String] = ProcessInfo.processInfo.environment) throws(StorageError) -> (Endpoint, String?) {
        guard let parts = URLComponents(string: url), let scheme = parts.scheme?.lowercased(),
              scheme == "postgres" || scheme == "postgresql" else {
            throw StorageError(.unavailable, "not a postgres:// URL: \(StoreLocation.postgres(url: url, passwordFile: nil))")
        }
        guard parts.password == nil else {
            throw StorageError(.unavailable, "put the PostgreSQL password in PGPASSWORD or a password file, not in the URL")
        }
        guard let user = parts.user, !user.isEmpty else {
            throw StorageError(.unavailable, "the URL names no user: postgres://USER@HOST:PORT/DATABASE")
        }
        let database = String(parts.path.drop(while: { $0 == "/" }))
        guard !database.isEmpty, !database.contains("/") else {
            throw StorageError(.unavailable, "the URL names no database: postgres://USER@HOST:PORT/DATABASE")
        }
        // No TLS here: a URL asking for it is refused rather than answered in plaintext.
        for item in parts.queryItems ?? [] {
            let value = item.value?.lowercased() ?? ""
            guard item.name.lowercased() == "sslmode", ["disable", "allow", "prefer"].contains(value) else {
                throw StorageError(.unavailable, item.name.lowercased() == "sslmode"
                    ? "sslmode=\(value) asks for TLS, which CityTwin's PostgreSQL client does not speak: use loopback or a private network (sslmode=disable)"
                    : "unknown URL parameter \"\(item.name)\" (only sslmode=disable is understood)")
            }
        }
        let host = parts.host.flatMap { $0.isEmpty ? nil : $0 } ?? "127.0.0.1"
        let endpoint = Endpoint(user: user.removingPercentEncoding ?? user, host: host, port: parts.port ?? 5432,
                                database: database.removingPercentEncoding ?? database)
        var password: String?
        if let passwordFile {
            guard let text = try? String(contentsOfFile: passwordFile, encoding: .utf8) else {
                throw StorageError(.unavailable, "cannot read the password file \(passwordFile)")
            }
            password = text.split(whereSeparator: \.isNewline).first.map(String.init) ?? ""
        } else if let fromEnvironment = environment["PGPASSWORD"] {
            password = fromEnvironment
        }
        return (endpoint, password)
    }

    init(endpoint: Endpoint, password: String?) throws(StorageError) {
        self.endpoint = endpoint
        var logger = Logger(label: "CityTwin.PostGIS")
        logger.logLevel = .warning
        self.logger = logger
        let connectionConfiguration = PostgresConnection.Configuration(
            host: endpoint.host, port: endpoint.port, username: endpoint.user, password: password,
            database: endpoint.database, tls: .disable)
        self.connectionConfiguration = connectionConfiguration
        let sync = SyncConnections(configuration: connectionConfiguration, logger: logger)
        self.sync = sync
        // Connect once on the sync path: a wrong host, password or database fails here, clearly.
        do {
            try sync.with { c in
                let version = try PostGISBridge.blocking {
                    try await c.rows("SELECT extversion FROM pg_extension WHERE extname = 'postgis'").first?.decode(String.self)
                }
                guard version != nil else {
                    throw StorageError(.unavailable, "PostGIS is not installed in database \"\(endpoint.database)\" at "
                                       + "\(endpoint.host):\(endpoint.port): run CREATE EXTENSION postgis; as a superuser")
                }
                try PostGISBridge.blocking { try await Self.migrate(c) }
            }
        } catch {
            throw Self.storageError(error, endpoint: endpoint)
        }
        var clientConfiguration = PostgresClient.Configuration(
            host: endpoint.host, port: endpoint.port, username: endpoint.user, password: password,
            database: endpoint.database, tls: .disable)
        clientConfiguration.options.maximumConnections = 16
        clientConfiguration.options.connectTimeout = .seconds(5)
        let client = PostgresClient(configuration: clientConfiguration, backgroundLogger: logger)
        self.client = client
        clientTask = Task { await client.run() }
        listener = ChangeListener(configuration: connectionConfiguration, logger: logger)
    }

    /// Stops the pool, the change listener and the sync connections; every
    /// `changes()` stream ends. Idempotent. Later calls fail.
    public func close() {
        let first = closed.withLock { c in
            defer { c = true }
            return !c
        }
        guard first else { return }
        listener.stop()
        clientTask.cancel()
        sync.closeAll()
    }

    deinit { close() }

    // MARK: Running SQL

    /// Runs `body` on a sync-path connection, on the bridge; maps every error.
    func onSyncConnection<T: Sendable>(_ body: @escaping @Sendable (PostgresConnection) async throws -> T) throws(StorageError) -> T {
        do {
            return try sync.with { c in try PostGISBridge.blocking { try await body(c) } }
        } catch {
            throw Self.storageError(error, endpoint: endpoint)
        }
    }

    /// Runs `body` on a pooled connection; maps every error.
    func withConnection<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws(StorageError) -> T {
        do {
            return try await client.withConnection { c in try await body(c) }
        } catch {
            throw Self.storageError(error, endpoint: endpoint)
        }
    }

    /// Runs `body` in a transaction on a pooled connection (COMMIT after it, ROLLBACK on a throw).
    func inTransaction<T: Sendable>(_ body: (PostgresConnection) async throws -> T) async throws(StorageError) -> T {
        try await withConnection { c in try await Self.transaction(c) { try await body(c) } }
    }

    static func transaction<T>(_ c: PostgresConnection, _ body: () async throws -> T) async throws -> T {
        try await c.exec("BEGIN")
        do {
            let result = try await body()
            try await c.exec("COMMIT")
            return result
        } catch {
            // A failed ROLLBACK means the connection is gone: the server rolls back itself.
            try? await c.exec("ROLLBACK")
            throw error
        }
    }

    /// A `StorageError` for any error of postgres-nio, NIO or the store itself. Messages
    /// name the server (host:port) and never carry the password.
    static func storageError(_ error: any Error, endpoint: Endpoint, sql: String? = nil) -> StorageError {
        if let e = error as? StorageError { return e }
        let server = "\(endpoint.host):\(endpoint.port)"
        if let e = error as? PSQLError {
            switch e.code {
            case .server:
                let state = e.serverInfo?[.sqlState]
                let message = e.serverInfo?[.message] ?? "unknown error"
                let query = sql ?? e.query?.sql
                switch state {
                case "28P01", "28000":
                    return StorageError(.unavailable, "authentication failed for user \"\(endpoint.user)\" at \(server) "
                                        + "(the password comes from PGPASSWORD or the password file): \(message)", sqlState: state)
                case "3D000":
                    return StorageError(.unavailable, "database \"\(endpoint.database)\" does not exist at \(server)", sqlState: state)
                case "57P01", "57P02", "57P03":
                    return StorageError(.unavailable, "PostgreSQL at \(server) is shutting down or starting: \(message)", sqlState: state)
                default:
                    return StorageError(.postgres, "PostgreSQL error \(state ?? "?"): \(message)", sql: query, sqlState: state)
                }
            case .connectionError:
                let cause = e.underlying.map { "\($0)" } ?? "no answer"
                return StorageError(.unavailable, "cannot connect to PostgreSQL at \(server): \(cause)")
            case .authMechanismRequiresPassword:
                return StorageError(.unavailable, "PostgreSQL at \(server) asks user \"\(endpoint.user)\" for a password: "
                                    + "set PGPASSWORD or give a password file")
            case .serverClosedConnection, .clientClosedConnection, .uncleanShutdown:
                return StorageError(.unavailable, "lost the connection to PostgreSQL at \(server)")
            case .poolClosed:
                return StorageError(.unavailable, "the store at \(server) is closed")
            default:
                return StorageError(.postgres, "PostgreSQL client error (\(e.code)) talking to \(server)", sql: sql)
            }
        }
        if error is PostgresDecodingError {
            return StorageError(.corrupt, "unexpected column type from PostgreSQL at \(server)", sql: sql)
        }
        if error is GeoError {
            return StorageError(.corrupt, "a stored geometry or JSON value does not decode: \(error)", sql: sql)
        }
        if error is CancellationError {
            return StorageError(.unavailable, "the operation on \(server) was cancelled")
        }
        return StorageError(.unavailable, "cannot reach PostgreSQL at \(server): \(error)")
    }

    // MARK: Schema

    /// Migrations in order (text columns compare bytewise, `COLLATE "C"`, as in SQLite:
    /// ISO 8601 times and codes order right whatever the database's locale); `citytwin_schema` holds how many ran. Run under an
    /// advisory lock in one transaction, so instances starting together migrate once.
    static let migrations: [String] = [
        """
        CREATE TABLE meta (key text COLLATE "C" PRIMARY KEY, value bigint NOT NULL);
        INSERT INTO meta(key, value) VALUES ('data_version', 0);
        CREATE TABLE layers (
          name text COLLATE "C" PRIMARY KEY,
          role text COLLATE "C" NOT NULL,
          geometry_type text COLLATE "C" NOT NULL,
          feature_count bigint NOT NULL DEFAULT 0,
          min_x float8, min_y float8, max_x float8, max_y float8,
          minzoom int NOT NULL, maxzoom int NOT NULL,
          version bigint NOT NULL DEFAULT 1,
          updated_at text COLLATE "C" NOT NULL,
          source text COLLATE "C");
        CREATE TABLE events (
          id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          type text COLLATE "C" NOT NULL,
          description text COLLATE "C" NOT NULL,
          address text COLLATE "C",
          status text COLLATE "C" NOT NULL,
          source text COLLATE "C",
          reported_at text COLLATE "C",
          created_at text COLLATE "C" NOT NULL,
          updated_at text COLLATE "C" NOT NULL,
          due_at text COLLATE "C",
          closed_at text COLLATE "C",
          grid_code text COLLATE "C",
          community_code text COLLATE "C",
          street_code text COLLATE "C",
          district_code text COLLATE "C",
          assignee text COLLATE "C",
          escalation int NOT NULL DEFAULT 0,
          lon float8 NOT NULL,
          lat float8 NOT NULL,
          props text COLLATE "C" NOT NULL DEFAULT '{}',
          geom geometry(Point, 4326) GENERATED ALWAYS AS (ST_SetSRID(ST_MakePoint(lon, lat), 4326)) STORED);
        CREATE INDEX events_status_id ON events(status, id);
        CREATE INDEX events_type_id ON events(type, id);
        CREATE INDEX events_grid_id ON events(grid_code, id);
        CREATE INDEX events_community_id ON events(community_code, id);
        CREATE INDEX events_street_id ON events(street_code, id);
        CREATE INDEX events_created ON events(created_at);
        CREATE INDEX events_closed ON events(closed_at);
        CREATE INDEX events_open_due ON events(due_at) WHERE status NOT IN ('resolved', 'closed');
        CREATE INDEX events_geom ON events USING gist (geom);
        CREATE TABLE event_history (
          event_id bigint NOT NULL,
          seq bigint NOT NULL,
          at text COLLATE "C" NOT NULL,
          kind text COLLATE "C" NOT NULL,
          from_value text COLLATE "C",
          to_value text COLLATE "C",
          note text COLLATE "C",
          actor text COLLATE "C",
          PRIMARY KEY (event_id, seq));
        CREATE TABLE sensor_readings (
          sensor_id text COLLATE "C" NOT NULL,
          observed_at text COLLATE "C" NOT NULL,
          level_cm float8 NOT NULL,
          received_at text COLLATE "C" NOT NULL,
          PRIMARY KEY (sensor_id, observed_at));
        CREATE INDEX sensor_readings_observed ON sensor_readings(observed_at);
        CREATE TABLE bike_positions (
          id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
          bike_id text COLLATE "C" NOT NULL,
          operator text COLLATE "C" NOT NULL,
          observed_ms bigint NOT NULL,
          lon float8 NOT NULL,
          lat float8 NOT NULL,
          status smallint NOT NULL);
        CREATE TABLE bike_batches (last_id bigint PRIMARY KEY, received_ms bigint NOT NULL);
        CREATE TABLE bike_latest (
          bike_id text COLLATE "C" PRIMARY KEY,
          operator text COLLATE "C" NOT NULL,
          observed_ms bigint NOT NULL,
          lon float8 NOT NULL,
          lat float8 NOT NULL,
          status smallint NOT NULL);
        """,
    ]

    static func migrate(_ c: PostgresConnection) async throws {
        try await transaction(c) {
            // Any fixed key: only migrations take it.
            try await c.exec("SELECT pg_advisory_xact_lock(7261001)")
            try await c.exec("CREATE TABLE IF NOT EXISTS citytwin_schema (version int NOT NULL)")
            let done = try await c.rows("SELECT version FROM citytwin_schema").first?.decode(Int.self)
            if done == nil { try await c.exec("INSERT INTO citytwin_schema(version) VALUES (0)") }
            let start = done ?? 0
            guard start <= migrations.count else {
                throw StorageError(.unavailable, "the database has schema version \(start), newer than this CityTwin knows "
                                   + "(\(migrations.count)): upgrade CityTwin")
            }
            for k in start..<migrations.count {
                try await c.simple(migrations[k])
                try await c.exec(PostgresQuery(unsafeSQL: "UPDATE citytwin_schema SET version = \(k + 1)"))
            }
        }
    }

    // MARK: Catalog

    static let layerColumns = """
        name, role, geometry_type, feature_count, min_x, min_y, max_x, max_y, minzoom, maxzoom, version, updated_at, source
        """

    public func layers() throws(StorageError) -> [LayerInfo] {
        try onSyncConnection { c in
            try await c.rows(PostgresQuery(unsafeSQL: "SELECT \(Self.layerColumns) FROM layers ORDER BY name"))
                .compactMap(Self.layerInfo)
        }
    }

    public func layer(named name: String) throws(StorageError) -> LayerInfo? {
        try onSyncConnection { c in try await Self.layer(named: name, c) }
    }

    static func layer(named name: String, _ c: PostgresConnection) async throws -> LayerInfo? {
        var q = PostgresQuery(unsafeSQL: "SELECT \(layerColumns) FROM layers WHERE name = $1")
        q.binds.append(name)
        return try await c.rows(q).first.flatMap(layerInfo)
    }

    static func layerInfo(_ row: PostgresRow) throws -> LayerInfo? {
        let (name, role, type, count, w, s, e, n, minzoom, maxzoom, version, updatedAt, source) = try row.decode(
            (String, String, String, Int, Double?, Double?, Double?, Double?, Int, Int, Int, String, String?).self)
        guard let role = LayerRole(rawValue: role) else { return nil }
        var bbox = BoundingBox.empty
        if let w, let s, let e, let n { bbox = BoundingBox(minX: w, minY: s, maxX: e, maxY: n) }
        return LayerInfo(name: name, role: role, geometryType: type, count: count, bbox: bbox, minzoom: minzoom,
                         maxzoom: maxzoom, version: version, updatedAt: updatedAt, source: source)
    }

    public func dataVersion() throws(StorageError) -> Int {
        try onSyncConnection { c in
            try await c.rows("SELECT value FROM meta WHERE key = 'data_version'").first?.decode(Int.self) ?? 0
        }
    }

    // MARK: Reading features

    /// Each read takes its own connection, so layers load side by side.
    public var readsConcurrently: Bool { true }

    /// Rows per FETCH while streaming a layer (bounded memory whatever its size).
    static let fetchRows = 5_000

    public func forEachFeature(in layer: String, _ body: (StoredFeature) throws -> Void) throws {
        try forEachRawFeature(in: layer) { raw in
            guard case .object(let props) = try JSONParser.parse(raw.propertiesJSON) else {
                throw StorageError(.corrupt, "feature \(raw.id): props is not a JSON object")
            }
            try body(StoredFeature(id: raw.id, extID: raw.extID, properties: props, geometry: raw.geometry))
        }
    }

    /// A cursor in one REPEATABLE READ transaction, so a layer replaced meanwhile is
    /// still read whole from the snapshot the first batch saw.
    public func forEachRawFeature(in layer: String, _ body: (RawFeature) throws -> Void) throws {
        guard LayerInfo.isValidName(layer) else { throw StorageError(.invalidLayerName, "invalid layer name \"\(layer)\"") }
        let table = LayerInfo.tableName(layer)
        let endpoint = endpoint
        do {
            try sync.with { c in
                try PostGISBridge.blocking {
                    try await c.exec("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    try await c.exec(PostgresQuery(unsafeSQL: """
                        DECLARE features NO SCROLL CURSOR FOR
                        SELECT id, ext_id, props::text, ST_AsBinary(geom) FROM "\(table)" ORDER BY id
                        """))
                }
                var failure: (any Error)?
                while failure == nil {
                    let batch = try PostGISBridge.blocking {
                        try await c.rows(PostgresQuery(unsafeSQL: "FETCH \(Self.fetchRows) FROM features")).map(Self.rawRow)
                    }
                    do {
                        for row in batch {
                            try body(RawFeature(id: row.id, extID: row.extID, propertiesJSON: row.props,
                                                geometry: try WKB.decode(row.wkb)))
                        }
                    } catch {
                        failure = error
                    }
                    if batch.count < Self.fetchRows { break }
                }
                try PostGISBridge.blocking { try await c.exec("COMMIT") }
                if let failure { throw failure }
            }
        } catch let e as StorageError {
            throw e
        } catch let e as PSQLError {
            throw Self.storageError(e, endpoint: endpoint)
        }
    }

    struct RawRow: Sendable {
        var id: Int64
        var extID: String?
        var props: String
        var wkb: [UInt8]
    }

    static func rawRow(_ row: PostgresRow) throws -> RawRow {
        let (id, ext, props, wkb) = try row.decode((Int64, String?, String, ByteBuffer).self)
        return RawRow(id: id, extID: ext, props: props, wkb: Array(wkb.readableBytesView))
    }

    public func features(in layer: String, intersecting bbox: BoundingBox, limit: Int) throws(StorageError) -> [StoredFeature] {
        guard LayerInfo.isValidName(layer) else { throw StorageError(.invalidLayerName, "invalid layer name \"\(layer)\"") }
        let table = LayerInfo.tableName(layer)
        let rows = try onSyncConnection { c in
            var q = PostgresQuery(unsafeSQL: """
                SELECT id, ext_id, props::text, ST_AsBinary(geom) FROM "\(table)"
                WHERE geom && ST_MakeEnvelope($1, $2, $3, $4, 4326) ORDER BY id LIMIT $5
                """)
            q.binds.append(bbox.minX)
            q.binds.append(bbox.minY)
            q.binds.append(bbox.maxX)
            q.binds.append(bbox.maxY)
            q.binds.append(max(0, limit))
            return try await c.rows(q).map(Self.rawRow)
        }
        do {
            return try rows.map { r in
                guard case .object(let props) = try JSONParser.parse(r.props) else {
                    throw StorageError(.corrupt, "feature \(r.id): props is not a JSON object")
                }
                return StoredFeature(id: r.id, extID: r.extID, properties: props, geometry: try WKB.decode(r.wkb))
            }
        } catch let e as StorageError {
            throw e
        } catch {
            throw StorageError(.corrupt, "a stored feature of \(layer) does not decode: \(error)")
        }
    }

    // MARK: Check

    /// Per layer: the table count against the catalog, and the GiST index present,
    /// valid, and finding every row (a full-extent `&&` scan with sequential scans off).
    /// `integrity` is "ok" when every catalogued table exists.
    public func check() throws(StorageError) -> CheckReport {
        try onSyncConnection { c in
            try await Self.transaction(c) {
                try await c.exec("SET LOCAL enable_seqscan = off")
                var layers: [CheckReport.LayerCheck] = []
                var problems: [String] = []
                for row in try await c.rows("SELECT name, feature_count FROM layers ORDER BY name") {
                    let (name, catalogCount) = try row.decode((String, Int).self)
                    let table = LayerInfo.tableName(name)
                    var exists = PostgresQuery(unsafeSQL: "SELECT to_regclass($1) IS NOT NULL")
                    exists.binds.append("\"\(table)\"")
                    guard try await c.rows(exists).first?.decode(Bool.self) == true else {
                        problems.append("table \(table) of layer \(name) is missing")
                        layers.append(.init(name: name, catalogCount: catalogCount, tableCount: -1, spatialIndexValid: nil))
                        continue
                    }
                    let count = try await c.rows(PostgresQuery(unsafeSQL: "SELECT count(*) FROM \"\(table)\"")).first?.decode(Int.self) ?? -1
                    var index = PostgresQuery(unsafeSQL: """
                        SELECT bool_and(i.indisvalid) FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
                        JOIN pg_am am ON am.oid = ic.relam WHERE i.indrelid = to_regclass($1) AND am.amname = 'gist'
                        """)
                    index.binds.append("\"\(table)\"")
                    var valid = try await c.rows(index).first?.decode(Bool?.self)
                    if valid == true {
                        let viaIndex = try await c.rows(PostgresQuery(unsafeSQL: """
                            SELECT count(*) FROM "\(table)" WHERE geom && ST_MakeEnvelope(-1e300, -1e300, 1e300, 1e300, 4326)
                            """)).first?.decode(Int.self)
                        valid = viaIndex == count
                    }
                    layers.append(.init(name: name, catalogCount: catalogCount, tableCount: count, spatialIndexValid: valid))
                }
                return CheckReport(integrity: problems.isEmpty ? ["ok"] : problems, layers: layers)
            }
        }
    }
}

extension PostgresConnection {
    /// All rows of `query`.
    func rows(_ query: PostgresQuery) async throws -> [PostgresRow] {
        try await self.query(query, logger: PostGISStore.quietLogger).collect()
    }

    /// Runs a statement, discarding any rows.
    func exec(_ query: PostgresQuery) async throws {
        _ = try await self.query(query, logger: PostGISStore.quietLogger).collect()
    }

    /// Runs several statements without parameters (migrations), one at a time.
    func simple(_ script: String) async throws {
        for statement in script.split(separator: ";").map({ $0.trimmingCharacters(in: .whitespacesAndNewlines) })
        where !statement.isEmpty {
            try await exec(PostgresQuery(unsafeSQL: statement))
        }
    }
}

extension PostGISStore {
    /// postgres-nio logs per query at debug level; the store reports errors itself.
    static let quietLogger: Logger = {
        var l = Logger(label: "CityTwin.PostGIS.query")
        l.logLevel = .error
        return l
    }()
}
