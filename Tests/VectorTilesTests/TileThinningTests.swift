import Foundation
import Geo
import Testing
@testable import VectorTiles

/// The same features as `ArraySource`, visited in reverse (as another index would).
struct ReversedSource: TileFeatureSource {
    let inner: ArraySource
    var tileGeometryKind: TileGeometryKind { inner.kind }
    func forEachFeature(in box: BoundingBox, _ visit: (Int) -> Void) {
        var hits: [Int] = []
        inner.forEachFeature(in: box) { hits.append($0) }
        hits.reversed().forEach(visit)
    }
    func tileFeatureID(_ i: Int) -> UInt64 { inner.tileFeatureID(i) }
    func tilePoint(_ i: Int) -> Coordinate? { inner.tilePoint(i) }
    func tileGeometry(_ i: Int) -> Geometry { inner.tileGeometry(i) }
    func tileProperties(_ i: Int) -> JSONObject { inner.tileProperties(i) }
}

/// Thinning below a base zoom (tippecanoe's drop-densest): deterministic,
/// under the byte cap, spread like the full data, and no change from the base zoom on.
@Suite struct TileThinningTests {
    /// The z10 tile holding Chengdu's centre.
    static let tile = TileID(z: 10, x: 808, y: 420)

    /// Seeded: a dense core of `dense` points in 1/50 of the tile's width, `sparse` over the whole tile.
    static func points(dense: Int, sparse: Int) -> [Geometry] {
        let t = TileTransform(tile: tile)
        let nw = t.lonLat(x: 0, y: 0), se = t.lonLat(x: 4096, y: 4096)
        var state: UInt64 = 42
        func next() -> Double {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return Double(state >> 11) / Double(1 << 53)
        }
        let w = se.x - nw.x, h = nw.y - se.y
        var out: [Geometry] = []
        for _ in 0..<dense { out.append(.point(Coordinate(nw.x + w * (0.4 + next() * 0.02), se.y + h * (0.4 + next() * 0.02)))) }
        for _ in 0..<sparse { out.append(.point(Coordinate(nw.x + w * next(), se.y + h * next()))) }
        return out
    }

    /// Squares of about 4 m (sub-unit at z10) at the points.
    static func footprints(_ points: [Geometry]) -> [Geometry] {
        points.map { g in
            guard case .point(let c) = g else { return g }
            let d = 0.00002
            return .polygon([[c, Coordinate(c.x + d, c.y), Coordinate(c.x + d, c.y + d), Coordinate(c.x, c.y + d), c]])
        }
    }

    static func input(_ g: [Geometry], _ kind: TileGeometryKind, _ config: TileLayerConfig, reversed: Bool = false) -> TileLayerInput {
        let source = ArraySource(kind: kind, geometries: g, props: g.indices.map { JSONObject([("n", .number(Double($0 % 7)))]) })
        return TileLayerInput(name: "l", source: reversed ? ReversedSource(inner: source) : source, config: config)
    }

    static func thinning(base: Int = 14, spacing: Int = 16, asNeeded: Bool = true, tiny: TileLayerConfig.TinyPolygons = .drop) -> TileLayerConfig {
        TileLayerConfig(minzoom: 0, maxzoom: 22, tinyPolygons: tiny, baseZoom: base, dropSpacing: spacing, dropDensestAsNeeded: asNeeded)
    }

    /// Occupied cells of a 16×16 grid over the tile (256 units each).
    static func occupancy(_ bytes: [UInt8]) throws -> Set<Int> {
        guard !bytes.isEmpty else { return [] }
        var cells = Set<Int>()
        for f in try MVTTile(decoding: bytes).layers[0].decodedFeatures().features {
            var pts: [MVTGeometry.Point] = []
            switch f.geometry {
            case .points(let p): pts = p
            case .polygons(let ps): pts = ps.flatMap { $0.flatMap { $0 } }
            default: break
            }
            for p in pts where p.x >= 0 && p.x < 4096 && p.y >= 0 && p.y < 4096 { cells.insert(Int(p.y / 256) * 16 + Int(p.x / 256)) }
        }
        return cells
    }

    static func ids(_ bytes: [UInt8]) throws -> Set<UInt64> {
        guard !bytes.isEmpty else { return [] }
        return Set(try MVTTile(decoding: bytes).layers[0].features.compactMap(\.id))
    }

    @Test func fromTheBaseZoomOnTilesAreByteIdentical() throws {
        let g = Self.points(dense: 3000, sparse: 1000)
        let polys = Self.footprints(g)
        var settings = TileSettings()
        settings.maxThinnedTileBytes = 8192
        let builder = TileBuilder(settings: settings)
        for (geometries, kind) in [(g, TileGeometryKind.point), (polys, .polygon)] {
            let plain = Self.input(geometries, kind, TileLayerConfig(minzoom: 0, maxzoom: 22, tinyPolygons: .dot))
            let thinned = Self.input(geometries, kind, Self.thinning(tiny: .dot))
            let core = TileTransform(tile: Self.tile).lonLat(x: 0.41 * 4096, y: 0.59 * 4096)
            for z in [14, 15, 16] {
                let c = WebMercator.tileRange(BoundingBox(minX: core.x, minY: core.y, maxX: core.x, maxY: core.y), z: z)
                let t = TileID(z: z, x: c.minX, y: c.minY)
                #expect(builder.build(t, layers: [plain]).bytes == builder.build(t, layers: [thinned]).bytes, "z\(z) \(kind)")
            }
            #expect(builder.build(Self.tile, layers: [plain]).bytes != builder.build(Self.tile, layers: [thinned]).bytes)
        }
    }

