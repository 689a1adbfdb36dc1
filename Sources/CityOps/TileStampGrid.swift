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
    static let maxZoom = 18
    /// In tile units of 4,096: the default clip buffer 64 and cluster cell 64, with room for 128.
    static let margin = 128
    /// Per kept zoom: first tile column and row over the area, columns, rows, and where its
    /// counters start in `counts` (one flat array, so a touch does integer work only).
    var x0: [Int] = [], y0: [Int] = [], w: [Int] = [], h: [Int] = [], offset: [Int] = []
    var counts: [UInt32] = []

    init(area: BoundingBox) {
        for z in 0...Self.maxZoom {
            let r = WebMercator.tileRange(area, z: z)
            let cols = r.maxX - r.minX + 1, rows = r.maxY - r.minY + 1
            guard cols * rows <= 1 << 20 else { break }
            x0.append(r.minX); y0.append(r.minY); w.append(cols); h.append(rows); offset.append(counts.count)
            counts += repeatElement(0, count: cols * rows)
        }
    }

    var levels: Int { offset.count }
    var memoryBytes: Int { counts.count * 4 }

    mutating func touch(lon: Double, lat: Double) {
        let n = levels
        guard n > 0 else { return }
        // Tile units (4,096 a tile) at the deepest kept zoom; a shallower zoom's are a right shift.
        let scale = Double(1 << (n - 1 + 12))
        let fx = WebMercator.worldX(lon: lon) * scale, fy = WebMercator.worldY(lat: lat) * scale
        guard fx.isFinite, fy.isFinite, fx >= 0, fy >= 0, fx < scale, fy < scale else { return }
        let ux = Int(fx), uy = Int(fy), m = Self.margin
        counts.withUnsafeMutableBufferPointer { c in
            for z in 0..<n {
                let shift = n - 1 - z
                let tx = ux >> shift, ty = uy >> shift
                let xa = max((tx - m) >> 12, x0[z]), xb = min((tx + m) >> 12, x0[z] + w[z] - 1)
                let ya = max((ty - m) >> 12, y0[z]), yb = min((ty + m) >> 12, y0[z] + h[z] - 1)
                guard xa <= xb, ya <= yb else { continue }
                for y in ya...yb {
                    let row = offset[z] + (y - y0[z]) * w[z] - x0[z]
                    for x in xa...xb { c[row + x] &+= 1 }
                }
            }
        }
    }

    /// The counter of a tile (its ancestor's beyond the kept zooms); 0 outside the area.
    func stamp(_ t: TileID) -> UInt32 {
        guard levels > 0 else { return 0 }
        let z = min(t.z, levels - 1)
        let shift = t.z - z
        let x = t.x >> shift, y = t.y >> shift
        guard x >= x0[z], x < x0[z] + w[z], y >= y0[z], y < y0[z] + h[z] else { return 0 }
        return counts[offset[z] + (y - y0[z]) * w[z] + (x - x0[z])]
    }
}
