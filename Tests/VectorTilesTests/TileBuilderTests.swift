import Foundation
import Geo
import GeometryOps
import Testing
@testable import VectorTiles

/// A brute-force feature source: every feature whose box meets the query.
struct ArraySource: TileFeatureSource {
    let kind: TileGeometryKind
    let geometries: [Geometry]
    let props: [JSONObject]
    var tileGeometryKind: TileGeometryKind { kind }
    func forEachFeature(in box: BoundingBox, _ visit: (Int) -> Void) {
        for (i, g) in geometries.enumerated() where g.boundingBox.intersects(box) { visit(i) }
    }
    func tileFeatureID(_ i: Int) -> UInt64 { UInt64(i + 1) }
    func tilePoint(_ i: Int) -> Coordinate? { if kind == .point, case .point(let c) = geometries[i] { return c }; return nil }
    func tileGeometry(_ i: Int) -> Geometry { geometries[i] }
    func tileProperties(_ i: Int) -> JSONObject { props[i] }
}

@Suite struct TileBuilderTests {
    /// A concave (comb-shaped) polygon with a hole, ~2 km across near Chengdu.
    static let comb: Geometry = {
        var ring: [Coordinate] = [Coordinate(104.05, 30.64)]
        for k in 0..<6 {
            let x = 104.05 + Double(k) * 0.004
            ring += [Coordinate(x, 30.66), Coordinate(x + 0.002, 30.66), Coordinate(x + 0.002, 30.645), Coordinate(x + 0.004, 30.645)]
        }
        ring += [Coordinate(104.074, 30.64), Coordinate(104.05, 30.64)]
        // ring is clockwise in lon/lat; GeoJSON order does not matter to the builder.
        let hole = [Coordinate(104.052, 30.641), Coordinate(104.056, 30.641), Coordinate(104.056, 30.643), Coordinate(104.052, 30.643), Coordinate(104.052, 30.641)]
        return .polygon([ring, hole])
    }()

    static func layer(_ g: [Geometry], _ kind: TileGeometryKind, config: TileLayerConfig = TileLayerConfig(minzoom: 0, maxzoom: 22)) -> TileLayerInput {
        TileLayerInput(name: "l", source: ArraySource(kind: kind, geometries: g, props: g.indices.map { JSONObject([("n", .number(Double($0)))]) }), config: config)
    }

    static func polygons(_ bytes: [UInt8]) throws -> [[[MVTGeometry.Point]]] {
        guard !bytes.isEmpty else { return [] }
        let tile = try MVTTile(decoding: bytes)
        #expect(tile.validationIssues().isEmpty, "\(tile.validationIssues().map(\.message))")
        var out: [[[MVTGeometry.Point]]] = []
        for f in try tile.layers[0].decodedFeatures().features { if case .polygons(let p) = f.geometry { out += p } }
        return out
    }

    static func geometry(_ p: [[MVTGeometry.Point]]) -> Geometry {
        .polygon(p.map { r in (r + [r[0]]).map { Coordinate(Double($0.x), Double($0.y)) } })
    }

    /// Every clipped part is valid (GEOS), and the parts inside each tile's
    /// own square add up to the polygon's area at that zoom (shoelace in
    /// world tile units), within the simplification tolerance.
    @Test(arguments: [13, 14, 15, 16])
    func clippedPartsAreValidAndAddUpToTheArea(z: Int) throws {
        let geos = GEOSContext()
        let builder = TileBuilder()
        let input = Self.layer([Self.comb], .polygon, config: TileLayerConfig(minzoom: 0, maxzoom: 22, simplify: 0))
        let r = WebMercator.tileRange(Self.comb.boundingBox, z: z)
        var sum = 0.0, tiles = 0
        for x in r.minX...r.maxX {
            for y in r.minY...r.maxY {
                let tile = builder.build(TileID(z: z, x: x, y: y), layers: [input])
                for p in try Self.polygons(tile.bytes) {
                    let g = Self.geometry(p)
                    let reason = try geos.invalidityReason(g)
                    #expect(reason == nil, "z\(z) \(x)/\(y): \(reason ?? "")")
                    let square = Geometry.polygon([[Coordinate(0, 0), Coordinate(4096, 0), Coordinate(4096, 4096), Coordinate(0, 4096), Coordinate(0, 0)]])
                    sum += try geos.intersectionArea(g, square)
                }
                tiles += 1
            }
        }
        // Exact area in this zoom's tile units.
        let t = TileTransform(tile: TileID(z: z, x: 0, y: 0))
        guard case .polygon(let rings) = Self.comb else { return }
        var expected = 0.0
        for (k, ring) in rings.enumerated() {
            let xy = t.project(ring)
            var a = 0.0
            for i in stride(from: 0, to: xy.count - 2, by: 2) { a += xy[i] * xy[i + 3] - xy[i + 2] * xy[i + 1] }
            expected += (k == 0 ? 1 : -1) * abs(a / 2)
        }
        #expect(tiles > 1)
        // Rounding moves each boundary vertex by ≤ 0.5 unit: allow 1 unit × perimeter.
        let perimeterUnits = 60.0 * 0.002 * 4096 * Double(1 << z) / 360 * 2
        #expect(abs(sum - expected) <= max(perimeterUnits, expected * 1e-3), "z\(z): parts \(sum) vs polygon \(expected)")
    }

