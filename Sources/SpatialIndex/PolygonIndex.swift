import Foundation
import Geo

/// Point-in-polygon over many (multi)polygons: an R-tree of polygon boxes,
/// and per polygon its rings in flat arrays plus, for polygons with many
/// edges, a y-band edge index (only edges spanning the query's y are tested).
///
/// **Boundary rule.** Crossings are counted with half-open intervals and
/// each edge's x-intercept is computed from its endpoints in one canonical
/// order, so polygons sharing an edge decide identically. A point on the
/// boundary belongs to the polygon that contains the point moved an
/// infinitesimal step east and then north: west and south boundaries are
/// inside, east and north outside — like [minX, maxX) × [minY, maxY). In a
/// tiling (grids) every point of the covered area has exactly one owner.
/// Even-odd counting over all rings handles holes and multipolygons.
public struct PolygonIndex: Sendable {
    public let tree: PackedRTree
    /// x, y of all ring vertices (rings closed).
    let coords: [Double]
    /// Vertex offset of ring r is ringStart[r]; ring r ends at ringStart[r + 1].
    let ringStart: [Int32]
    /// Rings of polygon p are polygonRing[p] ..< polygonRing[p + 1].
    let polygonRing: [Int32]
    /// Per polygon: band layout (first band offset into bandStart, band count, minY, band height); nil bands for small polygons.
    let bandInfo: [BandInfo]
    let bandStart: [Int32]
    let bandEdges: [Int32]

    /// Parts of polygon p are polygonPart[p] ..< polygonPart[p + 1]; part q starts at ring partRing[q].
    let polygonPart: [Int32]
    let partRing: [Int32]
    let isMulti: [Bool]

    struct BandInfo: Sendable { var first: Int32; var count: Int32; var minY: Double; var height: Double }

    /// Point-lookup accelerator: a uniform grid of buckets over the extent,
    /// each listing (in id order) the polygons whose box touches it.
    struct Buckets: Sendable {
        var minX = 0.0, minY = 0.0, maxX = -1.0, maxY = -1.0, cellW = 1.0, cellH = 1.0
        var nx = 0, ny = 0
        var start: [Int32] = []
        var items: [Int32] = []

        @inline(__always) func cell(_ x: Double, _ y: Double) -> Int {
            let i = PolygonIndex.clampedIndex((x - minX) / cellW, nx)
            let j = PolygonIndex.clampedIndex((y - minY) / cellH, ny)
            return j * nx + i
        }
    }
    let buckets: Buckets

    /// `Int(v)` clamped to 0..<count in Double first, so a query coordinate
    /// that is huge, infinite or NaN cannot trap the conversion (NaN → 0).
    @inline(__always) static func clampedIndex(_ v: Double, _ count: Int) -> Int {
        guard v >= 0 else { return 0 }
        return v < Double(count - 1) ? Int(v) : count - 1
    }

    public var count: Int { polygonRing.count - 1 }
    public var memoryBytes: Int {
        tree.memoryBytes + coords.count * 8 + ringStart.count * 4 + polygonRing.count * 4 + bandStart.count * 4
            + bandEdges.count * 4 + bandInfo.count * 24 + polygonPart.count * 4 + partRing.count * 4 + isMulti.count
            + buckets.start.count * 4 + buckets.items.count * 4
    }

