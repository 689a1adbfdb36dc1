import CityOps
import Foundation
import Geo
import Storage
import Testing
import TestSupport

/// A pipe network written as nodes and pipes, turned into a snapshot with
/// pipe and pipe_node layers (straight pipes between their nodes' points).
struct NetworkSketch {
    struct Node {
        var id: String
        var kind: String
        var state: String?
        var at: Coordinate
    }
    struct Pipe {
        var id: String
        var from: String?
        var to: String?
    }
    var nodes: [Node] = []
    var pipes: [Pipe] = []
    var network = "water"
    /// Extra buildings (footprints) and grids for area tests.
    var buildings: [Geometry] = []

    mutating func node(_ id: String, _ kind: String, _ x: Double, _ y: Double, state: String? = nil) {
        nodes.append(Node(id: id, kind: kind, state: state, at: Coordinate(104 + x * 0.001, 30.6 + y * 0.001)))
    }

    mutating func pipe(_ id: String, _ from: String?, _ to: String?) { pipes.append(Pipe(id: id, from: from, to: to)) }

    func snapshot(shift: [String: Double] = [:], reverse: Set<String> = []) -> CitySnapshot {
        let at = Dictionary(nodes.map { ($0.id, $0.at) }, uniquingKeysWith: { a, _ in a })
        let nodeLayer = LayerSnapshot.make(name: "pipe_nodes", role: .pipeNode, geometries: nodes.map { .point($0.at) }, properties: nodes.map { n in
            var o = JSONObject([("node_id", .string(n.id)), ("kind", .string(n.kind)), ("network", .string(network))])
            if let s = n.state { o["state"] = .string(s) }
            return o
        })
        let pipeLayer = LayerSnapshot.make(name: "pipes", role: .pipe, geometries: pipes.map { p in
            let a = p.from.flatMap { at[$0] } ?? Coordinate(104.5, 30.5)
            var b = p.to.flatMap { at[$0] } ?? Coordinate(104.5, 30.501)
            if let d = shift[p.id] { b = Coordinate(b.x, b.y + d) }
            return .lineString(reverse.contains(p.id) ? [b, a] : [a, b])
        }, properties: pipes.map { p in
            var o = JSONObject([("pipe_id", .string(p.id)), ("network", .string(network))])
            if let f = p.from { o["from_node"] = .string(f) }
            if let t = p.to { o["to_node"] = .string(t) }
            return o
        })
        var layers = ["pipes": pipeLayer, "pipe_nodes": nodeLayer]
        if !buildings.isEmpty {
            layers["buildings"] = LayerSnapshot.make(name: "buildings", role: .building, geometries: buildings, properties: buildings.map { _ in JSONObject() })
        }
        return CitySnapshot(version: 1, layers: layers, readings: [:])
    }

    /// The test network: a source feeding a main with valves and a branch.
    ///
    ///     S -p1- J1 -p2- V1 -p3- J2 -p4- V2 -p5- J3 -p6- J4
    ///                            |
    ///                            p7
    ///                            V3 -p8- J5 -p9- J6
    static func main(v1: String? = nil, v2: String? = nil, v3: String? = nil) -> NetworkSketch {
        var s = NetworkSketch()
        s.node("S", "source", 0, 0)
        s.node("J1", "junction", 1, 0)
        s.node("V1", "valve", 2, 0, state: v1)
        s.node("J2", "junction", 3, 0)
        s.node("V2", "valve", 4, 0, state: v2)
        s.node("J3", "junction", 5, 0)
        s.node("J4", "junction", 6, 0)
        s.node("V3", "valve", 3, -1, state: v3)
        s.node("J5", "junction", 3, -2)
        s.node("J6", "junction", 3, -3)
        for (id, a, b) in [("p1", "S", "J1"), ("p2", "J1", "V1"), ("p3", "V1", "J2"), ("p4", "J2", "V2"), ("p5", "V2", "J3"),
                           ("p6", "J3", "J4"), ("p7", "J2", "V3"), ("p8", "V3", "J5"), ("p9", "J5", "J6")] {
            s.pipe(id, a, b)
        }
        return s
    }
}

