import Foundation
import Geo
import GeometryOps

/// One layer to put in a tile: its name, features and settings.
public struct TileLayerInput: Sendable {
    public let name: String
    public let source: any TileFeatureSource
    public let config: TileLayerConfig
    /// Pre-encoded properties (built once per layer version); nil reads `tileProperties` per feature.
    public let properties: TilePropertyTable?
    public init(name: String, source: any TileFeatureSource, config: TileLayerConfig, properties: TilePropertyTable? = nil) {
        self.name = name; self.source = source; self.config = config; self.properties = properties
    }
}

/// A built tile: MVT bytes (empty when no layer has a feature), features per layer, and whether a cap cut it short.
public struct BuiltTile: Sendable {
    public var bytes: [UInt8]
    public var featureCounts: [String: Int]
    public var truncated: Bool
    public var isEmpty: Bool { bytes.isEmpty }

    public init(bytes: [UInt8], featureCounts: [String: Int], truncated: Bool) {
        self.bytes = bytes; self.featureCounts = featureCounts; self.truncated = truncated
    }
}

/// Cuts tiles from in-memory layers: bbox query with a buffer, projection
/// to tile units, per-zoom simplification, clipping, rounding, orientation,
/// validity (with a GEOS snap-rounding repair when rounding breaks a
/// polygon), sub-pixel polygon policy, point clustering and caps.
/// Used by one thread at a time (it owns a GEOS context and scratch maps);
/// callers that share builders between tasks hand them over through a
/// lock (see `TileService`), which is what the unchecked Sendable allows.
public final class TileBuilder: @unchecked Sendable {
    public let settings: TileSettings
    lazy var geos = GEOSContext()
    /// Property index remaps per layer, reused from tile to tile.
    var remaps: [String: TilePropertyRemap] = [:]
    let scratch = Scratch()
    /// Polygons repaired through GEOS since this builder was made (for benchmarks and tests).
    public private(set) var repairedPolygons = 0

    public init(settings: TileSettings = TileSettings()) { self.settings = settings }

    public func build(_ tile: TileID, layers: [TileLayerInput]) -> BuiltTile {
        let shown = layers.filter { tile.z >= $0.config.minzoom && tile.z <= $0.config.maxzoom }
        if shown.contains(where: { $0.config.dropDensestAsNeeded && $0.config.thins(at: tile.z) }) {
            return buildThinnedAsNeeded(tile, layers: shown)
        }
        var out = ProtobufWriter(capacity: 16_384), counts: [String: Int] = [:], truncated = false
        for layer in shown {
            let r = buildLayer(layer, tile: tile, byteBudget: settings.maxTileBytes - out.bytes.count)
            truncated = truncated || r.truncated
            if r.builder.finish(into: &out) { counts[layer.name] = r.count }
        }
        return BuiltTile(bytes: out.bytes, featureCounts: counts, truncated: truncated)
    }

    /// A tile with layers thinned as needed: the other layers are cut first, and the
    /// thinned ones, in order, share what they leave of `maxThinnedTileBytes`, so the
    /// whole tile fits it unless the other layers alone do not. Layers keep request order.
    func buildThinnedAsNeeded(_ tile: TileID, layers: [TileLayerInput]) -> BuiltTile {
        var encoded = [[UInt8]](repeating: [], count: layers.count), counts: [String: Int] = [:], truncated = false
        var used = 0
        let cap = min(settings.maxTileBytes, settings.maxThinnedTileBytes)
        for pass in 0..<2 {
            for (k, layer) in layers.enumerated() where (layer.config.dropDensestAsNeeded && layer.config.thins(at: tile.z)) == (pass == 1) {
                let r = buildLayer(layer, tile: tile, byteBudget: (pass == 1 ? cap : settings.maxTileBytes) - used)
                truncated = truncated || r.truncated
                var w = ProtobufWriter(capacity: 1024)
                if r.builder.finish(into: &w) {
                    counts[layer.name] = r.count
                    encoded[k] = w.bytes
                    used += w.bytes.count
                }
            }
        }
        // A tile is its layers' fields one after another.
        return BuiltTile(bytes: Array(encoded.joined()), featureCounts: counts, truncated: truncated)
    }

