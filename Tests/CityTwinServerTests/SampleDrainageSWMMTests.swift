import CityOps
import Foundation
import Geo
import Testing
import TestSupport

/// The sample city's drainage network exported as a SWMM input file
/// (Tests/Checkers/swmm_check.py writes it), read back by swmmio, and traced there
/// over the conduits swmmio parsed (with `trace_from_node`, or networkx reachability
/// for the large catchments, which trace_from_node walks in seconds each):
/// every outfall's catchment, the catchment above each flood point (from the drainage
/// node nearest it, as `trace?from=lon,lat` picks), downstream from each node where the
/// flow splits, and seeded nodes both ways must equal CityTwin's traces.
@Suite struct SampleDrainageSWMMTests {
    @Test func sampleDrainageTracesEqualSwmmios() throws {
        let snap = SampleFixture.state.snapshot
        let net = try snap.pipeNetwork("drainage")
        // trace_from_node walks every link for each node it reaches, so the large catchments (the
        // outfalls', most flood points') are checked by networkx on swmmio's conduits instead.
        var starts: [(node: Int, up: Bool, walk: Bool)] = []
        for v in 0..<net.nodeCount where net.nodeKind[v] == .outfall { starts.append((v, true, false)) }
        #expect(!starts.isEmpty)
        let floods = try #require(snap.layer(role: .floodPoint))
        var floodStarts = Set<Int>()
        for i in 0..<floods.count {
            guard case .point(let c) = floods.geometry.geometry(i),
                  let t = try? snap.trace(network: "drainage", fromNode: nil, point: c, direction: .upstream) else { continue }
            floodStarts.insert(t.trace.startNode)
        }
        #expect(!floodStarts.isEmpty)
        starts += floodStarts.sorted().map { ($0, true, false) }
        // Nodes where the flow splits (the cross-links between catchments): downstream to two outfalls.
        var outflows = [Int](repeating: 0, count: net.nodeCount)
        for p in 0..<net.pipeCount { outflows[Int(net.pipeFrom[p])] += 1 }
        let splits = (0..<net.nodeCount).filter { outflows[$0] >= 2 }
        #expect(!splits.isEmpty)
        starts += splits.map { ($0, false, true) }
        var rng = SplitMix64(seed: 14)
        for k in 0..<20 { starts.append((rng.below(net.nodeCount), true, k < 5)) }
        for k in 0..<20 { starts.append((rng.below(net.nodeCount), false, k < 5)) }

        func text(_ s: String) -> JSONValue { .string(s) }
        let nodes: [JSONValue] = (0..<net.nodeCount).map { v in
            let c = net.nodePoint(v) ?? Coordinate(0, 0)
            return .object(JSONObject([("id", text(net.nodeIDs[v])), ("kind", text(net.nodeKind[v].name)), ("at", .array([.number(c.x), .number(c.y)]))]))
        }
        let pipes: [JSONValue] = (0..<net.pipeCount).map { p in
            .object(JSONObject([("id", text(net.pipeIDs[p])), ("from", text(net.nodeIDs[Int(net.pipeFrom[p])])),
                                ("to", text(net.nodeIDs[Int(net.pipeTo[p])]))]))
        }
        let startList: [JSONValue] = starts.map {
            .array([text(net.nodeIDs[$0.node]), text($0.up ? "up" : "down"), text($0.walk ? "trace_from_node" : "graph")])
        }
        let dir = TestSupport.scratch("swmm-sample")
        TestSupport.write(JSONWriter.string(.object(JSONObject([("nodes", .array(nodes)), ("pipes", .array(pipes)), ("starts", .array(startList))]))),
                          to: dir + "/layers.json")
        let made = try SWMMChecker.python(["inp", dir + "/layers.json", dir])
        #expect(made["pipes"]?.doubleValue == Double(net.pipeCount))
        let want = try SWMMChecker.traces(dir)
        var catchments = Set<Int32>()
        var splitOutfalls = 0
        for (v, up, _) in starts {
            let expected = try #require(want[up ? "up" : "down"]?[net.nodeIDs[v]])
            let t = net.trace(from: v, direction: up ? .upstream : .downstream)
            #expect(Set(t.nodes.map { net.nodeIDs[Int($0)] }) == expected.nodes, "\(up ? "up" : "down") from \(net.nodeIDs[v])")
            #expect(Set(t.pipes.map { net.pipeIDs[Int($0)] }) == expected.links, "\(up ? "up" : "down") from \(net.nodeIDs[v])")
            if net.nodeKind[v] == .outfall && up { catchments.formUnion(t.pipes) }
            if !up && splits.contains(v) { splitOutfalls = max(splitOutfalls, t.outfalls.count) }
        }
        // Every pipe drains to some outfall, and a split reaches two.
        #expect(catchments.count == net.pipeCount)
        #expect(splitOutfalls == 2)
    }
}

/// Tests/Checkers/swmm_check.py from this target.
enum SWMMChecker {
    static let script = TestSupport.projectRoot + "/Tests/Checkers/swmm_check.py"

    static func python(_ args: [String]) throws -> JSONValue {
        guard FileManager.default.isExecutableFile(atPath: TestSupport.python) else {
            throw TestSupport.CheckerMissing(message: "Python checker venv missing at \(TestSupport.python): run `make venv`")
        }
        let r = try TestSupport.run(TestSupport.python, ["-W", "ignore", script] + args)
        guard r.status == 0 else { throw TestSupport.CheckerMissing(message: "swmm_check.py failed: \(r.stderr)") }
        return try JSONParser.parse(r.stdout)
    }

    static func traces(_ dir: String) throws -> [String: [String: (nodes: Set<String>, links: Set<String>)]] {
        let v = try JSONParser.parse(String(contentsOfFile: dir + "/traces.json", encoding: .utf8))
        var out: [String: [String: (nodes: Set<String>, links: Set<String>)]] = [:]
        for mode in ["up", "down"] {
            guard case .object(let starts)? = v[mode] else { continue }
            for (node, t) in starts.members {
                out[mode, default: [:]][node] = (Set((t["nodes"]?.arrayValue ?? []).compactMap(\.stringValue)),
                                                 Set((t["links"]?.arrayValue ?? []).compactMap(\.stringValue)))
            }
        }
        return out
    }
}
