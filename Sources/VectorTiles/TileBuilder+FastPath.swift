import Geo

/// Allocation-light paths for layers that hand out flat coordinates
/// (`tileForEachRing`, `tileForEachLine`): rings and lines are projected,
/// simplified, clipped and rounded through scratch buffers the builder
/// keeps from feature to feature. Anything unusual (a polygon whose
/// rounding breaks validity) falls back to the general path and its GEOS repair.
extension TileBuilder {
    /// Scratch space reused across features; a class so closures can fill it in place.
    final class Scratch {
        var projected: [Double] = []
        var flat: [Int32] = []
        /// A layer's features in the tile's box, sorted (see `buildLayer`).
        var candidates: [Int] = []
        var starts: [Int] = []
        var exterior: [Bool] = []
        var segments: [RingValidity.Segment] = []
        var active: [RingValidity.Segment] = []
    }

    /// Rounds flat x,y pairs onto `s.flat`, skipping repeated points; returns the vertex count written.
    @inline(__always)
    static func appendRounded(_ xy: [Double], dropClosing: Bool, to s: Scratch) -> Int {
        let start = s.flat.count
        var i = 0
        while i + 1 < xy.count {
            let x = Int32(xy[i].rounded()), y = Int32(xy[i + 1].rounded())
            i += 2
            let n = s.flat.count
            if n - start >= 2 && s.flat[n - 2] == x && s.flat[n - 1] == y { continue }
            s.flat.append(x); s.flat.append(y)
        }
        if dropClosing {
            while s.flat.count - start >= 4 && s.flat[start] == s.flat[s.flat.count - 2] && s.flat[start + 1] == s.flat[s.flat.count - 1] {
                s.flat.removeLast(2)
            }
        }
        return (s.flat.count - start) / 2
    }

    /// Returns false when the feature must take the general path.
    func fastPolygon(_ i: Int, _ source: any TileFeatureSource, _ table: TilePropertyTable?, _ config: TileLayerConfig,
                     _ t: TileTransform, _ clipper: TileClipper, _ tolerance: Double, _ out: inout MVTLayerBuilder) -> Bool {
        let s = scratch
        s.flat.removeAll(keepingCapacity: true); s.starts.removeAll(keepingCapacity: true); s.exterior.removeAll(keepingCapacity: true)
        var minX = Double.infinity, minY = Double.infinity, maxX = -Double.infinity, maxY = -Double.infinity
        var partDropped = false
        let supported = source.tileForEachRing(i) { _, k, ring in
            if k == 0 { partDropped = false } else if partDropped { return }
            s.projected.removeAll(keepingCapacity: true)
            var n = ring.count / 2
            if n >= 2 && ring[0] == ring[2 * n - 2] && ring[1] == ring[2 * n - 1] { n -= 1 }
            for v in 0..<n {
                let x = t.x(ring[2 * v]), y = t.y(ring[2 * v + 1])
                s.projected.append(x); s.projected.append(y)
                if k == 0 { minX = min(minX, x); maxX = max(maxX, x); minY = min(minY, y); maxY = max(maxY, y) }
            }
            let clipped = clipper.clipRing(Simplifier.simplifyRing(s.projected, tolerance: tolerance))
            guard !clipped.isEmpty else { if k == 0 { partDropped = true }; return }
            let start = s.flat.count
            let count = Self.appendRounded(clipped, dropClosing: true, to: s)
            if count < 3 || MVTLayerBuilder.signedArea2(s.flat, from: start, to: s.flat.count) == 0 {
                s.flat.removeSubrange(start...)
                if k == 0 { partDropped = true }
                return
            }
            s.starts.append(start); s.exterior.append(k == 0)
        }
        guard supported else { return false }
        guard minX.isFinite else { return true }
        if maxX - minX < 1 && maxY - minY < 1 { return false }  // sub-unit: the general path applies the policy
        guard !s.starts.isEmpty else { return true }
        // One triangle is always simple; one quadrilateral is simple unless its
        // opposite sides cross (a bow-tie). Footprints are mostly these.
        let single = s.starts.count == 1
        let simple = single && (s.flat.count == 6 || (s.flat.count == 8 && RingValidity.isSimpleQuadrilateral(s.flat)))
        if !simple && !RingValidity.isValid(flat: s.flat, starts: s.starts, segments: &s.segments, active: &s.active) { return false }
        writeProperties(i, source, table, config, &out)
        out.addRings(id: source.tileFeatureID(i), flat: s.flat, starts: s.starts, exterior: s.exterior)
        return true
    }

    func fastLines(_ i: Int, _ source: any TileFeatureSource, _ table: TilePropertyTable?, _ config: TileLayerConfig,
                   _ t: TileTransform, _ clipper: TileClipper, _ tolerance: Double, _ out: inout MVTLayerBuilder) -> Bool {
        let s = scratch
        s.flat.removeAll(keepingCapacity: true); s.starts.removeAll(keepingCapacity: true)
        let supported = source.tileForEachLine(i) { line in
            s.projected.removeAll(keepingCapacity: true)
            var v = 0
            while v + 1 < line.count { s.projected.append(t.x(line[v])); s.projected.append(t.y(line[v + 1])); v += 2 }
            for piece in clipper.clipLine(Simplifier.simplify(s.projected, tolerance: tolerance)) {
                let start = s.flat.count
                if Self.appendRounded(piece, dropClosing: false, to: s) < 2 { s.flat.removeSubrange(start...) } else { s.starts.append(start) }
            }
        }
        guard supported else { return false }
        guard !s.starts.isEmpty else { return true }
        writeProperties(i, source, table, config, &out)
        out.addLineRuns(id: source.tileFeatureID(i), flat: s.flat, starts: s.starts)
        return true
    }
}
