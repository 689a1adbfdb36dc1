import Foundation
import Geo
import Synchronization
import VectorTiles

/// Serves tiles for the HTTP routes and the exporter: composite tiles cut
/// from a snapshot's layers (cached by snapshot version) and tiles from
/// prebuilt archives. One `Source` idea as in Martin: a name → tiles.
public final class TileService: Sendable {
    public let settings: TileSettings
    public let cache: TileCache
    public let archives: [String: TileArchive]
    /// For the live flood status written into flood-point tiles.
    public let floodWarningRatio: Double
    /// Encoded properties per layer, stamped with the snapshot state they were read from.
    let propertyTables = Mutex<[String: (stamp: Int, table: TilePropertyTable)]>([:])
    /// Idle builders, handed to one request at a time (they keep scratch maps warm).
    let builders = Mutex<[TileBuilder]>([])
    /// Live state drawn in place of a role's layer (live bikes), by role.
    let liveLayers = Mutex<[LayerRole: any LiveTileLayer]>([:])

    public init(settings: TileSettings = TileSettings(), archives: [String: TileArchive] = [:], floodWarningRatio: Double = 0.7) {
        self.settings = settings
        self.floodWarningRatio = floodWarningRatio
        cache = TileCache(capacityBytes: settings.cacheBytes)
        self.archives = archives
    }

    /// Draws `live` in place of the first layer of `role` (its tiles stamped per tile).
    public func attach(_ live: any LiveTileLayer, role: LayerRole) {
        liveLayers.withLock { $0[role] = live }
    }

    /// The live state drawn for a layer, when one is attached to its role and it is the role's first layer.
    func live(_ l: LayerSnapshot, _ snapshot: CitySnapshot) -> (any LiveTileLayer)? {
        guard let live = liveLayers.withLock({ $0[l.info.role] }), snapshot.layer(role: l.info.role)?.identity == l.identity else { return nil }
        return live
    }

    public func config(for layer: LayerSnapshot) -> TileLayerConfig {
        settings.config(layer: layer.info.name, role: layer.info.role, minzoom: layer.info.minzoom, maxzoom: layer.info.maxzoom)
    }

    /// Whether a layer or an archive answers to this name.
    public func hasSource(_ name: String, in snapshot: CitySnapshot) -> Bool { snapshot.layers[name] != nil || archives[name] != nil }

    /// Splits and checks "a,b,c": each layer once, known to the snapshot or an archive (alone).
    public func resolve(_ list: String, in snapshot: CitySnapshot) throws(CityOpsError) -> [String] {
        var names: [String] = []
        for part in list.split(separator: ",", omittingEmptySubsequences: false) {
            let name = String(part)
            guard !name.isEmpty else { throw CityOpsError(.invalidParameter, "empty layer name in \"\(list)\"", parameter: "layers") }
            guard !names.contains(name) else { throw CityOpsError(.invalidParameter, "layer \"\(name)\" listed twice", parameter: "layers") }
            guard hasSource(name, in: snapshot) else {
                throw CityOpsError(.unknownLayer, "unknown tile source \"\(name)\"", parameter: "layers")
            }
            names.append(name)
        }
        if names.count > 1, let a = names.first(where: { archives[$0] != nil && snapshot.layers[$0] == nil }) {
            throw CityOpsError(.invalidParameter, "archive \"\(a)\" is a whole tileset and cannot be combined with other sources", parameter: "layers")
        }
        return names
    }

    /// The inputs of a tile of these layers; with `zoom`, only the layers shown at that zoom
    /// (the others would only cost their property tables). With `tablesInBackground` (a
    /// request's tile) a stored layer whose property table is not built yet is cut reading
    /// each feature's properties instead (the same decoded tile), and the table is built on
    /// the background queue: a city's table takes seconds, the tile a few milliseconds.
    public func inputs(_ names: [String], _ snapshot: CitySnapshot, zoom: Int? = nil, tablesInBackground: Bool = false) -> [TileLayerInput] {
        names.compactMap { n in
            guard let l = snapshot.layers[n] else { return nil }
            if let zoom {
                let c = config(for: l)
                guard zoom >= c.minzoom && zoom <= c.maxzoom else { return nil }
            }
            if let live = live(l, snapshot) {
                // Live features change between tiles: no layer-wide property table.
                return TileLayerInput(name: n, source: live.tileSource(for: l), config: config(for: l), properties: nil)
            }
            let flood = l.info.role == .floodPoint
            let source: any TileFeatureSource = flood
                ? FloodPointTileSource(layer: l, readings: snapshot.readings, warningRatio: floodWarningRatio) : l
            let c = config(for: l)
            // Stored properties change with the layer (a rebuilt layer has a new identity);
            // a flood point's live status with every snapshot (new readings).
            let stamp = flood ? l.identity << 32 | snapshot.readingsStamp : l.identity
            // Flood points (a few hundred) and events (changed by every post) build on demand as before.
            if tablesInBackground, !flood, l.info.role != .event {
                if let hit = propertyTables.withLock({ $0[n] }), hit.stamp == stamp {
                    return TileLayerInput(name: n, source: source, config: c, properties: hit.table)
                }
                buildTableInBackground(n, stamp: stamp, source: source, count: l.count, keys: c.properties)
                return TileLayerInput(name: n, source: source, config: c, properties: nil)
            }
            return TileLayerInput(name: n, source: source, config: c, properties: propertyTable(n, stamp: stamp, source: source, count: l.count, keys: c.properties))
        }
    }