    func buildLayer(_ layer: TileLayerInput, tile: TileID, byteBudget: Int) -> (builder: MVTLayerBuilder, count: Int, truncated: Bool) {
        let config = layer.config
        let buffer = Double(config.buffer ?? settings.buffer)
        let transform = TileTransform(tile: tile, extent: settings.extent)
        let clipper = TileClipper(lo: -buffer, hi: transform.extent + buffer)
        var out = MVTLayerBuilder(name: layer.name, extent: UInt32(settings.extent))
        // The remap moves in for this tile and back out afterwards (no copy).
        out.remap = remaps.removeValue(forKey: layer.name) ?? TilePropertyRemap()
        out.remap.nextTile()
        defer { remaps[layer.name] = out.remap }
        let source = layer.source
        let table = layer.properties
        if source.tileGeometryKind == .point, let below = config.clusterBelowZoom, tile.z < below {
            return cluster(source, table, config: config, transform: transform, clipper: clipper, into: &out, budget: byteBudget)
        }
        if config.thins(at: tile.z) {
            return thinned(layer, tile: tile, transform: transform, clipper: clipper, buffer: buffer, into: &out, budget: byteBudget)
        }
        // Features in store order, not the index's: neighbours in the store
        // (one street's houses, one survey's pipes) share values and shapes,
        // which gzip rewards (about 1% smaller tiles than index order).
        let s = scratch
        s.candidates.removeAll(keepingCapacity: true)
        source.forEachFeature(in: transform.bounds(buffer: buffer)) { s.candidates.append($0) }
        s.candidates.sort()
        var truncated = false
        for i in s.candidates {
            if out.featureCount >= config.maxFeatures || out.approximateSize > byteBudget { truncated = true; break }
            addFeature(i, source, table, config, transform, clipper, &out)
        }
        return (out, out.featureCount, truncated)
    }

    /// Projects, simplifies, clips and writes feature i (nothing when none of it is left in the tile).
    func addFeature(_ i: Int, _ source: any TileFeatureSource, _ table: TilePropertyTable?, _ config: TileLayerConfig,
                    _ transform: TileTransform, _ clipper: TileClipper, _ out: inout MVTLayerBuilder) {
        let tolerance = config.simplify
        if let p = source.tilePoint(i) {
            let x = transform.x(p.x), y = transform.y(p.y)
            guard x >= clipper.lo, x <= clipper.hi, y >= clipper.lo, y <= clipper.hi else { return }
            writeProperties(i, source, table, config, &out)
            out.addPoints(id: source.tileFeatureID(i), [Int32(x.rounded()), Int32(y.rounded())])
            return
        }
        switch source.tileGeometryKind {
        case .polygon: if fastPolygon(i, source, table, config, transform, clipper, tolerance, &out) { return }
        case .line: if fastLines(i, source, table, config, transform, clipper, tolerance, &out) { return }
        default: break
        }
        switch source.tileGeometry(i) {
        case .point(let c):
            addPoints([c], i, source, table, config, transform, clipper, &out)
        case .multiPoint(let cs):
            addPoints(cs, i, source, table, config, transform, clipper, &out)
        case .lineString(let l):
            addLines([l], i, source, table, config, transform, clipper, tolerance, &out)
        case .multiLineString(let ls):
            addLines(ls, i, source, table, config, transform, clipper, tolerance, &out)
        case .polygon(let p):
            addPolygons([p], i, source, table, config, transform, clipper, tolerance, &out)
        case .multiPolygon(let ps):
            addPolygons(ps, i, source, table, config, transform, clipper, tolerance, &out)
        }
    }

    func writeProperties(_ i: Int, _ source: any TileFeatureSource, _ table: TilePropertyTable?, _ config: TileLayerConfig, _ out: inout MVTLayerBuilder) {
        if let table { out.properties(of: i, in: table); return }
        let props = source.tileProperties(i)
        if let keys = config.properties {
            for k in keys { if let v = props[k] { out.property(k, json: v) } }
        } else {
            for m in props.members { out.property(m.key, json: m.value) }
        }
    }