    @Test func roundingThatBreaksAPolygonIsRepairedByGEOS() throws {
        // A bow-tie after rounding: two spikes crossing within a unit.
        let t = TileTransform(tile: TileID(z: 14, x: 12929, y: 6724))
        func c(_ x: Double, _ y: Double) -> Coordinate { t.lonLat(x: x, y: y) }
        let g = Geometry.polygon([[c(100, 100), c(300, 100.4), c(300.2, 100.6), c(300, 300), c(100, 300), c(100, 100)]])
        let builder = TileBuilder()
        let tile = builder.build(t.tile, layers: [Self.layer([g, Self.comb], .polygon, config: TileLayerConfig(minzoom: 0, maxzoom: 22, simplify: 0))])
        let geos = GEOSContext()
        for p in try Self.polygons(tile.bytes) { #expect(try geos.invalidityReason(Self.geometry(p)) == nil) }
    }

    @Test func tinyPolygonsAreDroppedOrKeptAsDots() throws {
        let t = TileTransform(tile: TileID(z: 12, x: 3232, y: 1681))
        let a = t.lonLat(x: 1000.1, y: 1000.1), b = t.lonLat(x: 1000.4, y: 1000.4)
        let tiny = Geometry.polygon([[Coordinate(a.x, a.y), Coordinate(b.x, a.y), Coordinate(b.x, b.y), Coordinate(a.x, b.y), Coordinate(a.x, a.y)]])
        let builder = TileBuilder()
        var config = TileLayerConfig(minzoom: 0, maxzoom: 22)
        #expect(builder.build(t.tile, layers: [Self.layer([tiny], .polygon, config: config)]).isEmpty)
        config.tinyPolygons = .dot
        let ps = try Self.polygons(builder.build(t.tile, layers: [Self.layer([tiny], .polygon, config: config)]).bytes)
        #expect(ps.count == 1 && abs(MVTGeometry.signedArea(ps[0][0])) == 1)
    }

    @Test func linesAreClippedToTheBufferedTile() throws {
        let t = TileTransform(tile: TileID(z: 15, x: 25859, y: 13448))
        let line = Geometry.lineString([t.lonLat(x: -2000, y: 2000), t.lonLat(x: 6000, y: 2000)])
        let tile = TileBuilder().build(t.tile, layers: [Self.layer([line], .line)])
        let f = try MVTTile(decoding: tile.bytes).layers[0].decodedFeatures().features[0]
        guard case .lines(let l) = f.geometry else { Issue.record("no line"); return }
        #expect(l.count == 1)
        #expect(l[0].first!.x == -64 && l[0].last!.x == 4160)
        #expect(l[0].allSatisfy { abs($0.y - 2000) <= 1 })
    }

    /// Clusters: counts add up to the points in the tile, the same cell
    /// keeps its id and count in the neighbouring tile's buffer, and a
    /// dense layer stays small.
    @Test func pointsClusterWithCountsBelowTheClusterZoom() throws {
        var rng = SystemRandomNumberGenerator()
        var pts: [Geometry] = []
        for _ in 0..<20_000 { pts.append(.point(Coordinate(104.05 + Double.random(in: 0..<0.1, using: &rng), 30.62 + Double.random(in: 0..<0.1, using: &rng)))) }
        let config = TileLayerConfig(minzoom: 0, maxzoom: 22, clusterBelowZoom: 15, clusterCell: 64)
        let input = Self.layer(pts, .point, config: config)
        let z = 12
        let r = WebMercator.tileRange(BoundingBox(minX: 104.05, minY: 30.62, maxX: 104.15, maxY: 30.72), z: z)
        var total = 0
        for x in r.minX...r.maxX {
            for y in r.minY...r.maxY {
                let tile = TileBuilder().build(TileID(z: z, x: x, y: y), layers: [input])
                guard !tile.isEmpty else { continue }
                #expect(tile.bytes.count < 200_000)
                for f in try MVTTile(decoding: tile.bytes).layers[0].decodedFeatures().features {
                    guard case .points(let p) = f.geometry, let count = f.properties.first(where: { $0.key == "count" })?.value else { continue }
                    // Count only the clusters inside this tile's own square.
                    guard p[0].x >= 0, p[0].x < 4096, p[0].y >= 0, p[0].y < 4096 else { continue }
                    if case .uint(let n) = count { total += Int(n) }
                }
            }
        }
        #expect(total == 20_000)
        // Above the cluster zoom every point is its own feature with its own id.
        let high = TileBuilder().build(TileID(z: 16, x: 51718, y: 26897), layers: [input])
        if !high.isEmpty {
            let fs = try MVTTile(decoding: high.bytes).layers[0].features
            #expect(Set(fs.compactMap(\.id)).count == fs.count)
            #expect(fs.allSatisfy { ($0.id ?? 0) <= 20_000 })
        }
    }

    @Test func featureCapTruncatesTheTile() throws {
        let pts: [Geometry] = (0..<500).map { .point(Coordinate(104.1 + Double($0) * 1e-6, 30.67)) }
        var config = TileLayerConfig(minzoom: 0, maxzoom: 22)
        config.maxFeatures = 100
        let tile = TileBuilder().build(TileID(z: 14, x: 12929, y: 6724), layers: [Self.layer(pts, .point, config: config)])
        #expect(tile.truncated)
        #expect(try MVTTile(decoding: tile.bytes).layers[0].features.count == 100)
    }

    /// Features are written in store order whatever order the index visits
    /// them in (neighbours in the store compress better together), and a
    /// feature cap keeps the first ones in that order.
    @Test func featuresAreWrittenInStoreOrder() throws {
        struct Shuffled: TileFeatureSource {
            let inner: ArraySource
            let visit: [Int]
            var tileGeometryKind: TileGeometryKind { inner.kind }
            func forEachFeature(in box: BoundingBox, _ body: (Int) -> Void) {
                for i in visit where inner.geometries[i].boundingBox.intersects(box) { body(i) }
            }
            func tileFeatureID(_ i: Int) -> UInt64 { inner.tileFeatureID(i) }
            func tilePoint(_ i: Int) -> Coordinate? { inner.tilePoint(i) }
            func tileGeometry(_ i: Int) -> Geometry { inner.tileGeometry(i) }
            func tileProperties(_ i: Int) -> JSONObject { inner.tileProperties(i) }
        }
        let pts: [Geometry] = (0..<200).map { .point(Coordinate(104.1 + Double($0 % 20) * 1e-5, 30.67 + Double($0 / 20) * 1e-5)) }
        let inner = ArraySource(kind: .point, geometries: pts, props: pts.indices.map { JSONObject([("n", .number(Double($0 % 7)))]) })
        let source = Shuffled(inner: inner, visit: Array(pts.indices).shuffled())
        var config = TileLayerConfig(minzoom: 0, maxzoom: 22)
        let t = TileID(z: 14, x: 12929, y: 6724)
        let all = try MVTTile(decoding: TileBuilder().build(t, layers: [TileLayerInput(name: "l", source: source, config: config)]).bytes)
        #expect(all.layers[0].features.map(\.id) == (1...200).map { UInt64($0) })
        config.maxFeatures = 50
        let capped = try MVTTile(decoding: TileBuilder().build(t, layers: [TileLayerInput(name: "l", source: source, config: config)]).bytes)
        #expect(capped.layers[0].features.map(\.id) == (1...50).map { UInt64($0) })
        for f in try all.layers[0].decodedFeatures().features {
            #expect(f.properties.map(\.value) == [.uint(UInt64((Int(f.id!) - 1) % 7))])
        }
    }

    @Test func layersOutsideTheirZoomRangeAreOmitted() {
        let g: [Geometry] = [.point(Coordinate(104.1, 30.67))]
        let config = TileLayerConfig(minzoom: 14, maxzoom: 16)
        #expect(TileBuilder().build(TileID(z: 13, x: 6464, y: 3362), layers: [Self.layer(g, .point, config: config)]).isEmpty)
        #expect(!TileBuilder().build(TileID(z: 14, x: 12929, y: 6724), layers: [Self.layer(g, .point, config: config)]).isEmpty)
        #expect(TileBuilder().build(TileID(z: 17, x: 103437, y: 53795), layers: [Self.layer(g, .point, config: config)]).isEmpty)
    }
}