/// Ids of an isolation answer, as sets, for comparisons.
struct IsolationIDs: Equatable {
    var pipes: Set<String>
    var toClose: Set<String>
    var closed: Set<String>
    var passed: Set<String>
    var sources: Set<String>
    var unintended: Set<String>

    init(_ a: IsolationAnswer) {
        let n = a.network, i = a.isolation
        pipes = Set(i.pipes.map { n.pipeIDs[Int($0)] })
        toClose = Set(i.valvesToClose.map { n.nodeIDs[Int($0)] })
        closed = Set(i.valvesAlreadyClosed.map { n.nodeIDs[Int($0)] })
        passed = Set(i.valvesPassed.map { n.nodeIDs[Int($0.node)] })
        sources = Set(i.sourcesInCut.map { n.nodeIDs[Int($0)] })
        unintended = Set(i.unintendedPipes.map { n.pipeIDs[Int($0)] })
    }
}

@Suite struct PipeNetworkIsolationTests {
    func isolate(_ s: NetworkSketch, _ pipe: String, exclude: [String] = []) throws -> IsolationIDs {
        IsolationIDs(try s.snapshot().isolate(network: "water", IsolationRequest(pipeID: pipe, point: nil, excludeValves: exclude)))
    }

    @Test func operableValvesBoundTheCutAndWhatLiesBeyondIsUnintended() throws {
        let r = try isolate(.main(), "p3")
        #expect(r.pipes == ["p3", "p4", "p7"])
        #expect(r.toClose == ["V1", "V2", "V3"])
        #expect(r.closed.isEmpty && r.passed.isEmpty && r.sources.isEmpty)
        #expect(r.unintended == ["p5", "p6", "p8", "p9"])
    }

    @Test func brokenAndInaccessibleValvesArePassedThrough() throws {
        let broken = try isolate(.main(v2: "broken"), "p3")
        #expect(broken.pipes == ["p3", "p4", "p5", "p6", "p7"])
        #expect(broken.toClose == ["V1", "V3"] && broken.passed == ["V2"])
        #expect(broken.unintended == ["p8", "p9"])
        let inaccessible = try isolate(.main(v3: "inaccessible"), "p3")
        #expect(inaccessible.pipes == ["p3", "p4", "p7", "p8", "p9"] && inaccessible.passed == ["V3"])
    }

    @Test func closedValvesAreReportedNotProposedAndWhatTheyAlreadyCutOffIsNotUnintended() throws {
        let r = try isolate(.main(v3: "closed"), "p3")
        #expect(r.toClose == ["V1", "V2"] && r.closed == ["V3"])
        // p8 and p9 had no water before the burst (behind the closed V3).
        #expect(r.unintended == ["p5", "p6"])
    }

    @Test func anExcludedValveGivesTheNextRing() throws {
        let first = try isolate(.main(), "p3")
        #expect(first.toClose.contains("V1"))
        let next = try isolate(.main(), "p3", exclude: ["V1"])
        #expect(next.passed == ["V1"])
        // Past V1 the search runs to the source: no valve between p3 and the source remains.
        #expect(next.pipes == ["p1", "p2", "p3", "p4", "p7"])
        #expect(next.toClose == ["V2", "V3"] && next.sources == ["S"])
    }

    @Test func aPipeWithNoValveTowardsTheSourceReachesIt() throws {
        let r = try isolate(.main(), "p1")
        #expect(r.sources == ["S"])
        #expect(r.pipes == ["p1", "p2"] && r.toClose == ["V1"])
        // Everything beyond V1 depends on the one source, whose outlet feeds the cut.
        #expect(r.unintended == ["p3", "p4", "p5", "p6", "p7", "p8", "p9"])
    }

