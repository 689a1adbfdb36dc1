import Geo
import VectorTiles

/// A tile source list resolved against one published snapshot: what `dataStamp`
/// mixes for each listed name, looked up once. The event-loop fast path keeps one per
/// connection and makes it again when the snapshot's generation changes, so a cache
/// hit does not split the list, hash layer names and copy layer values every time
/// (that was a third of the CPU time of a cached tile answer).
public struct TileStampPlan: Sendable {
    enum Part: Sendable {
        /// A snapshot layer: its identity, the readings stamp for flood points, the live
        /// state drawn in its place.
        case layer(identity: Int, readings: Int?, live: (any LiveTileLayer)?)
        /// An archive: its tiles never change while it is open.
        case archive
    }

    /// The `generation` of the snapshot the plan was made from; valid for that one only.
    public let generation: Int
    let parts: [Part]

    /// The data stamp of tile `t` (see `TileService.dataStamp`): 64-bit FNV-1a over the
    /// parts' stamps in list order, each mixed once more.
    func stamp(_ t: TileID) -> Int {
        var h: UInt64 = 0xcbf29ce484222325
        func mix(_ v: Int) {
            h = (h ^ UInt64(bitPattern: Int64(v))) &* 0x100000001b3
            h = (h ^ (h >> 29)) &* 0xbf58476d1ce4e5b9
        }
        for part in parts {
            switch part {
            case .layer(let identity, let readings, let live):
                mix(identity)
                if let readings { mix(-readings) }
                if let live { mix(live.tileStamp(t)) }
            case .archive:
                mix(0)
            }
        }
        return Int(bitPattern: UInt(h))
    }
}

extension TileService {
    /// The plan of a source list against `snapshot`; nil when a name is neither a layer nor an archive.
    public func stampPlan(_ list: String, snapshot: CitySnapshot) -> TileStampPlan? {
        var parts: [TileStampPlan.Part] = []
        for name in list.split(separator: ",", omittingEmptySubsequences: false) {
            if let l = snapshot.layers[String(name)] {
                parts.append(.layer(identity: l.identity, readings: l.info.role == .floodPoint ? snapshot.readingsStamp : nil,
                                    live: live(l, snapshot)))
            } else if archives[String(name)] != nil {
                parts.append(.archive)
            } else { return nil }
        }
        return TileStampPlan(generation: snapshot.generation, parts: parts)
    }

    /// `cached(list, t, snapshot:)` with the list's plan made from this snapshot.
    public func cached(_ list: String, plan: TileStampPlan, _ t: TileID) -> CachedTile?? {
        guard let hit = cache.get(TileCache.Key(version: plan.stamp(t), source: list, tile: t)) else { return nil }
        return .some(hit.body.isEmpty ? nil : hit)
    }
}
