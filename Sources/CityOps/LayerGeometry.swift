import Foundation
import Geo
import SpatialIndex

/// A layer's geometries in the form its queries need, each held once.
public enum LayerGeometry: Sendable {
    /// Points live in the leaves of a point R-tree; `slot[i]` is feature i's leaf.
    case points(tree: PackedRTree, slot: [Int32])
    /// Lines: flat vertices, a box tree for search.
    case lines(LineSet)
    /// (Multi)polygons: the polygon index holds rings and parts.
    case polygons(PolygonIndex)
    /// Mixed generic layers: geometries as values, a box tree for search.
    case mixed(tree: PackedRTree, geometries: [Geometry])

    public var memoryBytes: Int {
        switch self {
        case .points(let t, let s): t.memoryBytes + s.count * 4
        case .lines(let l): l.memoryBytes
        case .polygons(let p): p.memoryBytes
        case .mixed(let t, let g): t.memoryBytes + g.reduce(0) { $0 + $1.coordinateCount * 16 + 32 }
        }
    }

    public var tree: PackedRTree {
        switch self {
        case .points(let t, _): t
        case .lines(let l): l.tree
        case .polygons(let p): p.tree
        case .mixed(let t, _): t
        }
    }

    public func geometry(_ i: Int) -> Geometry {
        switch self {
        case .points(let t, let slot):
            let s = Int(slot[i])
            return .point(Coordinate(t.leaves[2 * s], t.leaves[2 * s + 1]))
        case .lines(let l): return l.geometry(i)
        case .polygons(let p): return p.geometry(i)
        case .mixed(_, let g): return g[i]
        }
    }
}

/// Polylines in flat arrays: vertices of line j are lineStart[j] ..< lineStart[j+1];
/// lines of feature i are featureLine[i] ..< featureLine[i+1].
public struct LineSet: Sendable {
    let coords: [Double]
    let lineStart: [Int32]
    let featureLine: [Int32]
    let multi: [Bool]
    public let tree: PackedRTree

    public var memoryBytes: Int { coords.count * 8 + lineStart.count * 4 + featureLine.count * 4 + multi.count + tree.memoryBytes }

    init(_ geometries: [Geometry]) {
        var coords: [Double] = [], lineStart: [Int32] = [0], featureLine: [Int32] = [0], multi: [Bool] = []
        var b = PackedRTreeBuilder(reserve: geometries.count)
        for (i, g) in geometries.enumerated() {
            let lines: [[Coordinate]]
            switch g {
            case .lineString(let l): lines = [l]; multi.append(false)
            case .multiLineString(let ls): lines = ls; multi.append(true)
            default: lines = []; multi.append(false)
            }
            var box = BoundingBox.empty
            for l in lines {
                for c in l { coords.append(c.x); coords.append(c.y); box.extend(c) }
                lineStart.append(Int32(coords.count / 2))
            }
            featureLine.append(Int32(lineStart.count - 1))
            if !box.isEmpty { b.add(id: Int32(i), minX: box.minX, minY: box.minY, maxX: box.maxX, maxY: box.maxY) }
        }
        self.coords = coords
        self.lineStart = lineStart
        self.featureLine = featureLine
        self.multi = multi
        tree = b.finish()
    }

    public func geometry(_ i: Int) -> Geometry {
        var lines: [[Coordinate]] = []
        for l in Int(featureLine[i])..<Int(featureLine[i + 1]) {
            var cs: [Coordinate] = []
            for v in Int(lineStart[l])..<Int(lineStart[l + 1]) { cs.append(Coordinate(coords[2 * v], coords[2 * v + 1])) }
            lines.append(cs)
        }
        return multi[i] ? .multiLineString(lines) : .lineString(lines.first ?? [])
    }

    /// Calls `body` with each line of feature i as flat x,y pairs, read in place.
    public func forEachLine(_ i: Int, _ body: (UnsafeBufferPointer<Double>) -> Void) {
        coords.withUnsafeBufferPointer { all in
            for l in Int(featureLine[i])..<Int(featureLine[i + 1]) {
                body(UnsafeBufferPointer(rebasing: all[(2 * Int(lineStart[l]))..<(2 * Int(lineStart[l + 1]))]))
            }
        }
    }

    /// Great-circle h from (lon, lat) to the nearest point of feature i's
    /// lines, with the segment's nearest point found in a local metric frame.
    public func h(_ i: Int, lon: Double, lat: Double) -> Double {
        var best = Double.infinity
        for l in Int(featureLine[i])..<Int(featureLine[i + 1]) {
            best = min(best, LocalProjection.minH(lon: lon, lat: lat, coords: coords, vertices: Int(lineStart[l])..<Int(lineStart[l + 1])))
        }
        return best
    }
}
