import ArgumentParser
import BenchPeers
import CLISupport
import CityOps
import Foundation
import Geo
import SampleCity

/// `citytwin-bench networks`: a looped water network of ~N pipes (a jittered
/// lattice, valves on 80 % of the mains next to a junction, a few broken, four
/// sources), built and isolated by CityOps against a naive peer (string ids in
/// dictionaries and sets) on the same network, same pipes, in the same run.
/// Targets (issue 14): build ≤ 1 s for 100,000 pipes, isolation p99 ≤ 10 ms.
struct NetworkBench: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "networks", abstract: "Pipe network build and valve isolation vs a naive peer.")

    @Option(help: "Pipes (approximately)") var pipes = 100_000
    @Option(help: "Isolations timed (random pipes)") var queries = 1000
    @Option(help: "Isolations the naive peer runs (it is slow)") var peerQueries = 100
    @Option(help: "Seed") var seed: UInt64 = 42
    @Flag(help: "Print JSON") var json = false

    struct Row: Codable {
        var pipes: Int
        var nodes: Int
        var layerBuildS: Double
        var networkBuildS: Double
        var peerBuildS: Double
        var isolateP50Ms: Double
        var isolateP99Ms: Double
        var peerP50Ms: Double
        var peerP99Ms: Double
        /// The whole isolate answer as the route computes it: isolation, affected area and the outline.
        var answerP50Ms: Double
        var answerP99Ms: Double
        var meanOutlineVertices: Double
        var p50Ratio: Double
        var meanCutPipes: Double
        var meanUnintendedPipes: Double
        var answersAgree: Bool
    }

    static func now() -> Double { Double(DispatchTime.now().uptimeNanoseconds) / 1e9 }

    static func percentile(_ xs: [Double], _ p: Double) -> Double {
        let s = xs.sorted()
        return s.isEmpty ? 0 : s[min(s.count - 1, Int((Double(s.count) * p).rounded(.up)) - 1)]
    }

    func run() throws {
        var r = SeededRandom(seed: seed)
        // Lattice edges E, 80 % with a valve (below the square lattice's bond percolation threshold
        // of one half for valve-free mains, so segments stay local as in a real network): pipes ≈ 1.8 E, E ≈ 2 side².
        let side = max(4, Int((Double(pipes) / 3.6).squareRoot().rounded()))
        func id(_ i: Int, _ j: Int) -> String { "N\(i)_\(j)" }
        var nodeGeoms: [Geometry] = [], nodeProps: [JSONObject] = []
        var kind: [String: String] = [:], state: [String: String] = [:]
        var at: [String: Coordinate] = [:]
        func addNode(_ nid: String, _ k: String, _ c: Coordinate, _ st: String? = nil) {
            var o = JSONObject([("node_id", .string(nid)), ("kind", .string(k)), ("network", .string("water"))])
            if let st { o["state"] = .string(st) }
            nodeGeoms.append(.point(c))
            nodeProps.append(o)
            kind[nid] = k
            if let st { state[nid] = st }
            at[nid] = c
        }
        let step = 0.0007
        let sources = Set([id(0, 0), id(side - 1, side - 1), id(0, side - 1), id(side - 1, 0)])
        for j in 0..<side {
            for i in 0..<side {
                let c = Coordinate(104.0 + Double(i) * step + r.uniform(-0.0001, 0.0001), 30.5 + Double(j) * step + r.uniform(-0.0001, 0.0001))
                addNode(id(i, j), sources.contains(id(i, j)) ? "source" : "junction", c)
            }
        }
        var pipeGeoms: [Geometry] = [], pipeProps: [JSONObject] = [], peerPipes: [NaiveNetworkPeer.Pipe] = []
        func addPipe(_ a: String, _ b: String) {
            let pid = "P\(pipeGeoms.count)"
            pipeGeoms.append(.lineString([at[a]!, at[b]!]))
            pipeProps.append(JSONObject([("pipe_id", .string(pid)), ("network", .string("water")), ("from_node", .string(a)), ("to_node", .string(b))]))
            peerPipes.append(.init(id: pid, from: a, to: b))
        }
        for j in 0..<side {
            for i in 0..<side {
                for (di, dj) in [(1, 0), (0, 1)] where i + di < side && j + dj < side {
                    let a = id(i, j), b = id(i + di, j + dj)
                    if r.uniform(0, 1) < 0.8 {
                        let ca = at[a]!, cb = at[b]!
                        let v = "V\(i)_\(j)_\(di)"
                        let roll = r.uniform(0, 1)
                        addNode(v, "valve", Coordinate(ca.x + (cb.x - ca.x) * 0.1, ca.y + (cb.y - ca.y) * 0.1),
                                roll < 0.03 ? "broken" : roll < 0.04 ? "closed" : "open")
                        addPipe(a, v)
                        addPipe(v, b)
                    } else {
                        addPipe(a, b)
                    }
                }
            }
        }
        note("network: \(pipeGeoms.count) pipes, \(nodeGeoms.count) nodes")
        var t = Self.now()
        let pipeLayer = LayerSnapshot.make(name: "pipes", role: .pipe, geometries: pipeGeoms, properties: pipeProps)
        let nodeLayer = LayerSnapshot.make(name: "pipe_nodes", role: .pipeNode, geometries: nodeGeoms, properties: nodeProps)
        let layerBuild = Self.now() - t
        var build = Double.infinity
        var set: PipeNetworkSet?
        for _ in 0..<3 {
            t = Self.now()
            set = PipeNetworkSet(pipes: pipeLayer, nodes: nodeLayer)
            build = min(build, Self.now() - t)
        }
        let net = set!.networks["water"]!
        t = Self.now()
        let peer = NaiveNetworkPeer(pipes: peerPipes, kind: kind, state: state)
        let peerBuild = Self.now() - t
        var starts: [Int] = []
        for _ in 0..<queries { starts.append(r.int(0...(net.pipeCount - 1))) }
        var ours: [Double] = [], cut = 0.0, unintended = 0.0
        var answers: [Int: (Int, Int, Int)] = [:]
        for (k, p) in starts.enumerated() {
            t = Self.now()
            let iso = net.isolate(pipe: p)
            ours.append((Self.now() - t) * 1000)
            cut += Double(iso.pipes.count)
            unintended += Double(iso.unintendedPipes.count)
            if k < peerQueries { answers[p] = (iso.pipes.count, iso.valvesToClose.count, iso.unintendedPipes.count) }
        }
        // The same pipes answered as the isolate route does (outline: GEOS buffer union of the cut and
        // the unintended pipes at the default service distance; this network has no buildings or grids).
        let snap = CitySnapshot(version: 1, layers: ["pipes": pipeLayer, "pipe_nodes": nodeLayer], readings: [:])
        _ = snap.pipeNetworks
        var whole: [Double] = [], vertices = 0.0
        for p in starts {
            t = Self.now()
            let a = try snap.isolate(network: "water", IsolationRequest(pipeID: net.pipeIDs[p], point: nil))
            whole.append((Self.now() - t) * 1000)
            var n = 0
            a.area.outline?.forEachCoordinate { _ in n += 1 }
            vertices += Double(n)
        }
        var theirs: [Double] = [], agree = true
        for p in starts.prefix(peerQueries) {
            t = Self.now()
            let a = peer.isolate(net.pipeIDs[p])
            theirs.append((Self.now() - t) * 1000)
            if let o = answers[p], o != (a.cut, a.valves, a.unintended) { agree = false }
        }
        let row = Row(pipes: net.pipeCount, nodes: net.nodeCount, layerBuildS: layerBuild, networkBuildS: build, peerBuildS: peerBuild,
                      isolateP50Ms: Self.percentile(ours, 0.5), isolateP99Ms: Self.percentile(ours, 0.99),
                      peerP50Ms: Self.percentile(theirs, 0.5), peerP99Ms: Self.percentile(theirs, 0.99),
                      answerP50Ms: Self.percentile(whole, 0.5), answerP99Ms: Self.percentile(whole, 0.99),
                      meanOutlineVertices: vertices / Double(max(1, queries)),
                      p50Ratio: Self.percentile(theirs, 0.5) / max(Self.percentile(ours, 0.5), 1e-9),
                      meanCutPipes: cut / Double(max(1, queries)), meanUnintendedPipes: unintended / Double(max(1, queries)),
                      answersAgree: agree)
        if json {
            let e = JSONEncoder()
            e.outputFormatting = [.prettyPrinted, .sortedKeys]
            print(String(decoding: try e.encode(row), as: UTF8.self))
            return
        }
        func f(_ x: Double, _ d: Int = 2) -> String { String(format: "%.\(d)f", x) }
        print("network: \(row.pipes) pipes, \(row.nodes) nodes (layers built in \(f(row.layerBuildS)) s)")
        print("build:     citytwin \(f(row.networkBuildS, 3)) s   naive peer \(f(row.peerBuildS, 3)) s   (target ≤ 1 s)")
        print("isolation: citytwin p50 \(f(row.isolateP50Ms, 3)) ms p99 \(f(row.isolateP99Ms, 3)) ms (\(queries) pipes, target p99 ≤ 10 ms)")
        print("           naive    p50 \(f(row.peerP50Ms, 3)) ms p99 \(f(row.peerP99Ms, 3)) ms (\(peerQueries) pipes)   p50 ratio \(f(row.p50Ratio, 1))x")
        print("answer:    citytwin p50 \(f(row.answerP50Ms, 3)) ms p99 \(f(row.answerP99Ms, 3)) ms (isolation + area + outline, mean \(f(row.meanOutlineVertices, 0)) outline vertices)")
        print("mean cut \(f(row.meanCutPipes, 1)) pipes, mean unintended \(f(row.meanUnintendedPipes, 1)) pipes; answers agree: \(row.answersAgree)")
    }
}