    /// Layer tables asked for by requests and not built yet (name → stamp), so each is queued once.
    let tablesQueued = Mutex<[String: Int]>([:])

    func buildTableInBackground(_ name: String, stamp: Int, source: any TileFeatureSource, count: Int, keys: [String]?) {
        let due = tablesQueued.withLock { q -> Bool in
            guard q[name] != stamp else { return false }
            q[name] = stamp
            return true
        }
        guard due else { return }
        backgroundJobs.add(1, ordering: .relaxed)
        Self.preparing.async { [self] in
            _ = propertyTable(name, stamp: stamp, source: source, count: count, keys: keys)
            tablesQueued.withLock { q in if q[name] == stamp { q[name] = nil } }
            backgroundJobs.subtract(1, ordering: .relaxed)
        }
    }

    /// The data version whose property tables were last asked for in the background.
    let preparedVersion = Mutex<Int?>(nil)
    static let preparing = DispatchQueue(label: "CityTwin.tile-properties", qos: .utility)

    /// Builds every layer's encoded properties for `snapshot` on a background
    /// thread, once per data version, so the first tile of a layer does not pay
    /// for its whole table (1.7 s for a 16-district city's 300k buildings, seen
    /// as multi-second first tiles). Layers kept across a reload keep their
    /// tables (same identity): only reloaded layers are built again. The events
    /// layer changes with every event and builds on demand as before.
    public func prepareInBackground(_ snapshot: CitySnapshot) {
        let due = preparedVersion.withLock { v -> Bool in
            guard v != snapshot.version else { return false }
            v = snapshot.version
            return true
        }
        guard due else { return }
        let names = snapshot.layers.values.filter { $0.info.role != .event }.map(\.info.name).sorted()
        backgroundJobs.add(1, ordering: .relaxed)
        Self.preparing.async { [self] in
            _ = inputs(names, snapshot)
            backgroundJobs.subtract(1, ordering: .relaxed)
            preparedOnce.store(true, ordering: .relaxed)
        }
    }

    /// Set when the first snapshot's tables are built (`prepareInBackground` done once).
    let preparedOnce = Atomic<Bool>(false)

    /// Whether the tables of the first snapshot prepared in the background are built: the start-up
    /// part of readiness, a latch (a reload's rebuild of some tables does not make a server unready).
    public var hasPreparedOnce: Bool { preparedOnce.load(ordering: .relaxed) }

    /// Property-table builds queued or running in the background.
    let backgroundJobs = Atomic<Int>(0)

    /// True while layer property tables are being built in the background (after a start or
    /// a reload): tiles are served meanwhile, each a little slower.
    public var isPreparing: Bool { backgroundJobs.load(ordering: .relaxed) > 0 }

    /// The layer's encoded properties, built on first use for this stamp. Two
    /// requests racing on a new stamp may both build it; the result is the same.
    func propertyTable(_ name: String, stamp: Int, source: any TileFeatureSource, count: Int, keys: [String]?) -> TilePropertyTable {
        if let hit = propertyTables.withLock({ $0[name] }), hit.stamp == stamp { return hit.table }
        let table = TilePropertyTable(count: count, keys: keys, properties: source.tileProperties)
        // Stamps only grow (layer identities and reading stamps count up): a request still on an
        // older snapshot must not put its table over the newer one.
        propertyTables.withLock { if ($0[name]?.stamp ?? .min) <= stamp { $0[name] = (stamp, table) } }
        return table
    }

    /// The source a request names: one archive alone, else the snapshot layers
    /// listed (checked by `resolve`).
    public func source(_ list: String, in snapshot: CitySnapshot) throws(CityOpsError) -> any TileSource {
        source(resolved: try resolve(list, in: snapshot), in: snapshot)
    }

    public func source(resolved names: [String], in snapshot: CitySnapshot) -> any TileSource {
        if names.count == 1, snapshot.layers[names[0]] == nil, let archive = archives[names[0]] { return archive }
        return LiveLayersSource(service: self, snapshot: snapshot, names: names)
    }

