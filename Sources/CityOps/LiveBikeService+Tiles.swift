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
