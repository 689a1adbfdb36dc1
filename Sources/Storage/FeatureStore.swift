import Geo

/// Receives the features of one import inside the store's write transaction.
/// Implementations are only valid inside `FeatureStore.importLayer`'s body.
public protocol LayerWriter {
    /// Stores one valid, WGS84 feature whose geometry already fits the role's stored type.
    func insert(extID: String?, properties: JSONObject, geometry: Geometry) throws(StorageError)
    var inserted: Int { get }
}

/// A spatial feature store. The SpatiaLite store implements it now; a PostGIS
/// store can later, so no signature here mentions SQLite or SpatiaLite types.
public protocol FeatureStore: Sendable {
    /// The catalog, ordered by name.
    func layers() throws(StorageError) -> [LayerInfo]
    func layer(named: String) throws(StorageError) -> LayerInfo?

    /// Runs `body` in one write transaction: either everything `body` wrote
    /// and the catalog update land, or (on a throw, or a crash) nothing does.
    func importLayer<R>(_ spec: LayerSpec, mode: ImportMode,
                        _ body: (any LayerWriter) throws -> R) throws -> (R, ImportCommit)

    /// Streams a layer's features in id order.
    func forEachFeature(in layer: String, _ body: (StoredFeature) throws -> Void) throws

    /// Features whose bounding box intersects `bbox` (via the store's spatial index).
    func features(in layer: String, intersecting bbox: BoundingBox, limit: Int) throws(StorageError) -> [StoredFeature]

    func deleteLayer(_ name: String) throws(StorageError)

    /// Integrity check of the store and each layer's spatial index and counts.
    func check() throws(StorageError) -> CheckReport

    /// Increases on every committed change; snapshots compare against it.
    func dataVersion() throws(StorageError) -> Int

    /// Streams a layer's features in id order with their properties left as JSON text,
    /// for building in-memory snapshots without parsing properties.
    func forEachRawFeature(in layer: String, _ body: (RawFeature) throws -> Void) throws

    /// Whether `forEachRawFeature` may run for several layers at once from
    /// different threads (a snapshot load then reads layers side by side).
    var readsConcurrently: Bool { get }

    func insertReadings(_ readings: [SensorReading]) throws(StorageError) -> Int
    func latestReadings() throws(StorageError) -> [String: SensorReading]

    /// Events: insert (returns the stored event with its id), compare-and-set status, list all.
    func insertEvent(_ event: EventRecord) throws(StorageError) -> EventRecord
    func updateEventStatus(id: Int64, from: String, to: String, at: String, properties: JSONObject) throws(StorageError) -> EventRecord?
    func events() throws(StorageError) -> [EventRecord]
    func event(id: Int64) throws(StorageError) -> EventRecord?
}

extension FeatureStore {
    public var readsConcurrently: Bool { false }
}
