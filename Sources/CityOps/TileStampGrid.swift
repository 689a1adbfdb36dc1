import Foundation
import Geo

/// Change counters per Web Mercator tile, zoom 0 to `maxZoom`, over the live
/// area: a bike appearing, moving or leaving bumps, at every zoom, each tile
/// whose area grown by `margin` (the clip buffer, or a cluster cell if larger)
/// holds its position. A cached tile is keyed on its counter, so a moved bike
/// invalidates the tiles at its old and new positions, every zoom, clusters
/// included — and no other tile. A tile deeper than `maxZoom` reads its
/// ancestor's counter (coarser, never stale). Zooms whose tiles over the area
/// would pass a million counters are not kept (their tiles read the next one up).
struct TileStampGrid {
    struct Level {
        var x0: Int, y0: Int, w: Int, h: Int
        var counts: [UInt32]
    }
    static let maxZoom = 18
    /// In tile units of 4,096: the default clip buffer 64 and cluster cell 64, with room for 128.
    static let margin = 128.0 / 4096
    var levels: [Level] = []

    init(area: BoundingBox) {
        for z in 0...Self.maxZoom {
            let r = WebMercator.tileRange(area, z: z)
            let w = r.maxX - r.minX + 1, h = r.maxY - r.minY + 1
            guard w * h <= 1 << 20 else { break }
            levels.append(Level(x0: r.minX, y0: r.minY, w: w, h: h, counts: [UInt32](repeating: 0, count: w * h)))
        }
    }

    var memoryBytes: Int { levels.reduce(0) { $0 + $1.counts.count * 4 } }

    mutating func touch(lon: Double, lat: Double) {
        let wx = WebMercator.worldX(lon: lon), wy = WebMercator.worldY(lat: lat)
        for z in levels.indices {
            let n = Double(1 << z)
            let fx = wx * n, fy = wy * n
            let x0 = Int((fx - Self.margin).rounded(.down)), x1 = Int((fx + Self.margin).rounded(.down))
            let y0 = Int((fy - Self.margin).rounded(.down)), y1 = Int((fy + Self.margin).rounded(.down))
            // Plain numbers, not a copy of the level: a copy would share its counts and make
            // every increment copy the whole array.
            let lx = levels[z].x0, ly = levels[z].y0, lw = levels[z].w, lh = levels[z].h
            let xa = max(x0, lx), xb = min(x1, lx + lw - 1), ya = max(y0, ly), yb = min(y1, ly + lh - 1)
            guard xa <= xb, ya <= yb else { continue }
            for y in ya...yb {
                for x in xa...xb { levels[z].counts[(y - ly) * lw + (x - lx)] &+= 1 }
            }
        }
    }

    /// The counter of a tile (its ancestor's beyond the kept zooms); 0 outside the area.
    func stamp(_ t: TileID) -> UInt32 {
        guard !levels.isEmpty else { return 0 }
        let z = min(t.z, levels.count - 1)
        let shift = t.z - z
        let x = t.x >> shift, y = t.y >> shift
        let l = levels[z]
        guard x >= l.x0, x < l.x0 + l.w, y >= l.y0, y < l.y0 + l.h else { return 0 }
        return l.counts[(y - l.y0) * l.w + (x - l.x0)]
    }
}