    /// Every source the catalog lists, by id: each snapshot layer, then each
    /// archive whose name no layer takes.
    public func sources(in snapshot: CitySnapshot) -> [any TileSource] {
        var out: [any TileSource] = snapshot.layers.keys.map { LiveLayersSource(service: self, snapshot: snapshot, names: [$0]) }
        out += archives.values.filter { snapshot.layers[$0.id] == nil }.map { $0 as any TileSource }
        return out.sorted { $0.id < $1.id }
    }

    /// A cached tile for the source list exactly as requested, without resolving
    /// or checking the list (a hit proves it was valid for this snapshot).
    public func cached(_ list: String, _ t: TileID, snapshot: CitySnapshot) -> CachedTile?? {
        guard let stamp = dataStamp(list, t, snapshot: snapshot),
              let hit = cache.get(TileCache.Key(version: stamp, source: list, tile: t)) else { return nil }
        return .some(hit.body.isEmpty ? nil : hit)
    }

    /// A source's tile, from the cache or made now; nil when it has no features (HTTP 204).
    /// `cacheAs` is the source list as requested (the cache key); defaults to the source id.
    /// Throws `CityOpsError` for a tile outside the grid, else the source's own error.
    public func tile(_ source: any TileSource, _ t: TileID, snapshot: CitySnapshot, cacheAs: String? = nil) throws -> CachedTile? {
        guard t.isValid else { throw CityOpsError(.invalidParameter, "tile \(t) does not exist (x and y must be below 2^z, z in 0...30)", parameter: "z/x/y") }
        let list = cacheAs ?? source.id
        let key = TileCache.Key(version: dataStamp(list, t, snapshot: snapshot) ?? snapshot.generation, source: list, tile: t)
        if let hit = cache.get(key) { return hit.body.isEmpty ? nil : hit }
        let tile = try source.makeTile(t)
        cache.put(key, try tile ?? CachedTile(body: []))
        return tile
    }

    /// What a tile of this source list was made from: the identity of each
    /// listed layer (a rebuilt layer has a new one) and, for flood points, the
    /// readings' stamp; an archive's tiles never change while it is open. So
    /// publishing events leaves the cached tiles of every other layer valid.
    /// A live layer (bikes) adds the tile's own change counter, so a moved bike
    /// invalidates the tiles it touches and no other.
    /// Nil when a name is neither a layer nor an archive. Mixed into one key
    /// (64-bit FNV-1a over the stamps, in list order; `TileStampPlan`).
    func dataStamp(_ list: String, _ t: TileID, snapshot: CitySnapshot) -> Int? {
        stampPlan(list, snapshot: snapshot)?.stamp(t)
    }

    /// Builds one tile with a pooled builder (they keep scratch maps warm).
    func build(_ t: TileID, inputs: [TileLayerInput]) -> BuiltTile {
        let shown = inputs.filter { t.z >= $0.config.minzoom && t.z <= $0.config.maxzoom }
        // Layers thinned as needed share one byte budget: those tiles stay sequential.
        if shown.count > 1, !shown.contains(where: { $0.config.dropDensestAsNeeded && $0.config.thins(at: t.z) }),
           let built = buildSideBySide(t, layers: shown) {
            return built
        }
        return withBuilder { $0.build(t, layers: inputs) }
    }

    /// Builds each layer of a tile on its own builder at once (a tile is its layers'
    /// messages one after another), so one uncached multi-layer tile takes about its
    /// slowest layer, not their sum (z13 of a whole city: buildings and pipes both start
    /// there). The same bytes as a sequential build whenever the whole tile fits the
    /// byte cap; nil when it does not (the caller builds sequentially, where each layer
    /// gets what the earlier ones left).
    func buildSideBySide(_ t: TileID, layers: [TileLayerInput]) -> BuiltTile? {
        let parts = Mutex([BuiltTile?](repeating: nil, count: layers.count))
        DispatchQueue.concurrentPerform(iterations: layers.count) { k in
            let built = withBuilder { $0.build(t, layers: [layers[k]]) }
            parts.withLock { $0[k] = built }
        }
        var out = BuiltTile(bytes: [], featureCounts: [:], truncated: false)
        for part in parts.withLock({ $0 }) {
            guard let part else { return nil }
            out.bytes += part.bytes
            out.featureCounts.merge(part.featureCounts) { a, _ in a }
            out.truncated = out.truncated || part.truncated
        }
        return out.bytes.count <= settings.maxTileBytes && !out.truncated ? out : nil
    }

    func withBuilder<R>(_ body: (TileBuilder) -> R) -> R {
        let builder = builders.withLock { $0.popLast() } ?? TileBuilder(settings: settings)
        let r = body(builder)
        builders.withLock { if $0.count < 16 { $0.append(builder) } }
        return r
    }

    /// TileJSON 3.0.0 for resolved source names (a composite of snapshot layers or one archive).
    public func tileJSON(_ names: [String], snapshot: CitySnapshot, tileURL: String) -> JSONObject {
        source(resolved: names, in: snapshot).tileJSON(tileURL: tileURL)
    }
}