    /// A pipe with no valve between it and either of two sources: the search reaches both,
    /// names both, and what only they fed through the cut is cut off.
    @Test func aPipeWithNoValveTowardsEverySourceReachesThemAll() throws {
        var s = NetworkSketch()
        s.node("S1", "source", 0, 0)
        s.node("J1", "junction", 1, 0)
        s.node("S2", "source", 2, 0)
        s.node("V1", "valve", 1, -1)
        s.node("J2", "junction", 1, -2)
        s.node("J3", "junction", 1, -3)
        for (id, a, b) in [("p1", "S1", "J1"), ("p2", "S2", "J1"), ("p3", "J1", "V1"), ("p4", "V1", "J2"), ("p5", "J2", "J3")] { s.pipe(id, a, b) }
        for start in ["p1", "p2", "p3"] {
            let r = try isolate(s, start)
            #expect(r.pipes == ["p1", "p2", "p3"] && r.sources == ["S1", "S2"] && r.toClose == ["V1"], "\(start)")
            #expect(r.unintended == ["p4", "p5"], "\(start)")
        }
        // Past V1 the cut stops there: the sources keep feeding the rest.
        let below = try isolate(s, "p5")
        #expect(below.pipes == ["p4", "p5"] && below.sources.isEmpty && below.toClose == ["V1"] && below.unintended.isEmpty)
    }

    @Test func aSourceInsideTheCutIsReportedAndKeepsFeedingElsewhere() throws {
        // A second source S2 on J3's side: closing V1/V2/V3 cuts p3/p4/p7 only; S2 feeds p5, p6.
        var s = NetworkSketch.main()
        s.node("S2", "source", 6, 1)
        s.pipe("p10", "S2", "J4")
        let r = try isolate(s, "p3")
        #expect(r.unintended == ["p8", "p9"])
        // A burst right at S2: the search stops at S2 and reports it.
        let atSource = try isolate(s, "p10")
        #expect(atSource.sources == ["S2"] && atSource.toClose == ["V2"] && atSource.pipes == ["p10", "p6", "p5"])
        #expect(atSource.unintended.isEmpty)
    }

    @Test func loopsKeepWaterFlowingRoundTheCut() throws {
        // Close the main into a ring back to S through J4: nothing beyond V2 is cut off.
        var s = NetworkSketch.main()
        s.node("V4", "valve", 6, 1)
        s.pipe("p10", "J4", "V4")
        s.pipe("p11", "V4", "S")
        let r = try isolate(s, "p3")
        #expect(r.toClose == ["V1", "V2", "V3"])
        #expect(r.unintended == ["p8", "p9"])
    }

    @Test func aNetworkWithoutSourceSaysSo() throws {
        var s = NetworkSketch.main()
        s.nodes[0].kind = "junction"
        let a = try s.snapshot().isolate(network: "water", IsolationRequest(pipeID: "p3", point: nil))
        #expect(a.isolation.hasSource == false && a.isolation.unintendedPipes.isEmpty)
        let json = try JSONParser.parse(PipeNetworkJSON.isolation(s.snapshot(), a, crs: .wgs84))
        #expect(json["has_source"] == .bool(false))
        #expect(json["note"]?.stringValue?.contains("no source") == true)
    }

    @Test func badInputIsRefusedWithTheRightError() throws {
        let snap = NetworkSketch.main().snapshot()
        func code(_ body: () throws -> Void) -> CityOpsError.Code? {
            do { try body() } catch { return (error as? CityOpsError)?.code }
            return nil
        }
        #expect(code { _ = try snap.isolate(network: "gas", IsolationRequest(pipeID: "p1", point: nil)) } == .unknownFeature)
        #expect(code { _ = try snap.isolate(network: "water", IsolationRequest(pipeID: "nope", point: nil)) } == .unknownFeature)
        #expect(code { _ = try snap.isolate(network: "water", IsolationRequest(pipeID: "p1", point: nil, excludeValves: ["nope"])) } == .unknownFeature)
        #expect(code { _ = try snap.isolate(network: "water", IsolationRequest(pipeID: "p1", point: nil, excludeValves: ["J1"])) } == .invalidParameter)
        // 10 km away from every pipe, with a 200 m limit.
        #expect(code { _ = try snap.isolate(network: "water", IsolationRequest(pipeID: nil, point: Coordinate(104.1, 30.6))) } == .unusable)
        #expect(code { _ = try snap.trace(network: "water", fromNode: "nope", point: nil, direction: .downstream) } == .unknownFeature)
        #expect(code { _ = try snap.trace(network: "water", fromNode: nil, point: Coordinate(104.1, 30.6), direction: .downstream) } == .unusable)
        // The nearest pipe to a point on p4 is p4.
        let hit = try snap.isolate(network: "water", IsolationRequest(pipeID: nil, point: Coordinate(104.0035, 30.60001)))
        #expect(hit.network.pipeIDs[hit.isolation.startPipe] == "p4")
        #expect((hit.snapDistanceM ?? 99) < 2)
    }

