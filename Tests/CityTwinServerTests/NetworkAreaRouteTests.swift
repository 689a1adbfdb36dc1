import CityOps
import CityTwinServer
import Foundation
import Geo
import Hummingbird
import HummingbirdTesting
import Testing

/// Issue 14 items 2-3, the parts of the answers the other network tests leave unchecked: the
/// grids an isolation or a trace runs through and their handlers, and the total length, each
/// against a brute force over the sample's own layers (ray casting over every grid polygon,
/// handlers by their `grid_code`, lengths from the pipes' `length_m` attribute, which the
/// sample writes from its own metric frame).
@Suite struct NetworkAreaRouteTests {
    /// Even-odd ray casting over every ring of a (multi)polygon.
    static func contains(_ g: Geometry, _ p: Coordinate) -> Bool {
        var inside = false
        func ring(_ r: [Coordinate]) {
            for (a, b) in zip(r, r.dropFirst()) where (a.y > p.y) != (b.y > p.y) {
                if p.x < a.x + (p.y - a.y) / (b.y - a.y) * (b.x - a.x) { inside.toggle() }
            }
        }
        switch g {
        case .polygon(let rs): rs.forEach(ring)
        case .multiPolygon(let ps): ps.forEach { $0.forEach(ring) }
        default: break
        }
        return inside
    }

    /// Grid codes holding a vertex of one of `pipeIDs`, and the handler ids of those grids.
    static func bruteForce(_ pipeIDs: Set<String>) -> (grids: Set<String>, handlers: Set<String>, lengthM: Double) {
        let snap = SampleFixture.state.snapshot
        let pipes = snap.layers["pipes"]!, grids = snap.layers["grids"]!, handlers = snap.layers["handlers"]!
        var vertices: [Coordinate] = [], length = 0.0
        for i in 0..<pipes.count {
            let o = pipes.properties.object(i)
            guard let id = o["pipe_id"]?.textValue, pipeIDs.contains(id) else { continue }
            pipes.geometry.geometry(i).forEachCoordinate { vertices.append($0) }
            length += o["length_m"]?.doubleValue ?? .nan
        }
        var codes = Set<String>()
        for g in 0..<grids.count {
            let shape = grids.geometry.geometry(g)
            if vertices.contains(where: { contains(shape, $0) }) { codes.insert(grids.properties.object(g)["code"]!.textValue) }
        }
        let ids = (0..<handlers.count).map { handlers.properties.object($0) }
            .filter { codes.contains($0["grid_code"]?.textValue ?? "") }.compactMap { $0["handler_id"]?.textValue }
        return (codes, Set(ids), length)
    }

    static func strings(_ v: JSONValue?) -> [String] { v?.arrayValue?.compactMap(\.stringValue) ?? [] }

    @Test func isolationNamesTheGridsItsPipesRunThroughAndTheirHandlers() async throws {
        let water = NetworkRouteTests.samplePipes("water")
        // Pipes spread over the network.
        let picks = [water[40].id, water[water.count / 2].id, water[water.count - 70].id]
        try await SampleFixture.app().test(.router) { client in
            var sawHandlers = false
            for pick in picks {
                let (s, a, _) = try await NetworkRouteTests.post(client, "/v1/networks/water/isolate", #"{"pipe_id":"\#(pick)"}"#)
                #expect(s == .ok)
                let cut = Set(Self.strings(a["isolated"]?["pipes"]) + Self.strings(a["unintended"]?["pipes"]))
                #expect(cut.contains(pick))
                let want = Self.bruteForce(cut)
                let grids = Set((a["grids"]?.arrayValue ?? []).compactMap { $0["code"]?.stringValue })
                let handlers = (a["handlers"]?.arrayValue ?? []).compactMap { $0["handler_id"]?.stringValue }
                // (Pipes along the district's edge may lie outside every grid: then both are empty.)
                #expect(grids == want.grids, "\(pick): grids \(grids.sorted()) vs \(want.grids.sorted())")
                #expect(handlers.count == Set(handlers).count && Set(handlers) == want.handlers, "\(pick): handlers")
                #expect((a["handlers"]?.arrayValue ?? []).allSatisfy { grids.contains($0["grid_code"]?.stringValue ?? "") })
                sawHandlers = sawHandlers || (!handlers.isEmpty && !grids.isEmpty)
                // Total length: the cut's and the unintended pipes', as the sample measured them (0.1 m each).
                let total = try #require(a["total_length_m"]?.doubleValue)
                let parts = (a["isolated"]?["length_m"]?.doubleValue ?? .nan) + (a["unintended"]?["length_m"]?.doubleValue ?? .nan)
                #expect(abs(total - parts) < 0.1)
                #expect(abs(total - want.lengthM) <= max(0.5, want.lengthM * 0.005), "\(pick): total \(total) m, pipes' own lengths \(want.lengthM) m")
            }
            #expect(sawHandlers)
        }
    }

    @Test func aTraceNamesTheGridsAlongItAndTheirHandlers() async throws {
        let drainage = NetworkRouteTests.samplePipes("drainage")
        try await SampleFixture.app().test(.router) { client in
            for (node, direction) in [(drainage[drainage.count / 3].from, "downstream"), (drainage[drainage.count / 5].to, "upstream")] {
                let (s, t) = try await NetworkRouteTests.get(client, "/v1/networks/drainage/trace?from=\(node)&direction=\(direction)")
                #expect(s == .ok)
                let traced = Set(Self.strings(t["traced"]?["pipes"]))
                #expect(!traced.isEmpty)
                let want = Self.bruteForce(traced)
                let grids = Set((t["grids"]?.arrayValue ?? []).compactMap { $0["code"]?.stringValue })
                let handlers = Set((t["handlers"]?.arrayValue ?? []).compactMap { $0["handler_id"]?.stringValue })
                #expect(!want.grids.isEmpty && grids == want.grids, "\(node) \(direction): grids")
                #expect(handlers == want.handlers && !handlers.isEmpty, "\(node) \(direction): handlers")
                let length = try #require(t["traced"]?["length_m"]?.doubleValue)
                #expect(abs(length - want.lengthM) <= max(0.5, want.lengthM * 0.005), "\(node) \(direction): \(length) vs \(want.lengthM)")
            }
        }
    }
}