    func addPoints(_ cs: [Coordinate], _ i: Int, _ source: any TileFeatureSource, _ table: TilePropertyTable?, _ config: TileLayerConfig,
                   _ t: TileTransform, _ clipper: TileClipper, _ out: inout MVTLayerBuilder) {
        var xy: [Int32] = []
        var seen = Set<Int64>()
        for c in cs {
            let x = t.x(c.x), y = t.y(c.y)
            guard x >= clipper.lo, x <= clipper.hi, y >= clipper.lo, y <= clipper.hi else { continue }
            let ix = Int32(x.rounded()), iy = Int32(y.rounded())
            // A multipoint keeps each distinct rounded point once.
            guard seen.insert(Int64(ix) << 32 | Int64(UInt32(bitPattern: iy))).inserted else { continue }
            xy.append(ix); xy.append(iy)
        }
        guard !xy.isEmpty else { return }
        writeProperties(i, source, table, config, &out)
        out.addPoints(id: source.tileFeatureID(i), xy)
    }

    func addLines(_ lines: [[Coordinate]], _ i: Int, _ source: any TileFeatureSource, _ table: TilePropertyTable?, _ config: TileLayerConfig,
                  _ t: TileTransform, _ clipper: TileClipper, _ tolerance: Double, _ out: inout MVTLayerBuilder) {
        var parts: [[Int32]] = []
        for line in lines {
            let projected = Simplifier.simplify(t.project(line), tolerance: tolerance)
            for piece in clipper.clipLine(projected) { parts.append(piece.map { Int32($0.rounded()) }) }
        }
        guard !parts.isEmpty else { return }
        writeProperties(i, source, table, config, &out)
        out.addLines(id: source.tileFeatureID(i), parts)
    }

    func addPolygons(_ polygons: [[[Coordinate]]], _ i: Int, _ source: any TileFeatureSource, _ table: TilePropertyTable?, _ config: TileLayerConfig,
                     _ t: TileTransform, _ clipper: TileClipper, _ tolerance: Double, _ out: inout MVTLayerBuilder) {
        // Project; simplify each ring in this zoom's tile units (the same in
        // every tile of the zoom); clip; round.
        var clipped: [[[Double]]] = []
        var minX = Double.infinity, minY = Double.infinity, maxX = -Double.infinity, maxY = -Double.infinity
        for polygon in polygons {
            var rings: [[Double]] = []
            for (r, ring) in polygon.enumerated() {
                var xy = t.project(ring)
                if xy.count >= 4, xy[0] == xy[xy.count - 2], xy[1] == xy[xy.count - 1] { xy.removeLast(2) }
                if r == 0 {
                    var k = 0
                    while k + 1 < xy.count { minX = min(minX, xy[k]); maxX = max(maxX, xy[k]); minY = min(minY, xy[k + 1]); maxY = max(maxY, xy[k + 1]); k += 2 }
                }
                let c = clipper.clipRing(Simplifier.simplifyRing(xy, tolerance: tolerance))
                if c.isEmpty { if r == 0 { break } else { continue } }
                rings.append(c)
            }
            if !rings.isEmpty { clipped.append(rings) }
        }
        guard minX.isFinite else { return }
        if maxX - minX < 1 && maxY - minY < 1 {
            // Sub-pixel footprint: dropped, or a one-unit dot at its centre.
            guard config.tinyPolygons == .dot else { return }
            let cx = Int32(((minX + maxX) / 2).rounded(.down)), cy = Int32(((minY + maxY) / 2).rounded(.down))
            guard Double(cx) >= clipper.lo, Double(cx) + 1 <= clipper.hi, Double(cy) >= clipper.lo, Double(cy) + 1 <= clipper.hi else { return }
            writeProperties(i, source, table, config, &out)
            out.addPolygons(id: source.tileFeatureID(i), [[[cx, cy, cx + 1, cy, cx + 1, cy + 1, cx, cy + 1]]])
            return
        }
        guard !clipped.isEmpty else { return }
        var rounded: [[[Int32]]] = []
        var allRings: [[Int32]] = []
        for rings in clipped {
            var poly: [[Int32]] = []
            for (r, ring) in rings.enumerated() {
                let d = MVTLayerBuilder.dedupe(ring.map { Int32($0.rounded()) })
                guard d.count >= 6, MVTLayerBuilder.signedArea2(d) != 0 else { if r == 0 { break } else { continue } }
                poly.append(d)
            }
            if !poly.isEmpty { rounded.append(poly); allRings.append(contentsOf: poly) }
        }
        if rounded.isEmpty || !RingValidity.isValid(allRings) {
            rounded = repair(clipped)
        }
        guard !rounded.isEmpty else { return }
        writeProperties(i, source, table, config, &out)
        out.addPolygons(id: source.tileFeatureID(i), rounded)
    }

