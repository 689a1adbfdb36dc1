import Geo
import Storage
import Synchronization

/// A `FeatureStore` held in memory: proof that the protocol carries no SQLite
/// or SpatiaLite type, and a fast store for CityOps tests.
final class InMemoryFeatureStore: FeatureStore {
    struct Layer {
        var info: LayerInfo
        var features: [StoredFeature]
    }

    struct State {
        var layers: [String: Layer] = [:]
        var events: [EventRecord] = []
        var readings: [String: SensorReading] = [:]
        var version = 0
        var nextID: Int64 = 1
    }

    let state = Mutex(State())

    final class Writer: LayerWriter {
        var features: [StoredFeature] = []
        var nextID: Int64
        init(nextID: Int64) { self.nextID = nextID }

        func insert(extID: String?, properties: JSONObject, geometry: Geometry) throws(StorageError) {
            features.append(StoredFeature(id: nextID, extID: extID, properties: properties, geometry: geometry))
            nextID += 1
        }

        var inserted: Int { features.count }
    }

    func layers() throws(StorageError) -> [LayerInfo] {
        state.withLock { $0.layers.values.map(\.info).sorted { $0.name < $1.name } }
    }

    func layer(named: String) throws(StorageError) -> LayerInfo? {
        state.withLock { $0.layers[named]?.info }
    }

    func importLayer<R>(_ spec: LayerSpec, mode: ImportMode, _ body: (any LayerWriter) throws -> R) throws -> (R, ImportCommit) {
        let existing = state.withLock { $0.layers[spec.name] }
        let writer = Writer(nextID: state.withLock { $0.nextID })
        // Nothing is published until the body returns: a throw leaves the store as it was.
        let result = try body(writer)
        let kept = mode == .append ? existing?.features ?? [] : []
        let features = kept + writer.features
        var bbox = BoundingBox.empty
        for f in features { bbox.extend(f.geometry.boundingBox) }
        let zoom = spec.role.defaultZoomRange
        let info = LayerInfo(name: spec.name, role: spec.role, geometryType: spec.role.storedGeometryType?.rawValue ?? "Geometry",
                             count: features.count, bbox: bbox, minzoom: zoom.lowerBound, maxzoom: zoom.upperBound,
                             version: (existing?.info.version ?? 0) + 1, updatedAt: "2026-01-01T00:00:00Z", source: spec.source)
        state.withLock {
            $0.layers[spec.name] = Layer(info: info, features: features)
            $0.nextID = writer.nextID
            $0.version += 1
        }
        return (result, ImportCommit(layer: info, inserted: writer.inserted))
    }

    func stored(_ layer: String) throws(StorageError) -> [StoredFeature] {
        guard let l = state.withLock({ $0.layers[layer] }) else { throw StorageError(.unknownLayer, "no layer \(layer)") }
        return l.features
    }

    func forEachFeature(in layer: String, _ body: (StoredFeature) throws -> Void) throws {
        for f in try stored(layer) { try body(f) }
    }

    func forEachRawFeature(in layer: String, _ body: (RawFeature) throws -> Void) throws {
        for f in try stored(layer) {
            try body(RawFeature(id: f.id, extID: f.extID, propertiesJSON: JSONWriter.string(f.properties), geometry: f.geometry))
        }
    }

    func features(in layer: String, intersecting bbox: BoundingBox, limit: Int) throws(StorageError) -> [StoredFeature] {
        Array(try stored(layer).filter { $0.geometry.boundingBox.intersects(bbox) }.prefix(limit))
    }

    func deleteLayer(_ name: String) throws(StorageError) {
        state.withLock {
            $0.layers[name] = nil
            $0.version += 1
        }
    }

    func check() throws(StorageError) -> CheckReport {
        let layers = state.withLock { $0.layers.values.map(\.info) }
        return CheckReport(integrity: ["ok"], layers: layers.map {
            .init(name: $0.name, catalogCount: $0.count, tableCount: $0.count, spatialIndexValid: true)
        })
    }

    func dataVersion() throws(StorageError) -> Int { state.withLock { $0.version } }

    func insertReadings(_ readings: [SensorReading]) throws(StorageError) -> Int {
        state.withLock {
            for r in readings { $0.readings[r.sensorID] = r }
            $0.version += 1
        }
        return readings.count
    }

    func latestReadings() throws(StorageError) -> [String: SensorReading] { state.withLock { $0.readings } }

    func insertEvent(_ event: EventRecord) throws(StorageError) -> EventRecord {
        state.withLock {
            var e = event
            e.id = Int64($0.events.count + 1)
            $0.events.append(e)
            return e
        }
    }

    func updateEventStatus(id: Int64, from: String, to: String, at: String,
                           properties: JSONObject) throws(StorageError) -> EventRecord? {
        state.withLock { s -> EventRecord? in
            guard let i = s.events.firstIndex(where: { $0.id == id }), s.events[i].status == from else { return nil }
            s.events[i].status = to
            s.events[i].updatedAt = at
            s.events[i].properties = properties
            return s.events[i]
        }
    }

    func events() throws(StorageError) -> [EventRecord] { state.withLock { $0.events } }

    func event(id: Int64) throws(StorageError) -> EventRecord? { state.withLock { s in s.events.first { $0.id == id } } }
}
