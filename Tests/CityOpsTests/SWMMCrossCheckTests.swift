import CityOps
import Foundation
import Geo
import Testing
import TestSupport

/// swmmio's bundled example SWMM models converted into CityTwin layers
/// (Tests/Checkers/swmm_check.py), traced here up and down from every node, and
/// each trace compared with swmmio's `trace_from_node` on the model as swmmio reads it.
@Suite struct SWMMCrossCheckTests {
    static let script = TestSupport.projectRoot + "/Tests/Checkers/swmm_check.py"

    /// Runs the checker; its JSON summary.
    static func python(_ args: [String]) throws -> JSONValue {
        guard FileManager.default.isExecutableFile(atPath: TestSupport.python) else {
            throw TestSupport.CheckerMissing(message: "Python checker venv missing at \(TestSupport.python): run `make venv`")
        }
        let r = try TestSupport.run(TestSupport.python, ["-W", "ignore", script] + args)
        guard r.status == 0 else { throw TestSupport.CheckerMissing(message: "swmm_check.py failed: \(r.stderr)") }
        return try JSONParser.parse(r.stdout)
    }

    /// swmmio's answer: direction ("up"/"down") → start node → (nodes, links).
    static func swmmioTraces(_ dir: String) throws -> [String: [String: (nodes: Set<String>, links: Set<String>)]] {
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

    /// The converted model as a snapshot with pipe and pipe_node layers of network drainage.
    func snapshot(_ dir: String) throws -> CitySnapshot {
        let v = try JSONParser.parse(String(contentsOfFile: dir + "/layers.json", encoding: .utf8))
        let nodes = try #require(v["nodes"]?.arrayValue), pipes = try #require(v["pipes"]?.arrayValue)
        func point(_ a: JSONValue?) -> Coordinate {
            let xy = a?.arrayValue?.compactMap(\.doubleValue) ?? [0, 0]
            return Coordinate(xy[0], xy[1])
        }
        let nodeLayer = LayerSnapshot.make(name: "pipe_nodes", role: .pipeNode, geometries: nodes.map { .point(point($0["at"])) },
                                           properties: nodes.map { n in
            JSONObject([("node_id", n["id"]!), ("kind", n["kind"]!), ("network", .string("drainage"))])
        })
        let pipeLayer = LayerSnapshot.make(name: "pipes", role: .pipe,
                                           geometries: pipes.map { .lineString(($0["coords"]?.arrayValue ?? []).map { point($0) }) },
                                           properties: pipes.map { p in
            JSONObject([("pipe_id", p["id"]!), ("network", .string("drainage")), ("from_node", p["from"]!), ("to_node", p["to"]!)])
        })
        return CitySnapshot(version: 1, layers: ["pipes": pipeLayer, "pipe_nodes": nodeLayer], readings: [:])
    }

    // Example1 (EPA's), the Philadelphia state-plane model, the full-features models (pumps and
    // weirs among the links), a parallel loop (two links between one pair of nodes), street inlets
    // draining into a sewer (links joining again downstream), and a pump-control model with two outfalls.
    @Test(arguments: ["Example1", "model_state_plane", "model_full_features_network_xy", "model_full_features_network",
                      "Example1_parallel_loop", "test_inlet_drains", "Pump_Control_Model"])
    func everyTraceEqualsSwmmios(model: String) throws {
        let dir = TestSupport.scratch("swmm-\(model)")
        let made = try Self.python(["convert", model, dir])
        let snap = try snapshot(dir)
        let net = try snap.pipeNetwork("drainage")
        #expect(net.pipeCount == Int(made["pipes"]?.doubleValue ?? -1))
        #expect(net.nodeCount == Int(made["nodes"]?.doubleValue ?? -1))
        let want = try Self.swmmioTraces(dir)
        var compared = 0
        for v in 0..<net.nodeCount {
            for (mode, direction) in [("up", TraceDirection.upstream), ("down", .downstream)] {
                let expected = try #require(want[mode]?[net.nodeIDs[v]], "swmmio has no \(mode) trace from \(net.nodeIDs[v])")
                let t = net.trace(from: v, direction: direction)
                let nodes = Set(t.nodes.map { net.nodeIDs[Int($0)] }), pipes = Set(t.pipes.map { net.pipeIDs[Int($0)] })
                #expect(nodes == expected.nodes, "\(model) \(mode) from \(net.nodeIDs[v])")
                #expect(pipes == expected.links, "\(model) \(mode) from \(net.nodeIDs[v])")
                let outfalls = Set(t.outfalls.map { net.nodeIDs[Int($0)] })
                #expect(outfalls == Set(expected.nodes.filter { id in net.node(id: id).map { net.nodeKind[$0] == .outfall } ?? false }))
                compared += 1
            }
        }
        #expect(compared == Int(made["traces"]?.doubleValue ?? -1))
    }
}