    /// GEOS path: make the clipped (unrounded) polygons valid and snap-round
    /// them to the integer grid; orientation is fixed by the layer builder.
    func repair(_ clipped: [[[Double]]]) -> [[[Int32]]] {
        repairedPolygons += 1
        let polys: [[[Coordinate]]] = clipped.map { rings in
            rings.map { ring in
                var cs: [Coordinate] = []
                var k = 0
                while k + 1 < ring.count { cs.append(Coordinate(ring[k], ring[k + 1])); k += 2 }
                if let f = cs.first { cs.append(f) }
                return cs
            }
        }.filter { ($0.first?.count ?? 0) >= 4 }
        guard !polys.isEmpty else { return [] }
        guard let parts = try? geos.validOnGrid(.multiPolygon(polys), gridSize: 1) else { return [] }
        var out: [[[Int32]]] = []
        func add(_ p: [[Coordinate]]) {
            var rings: [[Int32]] = []
            for (r, ring) in p.enumerated() {
                var flat: [Int32] = []
                for c in ring { flat.append(Int32(c.x.rounded())); flat.append(Int32(c.y.rounded())) }
                let d = MVTLayerBuilder.dedupe(flat)
                guard d.count >= 6, MVTLayerBuilder.signedArea2(d) != 0 else { if r == 0 { return } else { continue } }
                rings.append(d)
            }
            if !rings.isEmpty { out.append(rings) }
        }
        for part in parts {
            switch part {
            case .polygon(let p): add(p)
            case .multiPolygon(let ps): ps.forEach(add)
            default: break
            }
        }
        return out
    }

    /// Point clustering on a grid of `clusterCell` tile units aligned to the
    /// world, so a cell's count and id are the same in every tile showing it.
    func cluster(_ source: any TileFeatureSource, _ table: TilePropertyTable?, config: TileLayerConfig, transform: TileTransform, clipper: TileClipper,
                 into out: inout MVTLayerBuilder, budget: Int) -> (builder: MVTLayerBuilder, count: Int, truncated: Bool) {
        let cell = Double(config.clusterCell)
        let lo = (clipper.lo / cell).rounded(.down) * cell, hi = (clipper.hi / cell).rounded(.up) * cell
        let nw = transform.lonLat(x: lo, y: lo), se = transform.lonLat(x: hi, y: hi)
        struct Cell { var sx = 0.0, sy = 0.0, n = 0, first = 0 }
        var cells: [Int64: Cell] = [:]
        let span = Int64((hi - lo) / cell) + 1
        source.forEachFeature(in: BoundingBox(minX: nw.x, minY: se.y, maxX: se.x, maxY: nw.y)) { i in
            guard let p = source.tilePoint(i) else { return }
            let x = transform.x(p.x), y = transform.y(p.y)
            guard x >= lo, x < hi, y >= lo, y < hi else { return }
            let key = Int64(((y - lo) / cell).rounded(.down)) * span + Int64(((x - lo) / cell).rounded(.down))
            cells[key, default: Cell(first: i)].sx += x
            cells[key]!.sy += y
            cells[key]!.n += 1
        }
        let perSide = Int64(settings.extent / config.clusterCell)
        let baseX = Int64(transform.tile.x) * perSide + Int64(lo / cell), baseY = Int64(transform.tile.y) * perSide + Int64(lo / cell)
        var truncated = false
        for key in cells.keys.sorted() {
            let c = cells[key]!
            let x = (c.sx / Double(c.n)).rounded(), y = (c.sy / Double(c.n)).rounded()
            guard x >= clipper.lo, x <= clipper.hi, y >= clipper.lo, y <= clipper.hi else { continue }
            if out.featureCount >= config.maxFeatures || out.approximateSize > budget { truncated = true; break }
            if c.n == 1 {
                writeProperties(c.first, source, table, config, &out)
                out.property("count", .uint(1))
                out.addPoints(id: source.tileFeatureID(c.first), [Int32(x), Int32(y)])
            } else {
                let gx = UInt64(baseX + key % span) & 0x0FFF_FFFF, gy = UInt64(baseY + key / span) & 0x0FFF_FFFF
                out.property("count", .uint(UInt64(c.n)))
                out.property("cluster", .bool(true))
                out.addPoints(id: 1 << 62 | UInt64(transform.tile.z) << 56 | gy << 28 | gx, [Int32(x), Int32(y)])
            }
        }
        return (out, out.featureCount, truncated)
    }
}