    /// `polygons[i]` is the i-th feature's polygon parts; ids returned are positions in this array.
    public init(polygons: [[[[Coordinate]]]], multi: [Bool]? = nil, nodeSize: Int = 8, bandThreshold: Int = 32) {
        var coords: [Double] = [], ringStart: [Int32] = [0], polygonRing: [Int32] = [0]
        var polygonPart: [Int32] = [0], partRing: [Int32] = []
        var builder = PackedRTreeBuilder(reserve: polygons.count)
        var boxes: [BoundingBox] = []
        var bandInfo: [BandInfo] = [], bandStart: [Int32] = [], bandEdges: [Int32] = []
        for (p, parts) in polygons.enumerated() {
            var b = BoundingBox.empty
            var edges = 0
            for rings in parts {
                partRing.append(Int32(ringStart.count - 1))
                for ring in rings where ring.count >= 2 {
                    for c in ring { coords.append(c.x); coords.append(c.y); b.extend(c) }
                    if ring.first != ring.last { coords.append(ring[0].x); coords.append(ring[0].y) }
                    ringStart.append(Int32(coords.count / 2))
                    edges += ring.count - 1
                }
            }
            polygonRing.append(Int32(ringStart.count - 1))
            polygonPart.append(Int32(partRing.count))
            if !b.isEmpty { builder.add(id: Int32(p), minX: b.minX, minY: b.minY, maxX: b.maxX, maxY: b.maxY) }
            boxes.append(b)
            // Band index for large polygons.
            if edges > bandThreshold, b.maxY > b.minY {
                let bands = min(max(edges / 4, 2), 512)
                let height = (b.maxY - b.minY) / Double(bands)
                var lists = [[Int32]](repeating: [], count: bands)
                for r in Int(polygonRing[p])..<Int(polygonRing[p + 1]) {
                    for v in Int(ringStart[r])..<(Int(ringStart[r + 1]) - 1) {
                        let y0 = coords[2 * v + 1], y1 = coords[2 * v + 3]
                        let lo = Self.clampedIndex((min(y0, y1) - b.minY) / height, bands)
                        let hi = max(lo, Self.clampedIndex((max(y0, y1) - b.minY) / height, bands))
                        for band in lo...hi { lists[band].append(Int32(v)) }
                    }
                }
                bandInfo.append(BandInfo(first: Int32(bandStart.count), count: Int32(bands), minY: b.minY, height: height))
                for l in lists { bandStart.append(Int32(bandEdges.count)); bandEdges += l }
                bandStart.append(Int32(bandEdges.count))
                // bandStart holds bands+1 offsets per polygon: [first ... first+bands]
            } else {
                bandInfo.append(BandInfo(first: -1, count: 0, minY: 0, height: 0))
            }
        }
        self.coords = coords
        self.ringStart = ringStart
        self.polygonRing = polygonRing
        self.bandInfo = bandInfo
        self.bandStart = bandStart
        self.bandEdges = bandEdges
        self.polygonPart = polygonPart
        self.partRing = partRing
        self.isMulti = multi ?? polygons.map { $0.count > 1 }
        tree = builder.finish(nodeSize: nodeSize)
        buckets = Self.makeBuckets(boxes)
    }

    /// About one bucket per polygon, shaped like the extent (at most 2^20).
    static func makeBuckets(_ boxes: [BoundingBox]) -> Buckets {
        var extent = BoundingBox.empty
        for b in boxes { extent.extend(b) }
        var g = Buckets()
        guard !extent.isEmpty else { return g }
        let w = max(extent.maxX - extent.minX, 1e-12), h = max(extent.maxY - extent.minY, 1e-12)
        let cells = Double(min(max(boxes.count, 1), 1 << 20))
        g.nx = max(1, Int((cells * w / h).squareRoot()))
        g.ny = max(1, Int(cells / Double(g.nx)))
        g.minX = extent.minX; g.minY = extent.minY; g.maxX = extent.maxX; g.maxY = extent.maxY
        g.cellW = w / Double(g.nx); g.cellH = h / Double(g.ny)
        var counts = [Int32](repeating: 0, count: g.nx * g.ny + 1)
        func range(_ b: BoundingBox) -> (Int, Int, Int, Int) {
            let lo = g.cell(b.minX, b.minY), hi = g.cell(b.maxX, b.maxY)
            return (lo % g.nx, lo / g.nx, hi % g.nx, hi / g.nx)
        }
        for b in boxes where !b.isEmpty {
            let (i0, j0, i1, j1) = range(b)
            for j in j0...j1 { for i in i0...i1 { counts[j * g.nx + i + 1] += 1 } }
        }
        for k in 1..<counts.count { counts[k] += counts[k - 1] }
        var fill = counts
        var items = [Int32](repeating: 0, count: Int(counts.last!))
        // Ascending ids per bucket: the first owner found is the lowest id.
        for (p, b) in boxes.enumerated() where !b.isEmpty {
            let (i0, j0, i1, j1) = range(b)
            for j in j0...j1 { for i in i0...i1 { let c = j * g.nx + i; items[Int(fill[c])] = Int32(p); fill[c] += 1 } }
        }
        g.start = counts
        g.items = items
        return g
    }

