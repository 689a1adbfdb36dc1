import Foundation
import Geo
import SpatialIndex
import Storage
import Synchronization

/// Counts snapshot publications in this process (data or readings changed).
let snapshotGenerations = Atomic<Int>(0)
/// Counts sets of sensor readings published in this process.
let readingsGenerations = Atomic<Int>(0)

/// The whole city in memory, immutable and versioned. Readers hold the
/// snapshot they started with; writers publish a new one (see `CityState`).
public struct CitySnapshot: Sendable {
    public let version: Int
    public let layers: [String: LayerSnapshot]
    /// Latest water level per sensor id.
    public let readings: [String: SensorReading]
    /// Unique per published snapshot in this process, bumped by data
    /// reloads, event publications and new sensor readings alike.
    public let generation: Int
    /// Unique per set of readings in this process: a flood layer's live
    /// status changes with it (tile cache and property stamps), not with events.
    public let readingsStamp: Int

    /// The first layer (by name) of each role, resolved once.
    let byRole: [LayerRole: LayerSnapshot]

    /// `readingsStamp`: the stamp of `readings` when they are the ones of an
    /// earlier snapshot; nil for new readings (a fresh stamp).
    public init(version: Int, layers: [String: LayerSnapshot], readings: [String: SensorReading], readingsStamp: Int? = nil) {
        self.version = version
        self.layers = layers
        self.readings = readings
        generation = snapshotGenerations.add(1, ordering: .relaxed).newValue
        self.readingsStamp = readingsStamp ?? readingsGenerations.add(1, ordering: .relaxed).newValue
        var byRole: [LayerRole: LayerSnapshot] = [:]
        for l in layers.values.sorted(by: { $0.info.name < $1.info.name }) where byRole[l.info.role] == nil { byRole[l.info.role] = l }
        self.byRole = byRole
    }

    public func layer(_ name: String) throws(CityOpsError) -> LayerSnapshot {
        guard let l = layers[name] else { throw CityOpsError(.unknownLayer, "unknown layer \"\(name)\"", parameter: "layer") }
        return l
    }

    /// The first layer (by name) with a role, e.g. the grid layer.
    public func layer(role: LayerRole) -> LayerSnapshot? { byRole[role] }

    public func with(readings: [String: SensorReading]) -> CitySnapshot {
        CitySnapshot(version: version, layers: layers, readings: readings)
    }

    /// Loads every layer of the store.
    public static func load(from store: any FeatureStore) throws -> CitySnapshot {
        try load(from: store, reusing: nil)
    }

    /// Loads the store's layers, keeping from `previous` every layer whose catalog row
    /// (name, role, version, count, bbox, time of import) is unchanged: an import of one
    /// layer reads and indexes that layer only, and the kept layers keep their identity,
    /// so their cached tiles, property tables, pipe networks and the geocoder built from
    /// them stay valid. `rebuilt` receives the names of the layers read from the store.
    public static func load(from store: any FeatureStore, reusing previous: CitySnapshot?,
                            rebuilt: ((String) -> Void)? = nil) throws -> CitySnapshot {
        let version = try store.dataVersion()
        var layers: [String: LayerSnapshot] = [:]
        var toRead: [LayerInfo] = []
        for info in try store.layers() {
            if let kept = previous?.layers[info.name], kept.info == info, info.name != eventsLayerName {
                layers[info.name] = kept
                continue
            }
            rebuilt?(info.name)
            toRead.append(info)
        }
        @Sendable func read(_ info: LayerInfo) throws -> LayerSnapshot {
            var ids: [Int64] = [], ext: [String?] = [], texts: [String] = [], geometries: [Geometry] = []
            ids.reserveCapacity(info.count); ext.reserveCapacity(info.count); texts.reserveCapacity(info.count); geometries.reserveCapacity(info.count)
            try store.forEachRawFeature(in: info.name) { f in
                ids.append(f.id)
                ext.append(f.extID)
                texts.append(f.propertiesJSON)
                geometries.append(f.geometry)
            }
            return LayerSnapshot(info: info, ids: ids, extIDs: ext, texts: texts, geometries: geometries)
        }
        let workers = store.readsConcurrently ? min(toRead.count, max(1, min(ProcessInfo.processInfo.activeProcessorCount, 4))) : 1
        if workers <= 1 {
            for info in toRead { layers[info.name] = try read(info) }
        } else {
            // Layers read and indexed side by side, largest first (a city's load is
            // CPU: decoding, parsing, packing trees); each worker takes the next one.
            let queue = Mutex(toRead.sorted { $0.count > $1.count })
            let results = Mutex([String: Result<LayerSnapshot, any Error>]())
            DispatchQueue.concurrentPerform(iterations: workers) { _ in
                while let info = queue.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) {
                    let r = Result { try read(info) }
                    results.withLock { $0[info.name] = r }
                    if case .failure = r { queue.withLock { $0.removeAll() } }
                }
            }
            for (name, r) in results.withLock({ $0 }) { layers[name] = try r.get() }
        }
        // The events layer is the event hub's (`EventService` publishes it from its own store);
        // until it does, the map has an empty one, so styles can draw events from the start.
        if layers[eventsLayerName] == nil { layers[eventsLayerName] = EventJSON.layer(ids: [], points: [], texts: [], updatedAt: "") }
        return CitySnapshot(version: version, layers: layers, readings: try store.latestReadings())
    }

    /// The name under which events join the snapshot as a layer (role `event`).
    public static let eventsLayerName = "events"

    public var memoryReport: (raw: Int, geometry: Int, properties: Int) {
        layers.values.reduce((0, 0, 0)) { acc, l in
            let m = l.memoryReport
            return (acc.0 + m.rawCoordinateBytes, acc.1 + m.geometryBytes, acc.2 + m.propertyBytes)
        }
    }
}