    /// Random networks: the isolation equals a brute-force answer built another way
    /// (segments by union-find over passable nodes, supply by fixed-point relaxation).
    @Test func randomNetworksMatchBruteForce() throws {
        var rng = SplitMix64(state: 1414)
        for round in 0..<40 {
            var s = NetworkSketch()
            let n = 30 + rng.below(40)
            for i in 0..<n {
                let roll = rng.unit()
                let kind = roll < 0.08 ? "source" : roll < 0.5 ? "valve" : "junction"
                let state = kind == "valve" ? ["open", "open", "open", "closed", "broken", "inaccessible"][rng.below(6)] : nil
                s.node("N\(i)", kind, Double(i % 8), Double(i / 8), state: state)
            }
            let m = n + rng.below(n)
            for k in 0..<m {
                let a = k < n - 1 ? k + 1 : rng.below(n)
                let b = k < n - 1 ? rng.below(k + 1) : rng.below(n)
                s.pipe("P\(k)", "N\(a)", "N\(b)")
            }
            let snap = s.snapshot()
            let kind = Dictionary(uniqueKeysWithValues: s.nodes.map { ($0.id, ($0.kind, $0.state ?? "open")) })
            for k in 0..<m where rng.below(3) == 0 {
                let got = IsolationIDs(try snap.isolate(network: "water", IsolationRequest(pipeID: "P\(k)", point: nil)))
                let want = Self.bruteForce(s, kind, start: "P\(k)")
                #expect(got.pipes == want.pipes, "round \(round) pipe P\(k)")
                #expect(got.toClose == want.toClose, "round \(round) pipe P\(k)")
                #expect(got.sources == want.sources, "round \(round) pipe P\(k)")
                #expect(got.unintended == want.unintended, "round \(round) pipe P\(k)")
            }
        }
    }

    static func bruteForce(_ s: NetworkSketch, _ kind: [String: (String, String)], start: String)
        -> (pipes: Set<String>, toClose: Set<String>, sources: Set<String>, unintended: Set<String>) {
        // Nodes a cut spreads through: junctions and unusable valves.
        func passable(_ v: String) -> Bool {
            let (k, st) = kind[v]!
            return k == "junction" || (k == "valve" && (st == "broken" || st == "inaccessible"))
        }
        var parent = Dictionary(uniqueKeysWithValues: s.pipes.map { ($0.id, $0.id) })
        func find(_ x: String) -> String {
            var x = x
            while parent[x]! != x { x = parent[x]! }
            return x
        }
        var byNode: [String: [String]] = [:]
        for p in s.pipes {
            byNode[p.from!, default: []].append(p.id)
            if p.to != p.from { byNode[p.to!, default: []].append(p.id) }
        }
        for (v, ps) in byNode where passable(v) {
            for p in ps.dropFirst() {
                let a = find(p), b = find(ps[0])
                if a != b { parent[a] = b }
            }
        }
        let root = find(start)
        let cut = Set(s.pipes.filter { find($0.id) == root }.map(\.id))
        var toClose = Set<String>(), sources = Set<String>()
        for p in s.pipes where cut.contains(p.id) {
            for v in [p.from!, p.to!] {
                let (k, st) = kind[v]!
                // Valves with every pipe in the cut (reached round a loop) need no shutting.
                if k == "valve" && st == "open" && !byNode[v]!.allSatisfy({ cut.contains($0) }) { toClose.insert(v) }
                if k == "source" { sources.insert(v) }
            }
        }
        // Supply: relax until nothing changes. A node passes water on unless it is a
        // closed valve or a valve being closed; cut pipes carry none.
        func fed(blocked: Set<String>, skip: Set<String>) -> Set<String> {
            var wet = Set(kind.filter { $0.value.0 == "source" }.map(\.key))
            var wetPipes = Set<String>()
            var changed = true
            while changed {
                changed = false
                for p in s.pipes where !skip.contains(p.id) && !wetPipes.contains(p.id) {
                    let ends = [p.from!, p.to!]
                    let open = ends.filter { wet.contains($0) && !blocked.contains($0) && kind[$0]!.1 != "closed" }
                    if !open.isEmpty {
                        wetPipes.insert(p.id)
                        for e in ends { wet.insert(e) }
                        changed = true
                    }
                }
            }
            return wetPipes
        }
        let before = fed(blocked: [], skip: [])
        let after = fed(blocked: toClose, skip: cut)
        let hasSource = kind.values.contains { $0.0 == "source" }
        let unintended = hasSource ? before.subtracting(after).subtracting(cut) : []
        return (cut, toClose, sources, unintended)
    }
}

