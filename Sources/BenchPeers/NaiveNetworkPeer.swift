/// The obvious valve isolation, as a peer for the network benchmark: a graph of
/// string ids in dictionaries, sets for visited marks, rebuilt answers per query.
/// Same semantics as CityOps' `PipeNetwork.isolate` without excluded valves
/// (sources and operable or closed valves stop the cut; broken and inaccessible
/// valves are passed; what no source reaches afterwards is unintended).
public struct NaiveNetworkPeer {
    public struct Pipe {
        public var id: String
        public var from: String
        public var to: String
        public init(id: String, from: String, to: String) {
            self.id = id
            self.from = from
            self.to = to
        }
    }

    var pipes: [String: Pipe] = [:]
    var incident: [String: [String]] = [:]
    var kind: [String: String]
    var state: [String: String]
    /// Pipes fed at rest, computed once (as a fair peer would).
    var atRest: Set<String> = []

    /// `kind` and `state` by node id (kind source/valve/junction; state open/closed/broken/inaccessible).
    public init(pipes list: [Pipe], kind: [String: String], state: [String: String]) {
        self.kind = kind
        self.state = state
        for p in list {
            pipes[p.id] = p
            incident[p.from, default: []].append(p.id)
            if p.to != p.from { incident[p.to, default: []].append(p.id) }
        }
        atRest = fed(cut: [], shut: [])
    }

    /// Counts of cut pipes, valves to close and unintended pipes.
    public func isolate(_ start: String) -> (cut: Int, valves: Int, unintended: Int) {
        var cut: Set<String> = [start], seen = Set<String>(), toClose = Set<String>()
        var queue = [pipes[start]!.from, pipes[start]!.to]
        while let v = queue.popLast() {
            if seen.contains(v) { continue }
            seen.insert(v)
            let k = kind[v] ?? "junction", st = state[v] ?? "open"
            if k == "source" { continue }
            if k == "valve" && (st == "open" || st == "closed") {
                if st == "open" { toClose.insert(v) }
                continue
            }
            for p in incident[v] ?? [] where !cut.contains(p) {
                cut.insert(p)
                let e = pipes[p]!
                queue.append(e.from == v ? e.to : e.from)
            }
        }
        toClose = toClose.filter { v in !(incident[v] ?? []).allSatisfy { cut.contains($0) } }
        let after = fed(cut: cut, shut: toClose)
        let unintended = atRest.subtracting(after).subtracting(cut)
        return (cut.count, toClose.count, unintended.count)
    }

    func fed(cut: Set<String>, shut: Set<String>) -> Set<String> {
        var reached = Set(kind.filter { $0.value == "source" }.map(\.key))
        var queue = Array(reached), wet = Set<String>()
        while let v = queue.popLast() {
            for p in incident[v] ?? [] where !cut.contains(p) {
                wet.insert(p)
                let e = pipes[p]!
                let w = e.from == v ? e.to : e.from
                if reached.contains(w) || shut.contains(w) || (kind[w] == "valve" && state[w] == "closed") { continue }
                reached.insert(w)
                queue.append(w)
            }
        }
        return wet
    }
}
