import Foundation
import Geo
import SampleCity
import Testing

/// Issue 14 item 5, checked on the generated layers alone (no network model): the water
/// network has loops, several sources and valves at its junctions; the gravity networks
/// drain, without a loop, to their outfalls.
@Suite struct SampleNetworkShapeTests {
    struct Graph {
        var kind: [String: String] = [:]
        var state: [String: String] = [:]
        var pipes: [(from: String, to: String)] = []
        var incident: [String: [String]] = [:]

        init(_ network: String) {
            let c = SampleCityTests.city
            for n in c.features("pipe_nodes") where n.properties["network"]?.stringValue == network {
                let id = n.properties["node_id"]!.textValue
                kind[id] = n.properties["kind"]?.stringValue ?? ""
                state[id] = n.properties["state"]?.stringValue
            }
            for p in c.features("pipes") where p.properties["network"]?.stringValue == network {
                let from = p.properties["from_node"]!.textValue, to = p.properties["to_node"]!.textValue
                pipes.append((from, to))
                incident[from, default: []].append(to)
                incident[to, default: []].append(from)
            }
        }

        func nodes(_ k: String) -> [String] { kind.filter { $0.value == k }.map(\.key).sorted() }
    }

    @Test func waterHasLoopsSeveralSourcesAndValvesAtItsJunctions() {
        let g = Graph("water")
        let sources = g.nodes("source")
        #expect(sources.count >= 2, "sources: \(sources)")
        // Independent loops: pipes − nodes + components (one, SampleCityTests checks it).
        let loops = g.pipes.count - g.kind.count + 1
        #expect(loops >= 100, "\(loops) loops")
        // Junctions where three or more mains meet: a valve on every branch but at most one
        // (N-1 placement); every outlet of a source valved.
        var junctions = 0, fullyValved = 0
        for (node, neighbours) in g.incident where neighbours.count >= 3 && g.kind[node] != "valve" {
            junctions += 1
            let valved = neighbours.filter { g.kind[$0] == "valve" }.count
            #expect(valved >= neighbours.count - 1, "\(node): \(valved) valves on \(neighbours.count) branches")
            if valved >= neighbours.count - 1 { fullyValved += 1 }
        }
        #expect(junctions >= 100 && fullyValved == junctions)
        for s in sources {
            #expect(g.incident[s, default: []].allSatisfy { g.kind[$0] == "valve" }, "source \(s) has an unvalved outlet")
        }
        // Valves in every state the isolation distinguishes, most of them open.
        let states = g.nodes("valve").map { g.state[$0] ?? "" }
        for s in ["open", "closed", "broken", "inaccessible"] { #expect(states.contains(s), "no \(s) valve") }
        #expect(states.filter { $0 == "open" }.count * 10 > states.count * 9)
    }

    /// Gravity: flow follows from_node → to_node without a loop, ends only at outfalls, and
    /// every node reaches one; nothing leaves an outfall and nothing feeds the network.
    @Test(arguments: [("drainage", 2), ("sewage", 1)])
    func gravityNetworksDrainWithoutLoopsToTheirOutfalls(_ network: String, _ minimumOutfalls: Int) {
        let g = Graph(network)
        let outfalls = Set(g.nodes("outfall"))
        #expect(outfalls.count >= minimumOutfalls, "\(network): \(outfalls.count) outfalls")
        #expect(g.nodes("source").isEmpty && g.nodes("valve").isEmpty)
        var out: [String: [String]] = [:], inDegree: [String: Int] = [:]
        for p in g.pipes {
            out[p.from, default: []].append(p.to)
            inDegree[p.to, default: 0] += 1
        }
        #expect(outfalls.allSatisfy { out[$0] == nil }, "a pipe leaves an outfall")
        let sinks = g.kind.keys.filter { out[$0] == nil }
        #expect(Set(sinks) == outfalls, "\(network): nodes without an outflow that are not outfalls: \(Set(sinks).subtracting(outfalls).sorted().prefix(5))")
        // Kahn's algorithm: every node comes off, so the flow graph has no cycle.
        var todo = g.kind.keys.filter { inDegree[$0, default: 0] == 0 }, order = 0
        while let v = todo.popLast() {
            order += 1
            for w in out[v, default: []] {
                inDegree[w]! -= 1
                if inDegree[w] == 0 { todo.append(w) }
            }
        }
        #expect(order == g.kind.count, "\(network): a loop in the flow direction")
        // Every node drains to an outfall: walk the flow backwards from the outfalls.
        var into: [String: [String]] = [:]
        for p in g.pipes { into[p.to, default: []].append(p.from) }
        var reached = outfalls, stack = Array(outfalls)
        while let v = stack.popLast() {
            for u in into[v, default: []] where reached.insert(u).inserted { stack.append(u) }
        }
        #expect(reached.count == g.kind.count)
        // With several outfalls, each drains a real catchment (the sample: 4,866, 256 and 115 of 5,224 nodes).
        if outfalls.count > 1 {
            for o in outfalls {
                var catchment: Set<String> = [o], s = [o]
                while let v = s.popLast() { for u in into[v, default: []] where catchment.insert(u).inserted { s.append(u) } }
                #expect(catchment.count >= 50, "\(o) drains \(catchment.count) of \(g.kind.count) nodes")
            }
        }
    }
}