@Suite struct PipeNetworkCheckAndTraceTests {
    @Test func checkFindsEachFault() throws {
        var s = NetworkSketch.main()
        s.pipe("p3", "J4", "J1")          // duplicate pipe id
        s.node("J1", "junction", 9, 9)    // duplicate node id
        s.pipe("p12", "J6", "GHOST")      // node missing from the layer
        s.pipe("p13", "J6", nil)          // no to_node
        s.pipe("p14", "J3", "J3")         // self loop
        s.node("X1", "junction", 20, 0)   // a second component with a dangling end
        s.node("X2", "junction", 21, 0)
        s.pipe("p15", "X1", "X2")
        s.node("O", "junction", 30, 30)   // orphan
        let net = try s.snapshot(shift: ["p6": 0.0001], reverse: ["p8"]).pipeNetwork("water")
        let c = net.check(toleranceM: 2)
        #expect(c.duplicatePipeIDs == ["p3"])
        #expect(c.duplicateNodeIDs == ["J1"])
        #expect(c.missingNodes.map(\.node) == ["GHOST"] && c.missingNodes[0].pipes == ["p12"])
        #expect(c.pipesWithoutEnds == ["p13"])
        #expect(c.selfLoops == ["p14"])
        #expect(c.orphanNodes == ["O"])
        // p6's end moved 0.0001° (about 11 m) north of J4.
        #expect(c.farEnds.map { net.pipeIDs[Int($0.pipe)] } == ["p6"])
        #expect(abs(c.farEnds[0].distanceM - 11.1) < 0.2)
        // p8 drawn from J5 to V3, against its from_node → to_node.
        #expect(c.reversedPipes == ["p8"])
        #expect(Set(c.danglingPipes.map(\.pipe)) == ["p15"])
        #expect(c.components.count == 2 && c.components[1].pipes == 1 && c.components[0].sources == 1)
        let json = try JSONParser.parse(PipeNetworkJSON.check(net, c, limit: 10))
        #expect(json["ok"] == .bool(false) && json["components"]?["count"] == .number(2))
    }

