import Geo
import Testing
import VectorTiles
@testable import CityOps

/// Layers of one tile built at once on separate builders must give the sequential build's bytes.
struct TileSideBySideTests {
    static let layers = ["grids", "roads", "buildings", "pipes", "pipe_nodes", "addresses", "pois", "bike_stations", "flood_points", "handlers"]

    /// Every tile around the sample's centre at z12-16 (many layers, many features).
    static var tiles: [TileID] {
        var out: [TileID] = []
        for z in 12...16 {
            let shift = z - 14
            let cx = shift >= 0 ? 12929 << shift : 12929 >> -shift, cy = shift >= 0 ? 6724 << shift : 6724 >> -shift
            for dx in -1...1 { for dy in -1...1 { out.append(TileID(z: z, x: cx + dx, y: cy + dy)) } }
        }
        return out
    }

    @Test func sideBySideEqualsSequential() {
        let snapshot = SampleFixture.state.snapshot
        let service = TileService()
        let names = Self.layers.filter { snapshot.layers[$0] != nil }
        #expect(names.count >= 6)
        var multiLayer = 0
        for t in Self.tiles {
            let inputs = service.inputs(names, snapshot, zoom: t.z)
            let reference = TileBuilder(settings: service.settings).build(t, layers: service.inputs(names, snapshot))
            let built = service.build(t, inputs: inputs)
            #expect(built.bytes == reference.bytes, "\(t)")
            #expect(built.featureCounts == reference.featureCounts, "\(t)")
            #expect(built.truncated == reference.truncated)
            if reference.featureCounts.count > 1 { multiLayer += 1 }
            // The bytes decode to the layers in request order.
            if !built.bytes.isEmpty, let decoded = try? MVTTile(decoding: built.bytes) {
                let order = decoded.layers.compactMap(\.name)
                #expect(order == names.filter { order.contains($0) }, "\(t)")
            }
        }
        #expect(multiLayer > 20)
    }

    /// Over the byte cap the sequential build decides (each layer gets what the earlier left).
    @Test func overTheCapFallsBackToTheSequentialBuild() {
        let snapshot = SampleFixture.state.snapshot
        var settings = TileSettings()
        settings.maxTileBytes = 40_000
        let service = TileService(settings: settings)
        let names = ["buildings", "pipes", "roads"]
        var cut = 0
        for t in Self.tiles where t.z >= 14 {
            let reference = TileBuilder(settings: settings).build(t, layers: service.inputs(names, snapshot))
            let built = service.build(t, inputs: service.inputs(names, snapshot, zoom: t.z))
            #expect(built.bytes == reference.bytes, "\(t)")
            #expect(built.truncated == reference.truncated, "\(t)")
            if reference.truncated { cut += 1 }
        }
        #expect(cut > 0, "no tile reached the cap: the fallback was not exercised")
    }
}
