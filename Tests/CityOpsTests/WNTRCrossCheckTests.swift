import CityOps
import Foundation
import Geo
import Testing
import TestSupport

/// WNTR's example networks converted into CityTwin layers (Tests/Checkers/wntr_check.py),
/// every pipe isolated here, and each answer checked there against WNTR's
/// `valve_segments` and a networkx flood fill from the sources.
@Suite struct WNTRCrossCheckTests {
    static let script = TestSupport.projectRoot + "/Tests/Checkers/wntr_check.py"

    func python(_ args: [String]) throws -> JSONValue {
        guard FileManager.default.isExecutableFile(atPath: TestSupport.python) else {
            throw TestSupport.CheckerMissing(message: "Python checker venv missing at \(TestSupport.python): run `make venv`")
        }
        let r = try TestSupport.run(TestSupport.python, [Self.script] + args)
        guard r.status == 0 else { throw TestSupport.CheckerMissing(message: "wntr_check.py failed: \(r.stderr)") }
        return try JSONParser.parse(r.stdout)
    }

    /// The converted network as a snapshot with pipe and pipe_node layers.
    func snapshot(_ dir: String) throws -> CitySnapshot {
        let v = try JSONParser.parse(String(contentsOfFile: dir + "/layers.json", encoding: .utf8))
        let nodes = try #require(v["nodes"]?.arrayValue), pipes = try #require(v["pipes"]?.arrayValue)
        func point(_ a: JSONValue?) -> Coordinate {
            let xy = a?.arrayValue?.compactMap(\.doubleValue) ?? [0, 0]
            return Coordinate(xy[0], xy[1])
        }
        let nodeLayer = LayerSnapshot.make(name: "pipe_nodes", role: .pipeNode, geometries: nodes.map { .point(point($0["at"])) },
                                           properties: nodes.map { n in
            JSONObject([("node_id", n["id"]!), ("kind", n["kind"]!), ("network", .string("water"))])
        })
        let pipeLayer = LayerSnapshot.make(name: "pipes", role: .pipe,
                                           geometries: pipes.map { .lineString(($0["coords"]?.arrayValue ?? []).map { point($0) }) },
                                           properties: pipes.map { p in
            JSONObject([("pipe_id", p["id"]!), ("network", .string("water")), ("from_node", p["from"]!), ("to_node", p["to"]!)])
        })
        return CitySnapshot(version: 1, layers: ["pipes": pipeLayer, "pipe_nodes": nodeLayer], readings: [:])
    }

    @Test(arguments: [("Net3", "strategic", 123), ("Net3", "60", 7), ("ky4", "strategic", 5), ("ky4", "400", 11)])
    func everySegmentEqualsWNTRs(network: String, placement: String, seed: Int) throws {
        let dir = TestSupport.scratch("wntr-\(network)-\(placement)-\(seed)")
        let made = try python(["convert", network, dir, placement, String(seed)])
        let snap = try snapshot(dir)
        let net = try snap.pipeNetwork("water")
        #expect(net.pipeCount == Int(made["pipes"]?.doubleValue ?? -1))
        let check = net.check(toleranceM: 0.01)
        #expect(check.missingNodes.isEmpty && check.farEnds.isEmpty && check.duplicatePipeIDs.isEmpty)
        var results: [JSONValue] = []
        for p in 0..<net.pipeCount {
            let a = try snap.isolate(network: "water", IsolationRequest(pipeID: net.pipeIDs[p], point: nil))
            let i = a.isolation
            func pipes(_ xs: [Int32]) -> JSONValue { .array(xs.map { .string(net.pipeIDs[Int($0)]) }) }
            func nodes(_ xs: [Int32]) -> JSONValue { .array(xs.map { .string(net.nodeIDs[Int($0)]) }) }
            results.append(.object(JSONObject([
                ("pipe", .string(net.pipeIDs[p])), ("pipes", pipes(i.pipes)), ("nodes", nodes(i.nodes)),
                ("to_close", nodes(i.valvesToClose)), ("sources", nodes(i.sourcesInCut)),
                ("unintended_pipes", pipes(i.unintendedPipes)), ("unintended_nodes", nodes(i.unintendedNodes)),
            ])))
        }
        TestSupport.write(JSONWriter.string(.array(results)), to: dir + "/results.json")
        let v = try python(["verify", dir])
        #expect(v["checked"]?.doubleValue == Double(net.pipeCount))
        #expect(v["unintended_checked"]?.doubleValue == Double(net.pipeCount))
        // Most cuts hold no source: those are compared for exact equality.
        #expect((v["exact"]?.doubleValue ?? 0) > Double(net.pipeCount) / 2)
        #expect(v["bad"]?.doubleValue == 0, "\(JSONWriter.string(v["mismatches"] ?? .null))")
    }
}