    @Test func tracesFollowFlowDirection() throws {
        // A gravity tree: M1, M2 → M3 → M4 → O (outfall); M5 → M4; a closed valve C before M6 → M3.
        var s = NetworkSketch()
        s.network = "drainage"
        s.node("M1", "manhole", 0, 2)
        s.node("M2", "manhole", 1, 2)
        s.node("M3", "manhole", 1, 1)
        s.node("M4", "manhole", 1, 0)
        s.node("O", "outfall", 1, -1)
        s.node("M5", "manhole", 2, 0)
        s.node("M6", "manhole", 3, 1)
        s.node("C", "valve", 2, 1, state: "closed")
        for (id, a, b) in [("d1", "M1", "M3"), ("d2", "M2", "M3"), ("d3", "M3", "M4"), ("d4", "M4", "O"), ("d5", "M5", "M4"),
                           ("d6", "M6", "C"), ("d7", "C", "M3")] {
            s.pipe(id, a, b)
        }
        let snap = s.snapshot()
        let down = try snap.trace(network: "drainage", fromNode: "M1", point: nil, direction: .downstream)
        let ids = { (t: Trace) in Set(t.pipes.map { down.network.pipeIDs[Int($0)] }) }
        #expect(ids(down.trace) == ["d1", "d3", "d4"])
        #expect(down.trace.outfalls.map { down.network.nodeIDs[Int($0)] } == ["O"])
        let up = try snap.trace(network: "drainage", fromNode: "M4", point: nil, direction: .upstream)
        // The closed valve C stops the catchment: M6 drains nowhere while it is shut.
        #expect(ids(up.trace) == ["d1", "d2", "d3", "d5", "d7"])
        #expect(up.trace.manholeCount == 5)
        let total = up.network.pipeLength.enumerated().filter { ["d1", "d2", "d3", "d5", "d7"].contains(up.network.pipeIDs[$0.offset]) }.map(\.element).reduce(0, +)
        #expect(abs(up.trace.lengthM - total) < 1e-6)
        // From a point: the nearest node (O) upstream is the whole catchment but d6.
        let fromPoint = try snap.trace(network: "drainage", fromNode: nil, point: Coordinate(104.001, 30.599), direction: .upstream)
        #expect(ids(fromPoint.trace) == ["d1", "d2", "d3", "d4", "d5", "d7"])
    }

    @Test func buildingsWithinTheServiceDistanceAreAffected() throws {
        var s = NetworkSketch.main()
        // Footprints 10 m and 60 m south of p3 (which runs along y = 30.6 from x 104.002 to 104.003).
        func box(_ y: Double) -> Geometry {
            .polygon([[Coordinate(104.0024, y), Coordinate(104.0026, y), Coordinate(104.0026, y - 0.0001),
                       Coordinate(104.0024, y - 0.0001), Coordinate(104.0024, y)]])
        }
        s.buildings = [box(30.6 - 10 / 111_195.0), box(30.6 - 60 / 111_195.0)]
        let a = try s.snapshot().isolate(network: "water", IsolationRequest(pipeID: "p3", point: nil, serviceDistanceM: 30))
        #expect(a.area.buildings == [0])
        let wide = try s.snapshot().isolate(network: "water", IsolationRequest(pipeID: "p3", point: nil, serviceDistanceM: 70))
        #expect(wide.area.buildings == [0, 1])
        let geo = try JSONParser.parse(PipeNetworkJSON.isolationFeatures(a, crs: .wgs84))
        let features = try #require(geo["features"]?.arrayValue)
        // Pipe features carry the pipe layer's row ids (tile feature ids): p3 is row 3.
        #expect(features.first?["id"] == .number(3))
        #expect(features.filter { $0["properties"]?["role"] == .string("valve_to_close") }.count == 3)
        #expect(features.last?["properties"]?["role"] == .string("outline"))
    }

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

    /// Metres from p to segment ab, in a local frame at p (brute force, independent of GEOS).
    static func distance(_ p: Coordinate, _ a: Coordinate, _ b: Coordinate) -> Double {
        let k = Double.pi / 180 * 6_371_008.8, kx = k * cos(p.y * Double.pi / 180)
        let ax = (a.x - p.x) * kx, ay = (a.y - p.y) * k, bx = (b.x - p.x) * kx, by = (b.y - p.y) * k
        let dx = bx - ax, dy = by - ay, len2 = dx * dx + dy * dy
        let t = len2 == 0 ? 0 : max(0, min(1, -(ax * dx + ay * dy) / len2))
        let x = ax + t * dx, y = ay + t * dy
        return (x * x + y * y).squareRoot()
    }

