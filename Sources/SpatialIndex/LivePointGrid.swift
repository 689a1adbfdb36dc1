import Foundation
import Geo

/// Points that move all day (live bike positions), changed in place: a
/// uniform lon/lat grid over fixed bounds, each cell a list of slots. A move
/// is a swap-remove from one cell and an append to another (O(1), no
/// rebuild), which a packed tree cannot do at hundreds of thousands of moves
/// a second. Slots are the caller's dense ids (0, 1, 2…), reused after a removal.
///
/// Points outside the bounds are kept in the border cells (searches clamp the
/// same way and test exact distances, so answers stay exact). Not thread-safe:
/// the owner serialises writers and readers (see `LiveBikeService`).
public struct LivePointGrid: Sendable {
    public let bounds: BoundingBox
    let cellW: Double, cellH: Double
    let nx: Int, ny: Int
    var cells: [[Int32]]
    /// Per slot: its cell (-1 when absent) and its index in that cell's list.
    var cellOf: [Int32] = []
    var indexInCell: [Int32] = []
    var xs: [Double] = []
    var ys: [Double] = []
    public private(set) var count = 0

    /// `cellMetres`: the cell side (a query of radius r visits about (2r/cell + 1)² cells).
    /// Cells are widened so that neither side has more than 4,096 of them.
    public init(bounds: BoundingBox, cellMetres: Double = 150) {
        self.bounds = bounds
        let h = max(cellMetres / 111_195, (bounds.maxY - bounds.minY) / 4096, 1e-6)
        let midLat = (bounds.minY + bounds.maxY) / 2
        let w = max(h / max(cos(midLat * .pi / 180), 0.01), (bounds.maxX - bounds.minX) / 4096, 1e-6)
        cellW = w
        cellH = h
        nx = max(1, Int(((bounds.maxX - bounds.minX) / w).rounded(.up)))
        ny = max(1, Int(((bounds.maxY - bounds.minY) / h).rounded(.up)))
        cells = [[Int32]](repeating: [], count: nx * ny)
    }

    public var memoryBytes: Int {
        cells.reduce(cells.count * 8) { $0 + ($1.isEmpty ? 0 : 32 + $1.capacity * 4) } + cellOf.count * 24
    }

    @inline(__always) func column(_ x: Double) -> Int {
        let c = (x - bounds.minX) / cellW
        return c.isFinite ? min(max(Int(c.rounded(.down)), 0), nx - 1) : 0
    }

    @inline(__always) func row(_ y: Double) -> Int {
        let r = (y - bounds.minY) / cellH
        return r.isFinite ? min(max(Int(r.rounded(.down)), 0), ny - 1) : 0
    }

    public func contains(_ slot: Int32) -> Bool { Int(slot) < cellOf.count && cellOf[Int(slot)] >= 0 }

    /// The point of a slot, or nil when absent.
    public func point(_ slot: Int32) -> Coordinate? {
        contains(slot) ? Coordinate(xs[Int(slot)], ys[Int(slot)]) : nil
    }

    /// Inserts the point of `slot`, or moves it.
    public mutating func set(_ slot: Int32, x: Double, y: Double) {
        let s = Int(slot)
        if s >= cellOf.count {
            let grow = s + 1 - cellOf.count
            cellOf += repeatElement(-1, count: grow)
            indexInCell += repeatElement(0, count: grow)
            xs += repeatElement(0, count: grow)
            ys += repeatElement(0, count: grow)
        }
        let cell = Int32(row(y) * nx + column(x))
        xs[s] = x
        ys[s] = y
        if cellOf[s] == cell { return }
        if cellOf[s] >= 0 { unlink(s) } else { count += 1 }
        cellOf[s] = cell
        indexInCell[s] = Int32(cells[Int(cell)].count)
        cells[Int(cell)].append(slot)
    }

    /// Removes a slot's point (nothing when absent).
    public mutating func remove(_ slot: Int32) {
        guard contains(slot) else { return }
        unlink(Int(slot))
        cellOf[Int(slot)] = -1
        count -= 1
    }

    mutating func unlink(_ s: Int) {
        let c = Int(cellOf[s]), k = Int(indexInCell[s])
        let last = cells[c].removeLast()
        if k < cells[c].count {
            cells[c][k] = last
            indexInCell[Int(last)] = Int32(k)
        }
    }

    /// Every slot whose point lies in the box (edges included).
    public func forEach(in box: BoundingBox, _ visit: (Int32) -> Void) {
        guard box.minX <= box.maxX, box.minY <= box.maxY else { return }
        let c0 = column(box.minX), c1 = column(box.maxX), r0 = row(box.minY), r1 = row(box.maxY)
        for r in r0...r1 {
            for c in c0...c1 {
                for slot in cells[r * nx + c] {
                    let x = xs[Int(slot)], y = ys[Int(slot)]
                    if x >= box.minX, x <= box.maxX, y >= box.minY, y <= box.maxY { visit(slot) }
                }
            }
        }
    }

    /// Every slot within `radius` metres (great circle) of (lon, lat), with its h
    /// (see `SphericalBounds`), in no particular order.
    public func forEachWithin(lon: Double, lat: Double, radius: Double, _ visit: (Int32, Double) -> Void) {
        let limit = SphericalBounds.h(metres: radius)
        // A planar box padded so it never excludes a true hit.
        let dLat = radius / 111_000 * 1.01 + 1e-9
        let dLon = dLat / max(cos((abs(lat) + dLat) * .pi / 180), 1e-6)
        let c0 = column(lon - dLon), c1 = column(lon + dLon), r0 = row(lat - dLat), r1 = row(lat + dLat)
        for r in r0...r1 {
            for c in c0...c1 {
                for slot in cells[r * nx + c] {
                    let h = SphericalBounds.haversine(lon, lat, xs[Int(slot)], ys[Int(slot)])
                    if h <= limit { visit(slot, h) }
                }
            }
        }
    }

    /// Exact k nearest (great circle), nearest first, ties by slot: rings of
    /// cells outward until the next ring cannot hold anything nearer.
    public func nearest(lon: Double, lat: Double, k: Int, maxDistance: Double = .infinity,
                        filter: ((Int32) -> Bool)? = nil) -> [Neighbor] {
        guard k > 0, count > 0 else { return [] }
        var radius = max(cellH * 111_000, 50.0)
        let cap = min(maxDistance, 20_037_509)
        while true {
            let r = min(radius, cap)
            var found: [Neighbor] = []
            forEachWithin(lon: lon, lat: lat, radius: r) { slot, h in
                if filter?(slot) ?? true { found.append(Neighbor(id: slot, distance: SphericalBounds.metres(h))) }
            }
            // Enough within r, or nothing more to look at: those are the nearest.
            if found.count >= k || r >= cap || r >= 4 * 111_000 * max(bounds.maxY - bounds.minY, bounds.maxX - bounds.minX) + 1 {
                found.sort { $0.distance < $1.distance || ($0.distance == $1.distance && $0.id < $1.id) }
                return Array(found.prefix(k))
            }
            radius *= 4
        }
    }
}