    /// Whether polygon `p` owns (x, y) under the boundary rule.
    public func contains(_ p: Int, x: Double, y: Double) -> Bool {
        var inside = false
        let info = bandInfo[p]
        return coords.withUnsafeBufferPointer { c in
            @inline(__always) func crosses(_ v: Int) -> Bool {
                var ax = c[2 * v], ay = c[2 * v + 1], bx = c[2 * v + 2], by = c[2 * v + 3]
                guard (ay > y) != (by > y) else { return false }
                // Canonical order, so the shared edge of two neighbours yields the same intercept.
                if ay > by || (ay == by && ax > bx) { swap(&ax, &bx); swap(&ay, &by) }
                return x < ax + (y - ay) * (bx - ax) / (by - ay)
            }
            if info.first >= 0 {
                // Range test in Double before any Int conversion (the query point is input).
                guard y >= info.minY, y <= info.minY + info.height * Double(info.count) else { return false }
                let b = Self.clampedIndex((y - info.minY) / info.height, Int(info.count))
                let s = Int(bandStart[Int(info.first) + b]), e = Int(bandStart[Int(info.first) + b + 1])
                for i in s..<e where crosses(Int(bandEdges[i])) { inside.toggle() }
                return inside
            }
            for r in Int(polygonRing[p])..<Int(polygonRing[p + 1]) {
                for v in Int(ringStart[r])..<(Int(ringStart[r + 1]) - 1) where crosses(v) { inside.toggle() }
            }
            return inside
        }
    }

    /// The polygon owning (x, y), or nil. If polygons overlap (not a
    /// partition), the lowest id among the owners wins, deterministically.
    public func locate(x: Double, y: Double) -> Int32? {
        let g = buckets
        guard g.nx > 0 else { return nil }
        // Outside the extent nothing owns the point.
        guard x >= g.minX, y >= g.minY, x <= g.maxX, y <= g.maxY else { return nil }
        let c = g.cell(x, y)
        for k in Int(g.start[c])..<Int(g.start[c + 1]) {
            let p = Int(g.items[k])
            if contains(p, x: x, y: y) { return Int32(p) }
        }
        return nil
    }
}

extension PolygonIndex {
    /// Polygon p rebuilt as a geometry (Polygon or MultiPolygon as stored).
    public func geometry(_ p: Int) -> Geometry {
        var parts: [[[Coordinate]]] = []
        let firstPart = Int(polygonPart[p]), endPart = Int(polygonPart[p + 1])
        for q in firstPart..<endPart {
            let r0 = Int(partRing[q])
            let r1 = q + 1 < endPart ? Int(partRing[q + 1]) : Int(polygonRing[p + 1])
            var rings: [[Coordinate]] = []
            for r in r0..<r1 {
                var cs: [Coordinate] = []
                for v in Int(ringStart[r])..<Int(ringStart[r + 1]) { cs.append(Coordinate(coords[2 * v], coords[2 * v + 1])) }
                rings.append(cs)
            }
            parts.append(rings)
        }
        return isMulti[p] ? .multiPolygon(parts) : .polygon(parts.first ?? [])
    }

    /// Great-circle h from (lon, lat) to polygon p: 0 inside, else to the nearest edge.
    public func h(_ p: Int, lon: Double, lat: Double) -> Double {
        if contains(p, x: lon, y: lat) { return 0 }
        var best = Double.infinity
        for r in Int(polygonRing[p])..<Int(polygonRing[p + 1]) {
            best = min(best, LocalProjection.minH(lon: lon, lat: lat, coords: coords, vertices: Int(ringStart[r])..<Int(ringStart[r + 1])))
        }
        return best
    }
}


extension PolygonIndex {
    public var vertexCount: Int { coords.count / 2 }
}

extension PolygonIndex {
    /// Owners of many points (flat x, y pairs), in input order: the bulk form of `locate`.
    public func locateAll(_ xy: [Double]) -> [Int32?] {
        (0..<(xy.count / 2)).map { locate(x: xy[2 * $0], y: xy[2 * $0 + 1]) }
    }
}

extension PolygonIndex {
    /// Calls `body(part, ringInPart, vertices)` for every ring of polygon p,
    /// vertices as flat x,y pairs of the closed ring, read in place (no copy).
    public func forEachRing(_ p: Int, _ body: (Int, Int, UnsafeBufferPointer<Double>) -> Void) {
        coords.withUnsafeBufferPointer { all in
            let firstPart = Int(polygonPart[p]), endPart = Int(polygonPart[p + 1])
            for q in firstPart..<endPart {
                let r0 = Int(partRing[q])
                let r1 = q + 1 < endPart ? Int(partRing[q + 1]) : Int(polygonRing[p + 1])
                for r in r0..<r1 {
                    let a = 2 * Int(ringStart[r]), b = 2 * Int(ringStart[r + 1])
                    body(q - firstPart, r - r0, UnsafeBufferPointer(rebasing: all[a..<b]))
                }
            }
        }
    }
}