    @Test(arguments: [("p3", 30.0), ("p9", 12.0), ("p6", 0.0)])
    func theOutlineIsTheGroundWithinTheServiceDistance(pipe: String, service: Double) throws {
        let a = try NetworkSketch.main().snapshot().isolate(network: "water", IsolationRequest(pipeID: pipe, point: nil, serviceDistanceM: service))
        try Self.checkOutline(a, service: service)
    }

    /// Points sampled around the pipes: inside the outline when nearer than the width, outside when farther.
    static func checkOutline(_ a: IsolationAnswer, service: Double) throws {
        let outline = try #require(a.area.outline)
        let net = a.network
        let segments: [(Coordinate, Coordinate)] = (a.isolation.pipes + a.isolation.unintendedPipes).flatMap { p -> [(Coordinate, Coordinate)] in
            var cs: [Coordinate] = []
            net.pipeLayer.geometry.geometry(Int(net.pipeFeature[Int(p)])).forEachCoordinate { cs.append($0) }
            return Array(zip(cs, cs.dropFirst()))
        }
        let width = max(service, AffectedArea.minimumOutlineM)
        var box = BoundingBox.empty
        for (a, b) in segments { box.extend(a); box.extend(b) }
        let pad = (width + 20) / 100_000
        var rng = SplitMix64(seed: 7)
        var inside = 0, outside = 0
        for _ in 0..<3000 {
            let p = Coordinate(box.minX - pad + rng.unit() * (box.maxX - box.minX + 2 * pad),
                               box.minY - pad + rng.unit() * (box.maxY - box.minY + 2 * pad))
            let d = segments.map { Self.distance(p, $0.0, $0.1) }.min()!
            // Round ends are drawn with 4 segments a quarter: up to 8 % of the width short of the circle.
            if d < width * 0.92 - 0.05 {
                #expect(Self.contains(outline, p), "\(p) is \(d) m from the pipes")
                inside += 1
            } else if d > width * 1.001 + 0.05 {
                #expect(!Self.contains(outline, p), "\(p) is \(d) m from the pipes")
                outside += 1
            }
        }
        #expect(inside > 50 && outside > 50)
        // Exterior rings counter-clockwise (RFC 7946).
        let exteriors: [[Coordinate]] = switch outline {
        case .polygon(let rs): [rs[0]]
        case .multiPolygon(let ps): ps.map { $0[0] }
        default: []
        }
        for r in exteriors { #expect(zip(r, r.dropFirst()).reduce(0) { $0 + ($1.0.x * $1.1.y - $1.1.x * $1.0.y) } > 0) }
    }

    @Test func pipesFarApartHaveAnOutlineOfTwoPieces() throws {
        // p2 is drawn a kilometre north of its nodes (a survey error): its buffer stands apart from p1's.
        var s = NetworkSketch()
        s.node("S", "source", 0, 0)
        s.node("J1", "junction", 1, 0)
        s.node("J2", "junction", 2, 0)
        s.pipe("p1", "S", "J1")
        s.pipe("p2", "J1", "J2")
        var snap = s.snapshot()
        let pipes = snap.layers["pipes"]!
        let far: Geometry = .lineString([Coordinate(104.001, 30.61), Coordinate(104.002, 30.61)])
        let moved = LayerSnapshot.make(name: "pipes", role: .pipe, geometries: [pipes.geometry.geometry(0), far],
                                       properties: [pipes.properties.object(0), pipes.properties.object(1)])
        snap = CitySnapshot(version: 2, layers: ["pipes": moved, "pipe_nodes": snap.layers["pipe_nodes"]!], readings: [:])
        let a = try snap.isolate(network: "water", IsolationRequest(pipeID: "p2", point: nil, serviceDistanceM: 30))
        #expect(Set(a.isolation.pipes.map { a.network.pipeIDs[Int($0)] }) == ["p1", "p2"])
        guard case .multiPolygon(let parts)? = a.area.outline else { Issue.record("not two pieces: \(String(describing: a.area.outline))"); return }
        #expect(parts.count == 2)
        try Self.checkOutline(a, service: 30)
    }
}