    @Test func droppingIsDeterministicWhateverTheVisitOrder() throws {
        let g = Self.footprints(Self.points(dense: 4000, sparse: 1000))
        var settings = TileSettings()
        settings.maxThinnedTileBytes = 16_384
        let a = TileBuilder(settings: settings).build(Self.tile, layers: [Self.input(g, .polygon, Self.thinning(tiny: .dot))])
        let b = TileBuilder(settings: settings).build(Self.tile, layers: [Self.input(g, .polygon, Self.thinning(tiny: .dot), reversed: true)])
        let c = TileBuilder(settings: settings).build(Self.tile, layers: [Self.input(g, .polygon, Self.thinning(tiny: .dot))])
        #expect(!a.bytes.isEmpty && a.bytes == b.bytes && a.bytes == c.bytes)
        #expect(a.featureCounts["l"]! < g.count)
    }

    /// Dense data under a small cap: the thinned tile fits and every coarse cell that
    /// holds a feature in the full data still holds one; cut without thinning, the cap
    /// truncates the tile and leaves most of it empty.
    @Test(arguments: [TileGeometryKind.point, .polygon])
    func aDenseLowZoomTileFitsTheCapAndStaysSpread(kind: TileGeometryKind) throws {
        let points = Self.points(dense: 20_000, sparse: 2_000)
        let g = kind == .point ? points : Self.footprints(points)
        var settings = TileSettings()
        settings.maxThinnedTileBytes = 12_000
        settings.maxTileBytes = 12_000
        let builder = TileBuilder(settings: settings)
        let full = TileBuilder().build(Self.tile, layers: [Self.input(g, kind, TileLayerConfig(minzoom: 0, maxzoom: 22, tinyPolygons: .dot))])
        #expect(!full.truncated && full.featureCounts["l"] == g.count)
        let thinned = builder.build(Self.tile, layers: [Self.input(g, kind, Self.thinning(spacing: 4, tiny: .dot))])
        #expect(!thinned.truncated && thinned.bytes.count <= 12_000)
        #expect(thinned.featureCounts["l"]! < g.count / 10)
        let want = try Self.occupancy(full.bytes), got = try Self.occupancy(thinned.bytes)
        #expect(want.count > 200 && got == want)
        let capped = builder.build(Self.tile, layers: [Self.input(g, kind, TileLayerConfig(minzoom: 0, maxzoom: 22, tinyPolygons: .dot))])
        let cappedCells = try Self.occupancy(capped.bytes)
        #expect(capped.truncated && cappedCells.count < want.count)
    }

    /// Cells nest from zoom to zoom: what a tile keeps, its four children keep.
    @Test func aFeatureKeptAtOneZoomIsKeptAtTheNext() throws {
        let g = Self.points(dense: 5000, sparse: 2000)
        let input = Self.input(g, .point, Self.thinning(spacing: 64, asNeeded: false))
        let builder = TileBuilder()
        let parent = try Self.ids(builder.build(Self.tile, layers: [input]).bytes)
        var children = Set<UInt64>()
        for dy in 0...1 {
            for dx in 0...1 { children.formUnion(try Self.ids(builder.build(TileID(z: 11, x: 2 * 808 + dx, y: 2 * 420 + dy), layers: [input]).bytes)) }
        }
        #expect(parent.count > 100 && parent.isSubset(of: children) && children.count > parent.count)
    }

    @Test func thinningKeysAreReadFromLayersYAML() throws {
        let (s, warnings) = try TileSettings.parse(yaml: """
            max_thinned_tile_bytes: 300000
            layers:
              buildings: {minzoom: 8, base_zoom: 13, drop_spacing: 8, drop_densest_as_needed: true}
            """)
        #expect(warnings.isEmpty && s.maxThinnedTileBytes == 300_000)
        let b = s.config(layer: "buildings", role: .building)
        #expect(b.minzoom == 8 && b.baseZoom == 13 && b.dropSpacing == 8 && b.dropDensestAsNeeded)
        #expect(b.thins(at: 12) && !b.thins(at: 13))
        let plain = s.config(layer: "pipes", role: .pipe)
        #expect(plain.baseZoom == nil && !plain.thins(at: 0) && plain.dropSpacing == 16 && !plain.dropDensestAsNeeded)
        for bad in ["layers: {a: {base_zoom: 31}}", "layers: {a: {drop_spacing: 0}}", "layers: {a: {drop_spacing: 8192}}",
                    "layers: {a: {drop_densest_as_needed: often}}", "max_thinned_tile_bytes: 10"] {
            #expect(throws: VectorTilesError.self, "\(bad)") { try TileSettings.parse(yaml: bad) }
        }
    }
}
