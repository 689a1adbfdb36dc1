import Foundation
import Geo
import Storage
import Synchronization
import VectorTiles

/// A layer whose features change in place: its tiles are cut from live state and
/// each tile is stamped with its own change counter, so a change invalidates the
/// cached tiles it touches and no other (see `TileService.dataStamp`).
public protocol LiveTileLayer: Sendable {
    /// The change counter of one tile, mixed with whatever identifies the live state.
    func tileStamp(_ t: TileID) -> Int
    /// The features of `layer` as they are now, for one tile build.
    func tileSource(for layer: LayerSnapshot) -> any TileFeatureSource
}

extension LiveBikeService: LiveTileLayer {
    public func tileStamp(_ t: TileID) -> Int {
        live.withLock { b in identity << 32 ^ Int(b.tiles.stamp(t)) }
    }

    public func tileSource(for layer: LayerSnapshot) -> any TileFeatureSource {
        let snapshot = state.snapshot
        live.withLock { b in sync(&b, snapshot) }
        return LiveBikeTileSource(service: self)
    }

    /// Copies the bikes in a box out of the live state (under the lock, briefly).
    func gather(in box: BoundingBox, into g: inout LiveBikeTileSource.Gathered) {
        live.withLock { b in
            b.grid.forEach(in: box) { s in
                guard let p = b.grid.point(s) else { return }
                g.slots.append(s)
                g.xs.append(p.x)
                g.ys.append(p.y)
                g.ids.append(b.ids[Int(s)])
                g.operators.append(b.operators[Int(b.operatorOf[Int(s)])])
                g.status.append(b.status[Int(s)])
            }
        }
    }
}

/// Live bikes as a tile builder reads them: each `forEachFeature` copies the bikes
/// of the box out of the live state, and positions index that copy. One instance
/// serves one tile build at a time (`TileService.inputs` makes one per build),
/// which is the invariant the unchecked Sendable relies on.
final class LiveBikeTileSource: TileFeatureSource, @unchecked Sendable {
    struct Gathered {
        var slots: [Int32] = []
        var xs: [Double] = []
        var ys: [Double] = []
        var ids: [String] = []
        var operators: [String] = []
        var status: [UInt8] = []
    }
    let service: LiveBikeService
    var gathered = Gathered()

    init(service: LiveBikeService) { self.service = service }

    var tileGeometryKind: TileGeometryKind { .point }

    func forEachFeature(in box: BoundingBox, _ visit: (Int) -> Void) {
        var g = Gathered()
        service.gather(in: box, into: &g)
        gathered = g
        for i in 0..<g.slots.count { visit(i) }
    }

    /// The bike's slot in the live state, plus one (stable while the bike is live).
    func tileFeatureID(_ i: Int) -> UInt64 { UInt64(gathered.slots[i]) + 1 }
    func tilePoint(_ i: Int) -> Coordinate? { Coordinate(gathered.xs[i], gathered.ys[i]) }
    func tileGeometry(_ i: Int) -> Geometry { .point(Coordinate(gathered.xs[i], gathered.ys[i])) }

    func tileProperties(_ i: Int) -> JSONObject {
        var o = JSONObject()
        o["bike_id"] = .string(gathered.ids[i])
        o["operator"] = .string(gathered.operators[i])
        o["status"] = .string(BikeStatus(code: gathered.status[i])?.rawValue ?? "parked")
        return o
    }
}

/// The bike-station layer as tiles show it: its properties plus each station's live
/// `count` (parked bikes within `bikes.station_radius_m`) and balance `status`, so
/// styles can label stations with what stands there now. Attached to the
/// `bike_station` role (`TileService.attach`); a tile is stamped with a counter that
/// every station count change near it bumps, so a batch invalidates the station
/// tiles around the stations it touched and no other.
public struct LiveStationTiles: LiveTileLayer {
    public let bikes: LiveBikeService

    public init(_ bikes: LiveBikeService) { self.bikes = bikes }

    public func tileStamp(_ t: TileID) -> Int {
        bikes.live.withLock { b in (bikes.identity &* 1_000_003 &+ b.stationRebuilds) << 32 ^ Int(b.stationTiles.stamp(t)) }
    }

    public func tileSource(for layer: LayerSnapshot) -> any TileFeatureSource {
        let snapshot = bikes.state.snapshot
        let live = bikes.live.withLock { b -> (counts: [Int32], status: [UInt8])? in
            bikes.sync(&b, snapshot)
            // Counts of another version of the layer would be put on the wrong stations.
            guard b.stations.identity == layer.identity, b.stations.count.count == layer.count else { return nil }
            return (b.stations.count, b.stations.status)
        }
        guard let live else { return layer }
        return BikeStationTileSource(layer: layer, counts: live.counts, status: live.status)
    }
}

/// A station layer with the live counts copied at the start of one tile build.
struct BikeStationTileSource: TileFeatureSource {
    let layer: LayerSnapshot
    let counts: [Int32]
    let status: [UInt8]

    var tileGeometryKind: TileGeometryKind { layer.tileGeometryKind }
    func forEachFeature(in box: BoundingBox, _ visit: (Int) -> Void) { layer.forEachFeature(in: box, visit) }
    func tileFeatureID(_ i: Int) -> UInt64 { layer.tileFeatureID(i) }
    func tilePoint(_ i: Int) -> Coordinate? { layer.tilePoint(i) }
    func tileGeometry(_ i: Int) -> Geometry { layer.tileGeometry(i) }

    func tileProperties(_ i: Int) -> JSONObject {
        var p = layer.properties.object(i)
        p["count"] = .number(Double(counts[i]))
        p["status"] = .string((StationStatus(rawValue: status[i]) ?? .ok).name)
        return p
    }
}
