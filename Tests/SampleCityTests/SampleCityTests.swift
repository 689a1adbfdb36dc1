import Foundation
import Geo
import GeometryOps
import SampleCity
import Testing
import TestSupport

@Suite(.serialized) struct SampleCityTests {
    /// One district (`--districts 1`, the default) is the committed sample.
    static let city = SampleCityGenerator(districts: 1).generate()

    @Test func committedGeoDataIsExactlyWhatTheGeneratorWrites() throws {
        let dir = TestSupport.scratch()
        _ = try SampleCityWriter.write(Self.city, to: dir)
        let committed = TestSupport.projectRoot + "/GeoData"
        let files = try FileManager.default.contentsOfDirectory(atPath: dir).sorted()
        #expect(files.count >= 20)
        var total = 0
        for f in files {
            let a = FileManager.default.contents(atPath: dir + "/" + f)
            let b = FileManager.default.contents(atPath: committed + "/" + f)
            #expect(a != nil && a == b, "GeoData/\(f) differs from `citytwin sample` output")
            total += b?.count ?? 0
        }
        #expect(total < 15_000_000, "GeoData must stay under 15 MB, is \(total)")
    }

    @Test func anotherSeedGivesAnotherCity() {
        let other = SampleCityGenerator(seed: 7).generate()
        #expect(other.features("addresses").first?.geometry != Self.city.features("addresses").first?.geometry)
    }

    @Test func layerSizesMatchTheBrief() {
        let c = Self.city
        #expect(c.features("district").count == 1)
        #expect(c.features("streets").count == 14)
        #expect(c.features("communities").count == 100)
        #expect(c.features("grids").count == 1000)
        #expect((280...320).contains(c.features("roads").count))
        #expect((18_000...22_000).contains(c.features("addresses").count))
        #expect(c.features("pois").count == 1500)
        #expect((18_000...22_000).contains(c.features("buildings").count))
        #expect((14_000...17_000).contains(c.features("pipes").count))
        #expect(c.features("bike_stations").count == 6120)
        #expect((55_000...65_000).contains(c.features("bikes").count))
        #expect(c.features("handlers").count == 1300)
        #expect(c.workOrders.count == 500)
        let kinds = c.features("flood_points").compactMap { $0.properties["kind"]?.stringValue }
        #expect(kinds.filter { $0 == "underpass" }.count == 3 && kinds.filter { $0 == "road" }.count == 4
                && kinds.filter { $0 == "intersection" }.count == 11)
    }

    @Test func districtAreaIsAbout110SquareKilometres() throws {
        let geos = GEOSContext()
        let frame = LocalFrame(origin: SampleCityGenerator.centre)
        let d = try #require(Self.city.features("district").first?.geometry)
        let metric = d.mapCoordinates { let p = frame.metres($0); return Coordinate(p.x, p.y) }
        let km2 = try geos.area(metric) / 1e6
        #expect(km2 > 100 && km2 < 120, "\(km2) km²")
    }

    /// Children tile each parent exactly: their union is the parent and their areas add up to it.
    @Test func adminHierarchyTilesWithoutGapsOrOverlaps() throws {
        let geos = GEOSContext()
        let c = Self.city
        func check(parents: [Feature], children: [Feature]) throws {
            let byParent = Dictionary(grouping: children) { $0.properties["parent_code"]?.stringValue ?? "" }
            #expect(Set(byParent.keys) == Set(parents.compactMap { $0.properties["code"]?.stringValue }))
            for p in parents {
                let code = p.properties["code"]!.stringValue!
                let kids = try #require(byParent[code]).compactMap(\.geometry)
                let parentArea = try geos.area(p.geometry!)
                let sum = try kids.reduce(0.0) { $0 + (try geos.area($1)) }
                let union = try geos.union(kids)
                #expect(union.count == 1, "\(code): children are not one connected area")
                let unionArea = try geos.area(union[0])
                #expect(abs(sum - unionArea) < parentArea * 1e-9, "\(code): children overlap")
                #expect(abs(unionArea - parentArea) < parentArea * 1e-9, "\(code): children leave gaps")
                #expect(abs(try geos.intersectionArea(union[0], p.geometry!) - parentArea) < parentArea * 1e-9)
            }
        }
        try check(parents: c.features("district"), children: c.features("streets"))
        try check(parents: c.features("streets"), children: c.features("communities"))
        try check(parents: c.features("communities"), children: c.features("grids"))
    }

    @Test func pipesReferenceRealNodesAndEachNetworkIsConnected() {
        let c = Self.city
        var nodeNetwork: [String: String] = [:]
        for n in c.features("pipe_nodes") { nodeNetwork[n.properties["node_id"]!.stringValue!] = n.properties["network"]!.stringValue! }
        var parent: [String: String] = [:]
        func find(_ x: String) -> String { var x = x; while let p = parent[x], p != x { x = p }; return x }
        for p in c.features("pipes") {
            let from = p.properties["from_node"]!.stringValue!, to = p.properties["to_node"]!.stringValue!
            let network = p.properties["network"]!.stringValue!
            #expect(nodeNetwork[from] == network && nodeNetwork[to] == network)
            parent[from] = parent[from] ?? from
            parent[to] = parent[to] ?? to
            let a = find(from), b = find(to)
            if a != b { parent[a] = b }
        }
        var roots: [String: Set<String>] = [:]
        for (node, network) in nodeNetwork { roots[network, default: []].insert(find(node)) }
        #expect(roots.keys.sorted() == ["drainage", "sewage", "water"])
        for (network, r) in roots { #expect(r.count == 1, "\(network) has \(r.count) components") }
    }

    @Test func everyHandlerSitsInItsGridAndEveryGridHasAWorker() throws {
        let geos = GEOSContext()
        let grids = Dictionary(uniqueKeysWithValues: Self.city.features("grids").map { ($0.properties["code"]!.stringValue!, $0.geometry!) })
        var workers = Set<String>()
        for h in Self.city.features("handlers") {
            let code = h.properties["grid_code"]!.stringValue!
            guard case .point(let p)? = h.geometry else { continue }
            #expect(try geos.covers(try #require(grids[code]), p))
            if h.properties["type"] == .string("grid_worker") { workers.insert(code) }
        }
        #expect(workers.count == grids.count)
    }

    @Test func chineseNumerals() {
        #expect(ChineseNumerals.string(12) == "十二")
        #expect(ChineseNumerals.string(37) == "三十七")
        #expect(ChineseNumerals.string(105) == "一百零五")
        #expect(ChineseNumerals.string(1010) == "一千零一十")
        #expect(ChineseNumerals.fullWidth("建设路37号") == "建设路３７号")
    }
}
