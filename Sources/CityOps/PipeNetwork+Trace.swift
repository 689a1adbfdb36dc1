/// Which way a trace follows the pipes' `from_node` → `to_node` direction.
public enum TraceDirection: String, Sendable, CaseIterable {
    /// With the flow: where water from this node goes (towards outfalls in a gravity network).
    case downstream
    /// Against the flow: everything that drains to this node (its catchment).
    case upstream
}

/// Pipes and nodes reached by a trace, in breadth-first order from the start node.
public struct Trace: Sendable {
    public var startNode: Int
    public var direction: TraceDirection
    public var pipes: [Int32] = []
    public var nodes: [Int32] = []
    public var lengthM = 0.0
    /// Reached nodes of kind outfall and manhole, and sources.
    public var outfalls: [Int32] = []
    public var manholeCount = 0
    public var sources: [Int32] = []
}

extension PipeNetwork {
    /// Follows pipes from `start` with (downstream) or against (upstream) their direction.
    /// Pipes without both ends are not followed. Closed valves stop a trace: nothing flows past them.
    public func trace(from start: Int, direction: TraceDirection) -> Trace {
        var out = Trace(startNode: start, direction: direction)
        var s = scratch.take()
        defer { scratch.give(s) }
        s.begin(nodes: nodeCount, pipes: pipeCount)
        let seen = s.epoch
        s.nodeMark[start] = seen
        s.queue.append(Int32(start))
        var head = 0
        while head < s.queue.count {
            let v = Int(s.queue[head])
            head += 1
            out.nodes.append(Int32(v))
            switch nodeKind[v] {
            case .outfall: out.outfalls.append(Int32(v))
            case .manhole: out.manholeCount += 1
            case .source: out.sources.append(Int32(v))
            default: break
            }
            if v != start && nodeKind[v] == .valve && valveState[v] == .closed { continue }
            for k in incident(v) {
                let p = Int(adjacency[k])
                guard s.pipeMark[p] != seen, pipeFrom[p] >= 0, pipeTo[p] >= 0 else { continue }
                let next: Int
                switch direction {
                case .downstream:
                    guard Int(pipeFrom[p]) == v else { continue }
                    next = Int(pipeTo[p])
                case .upstream:
                    guard Int(pipeTo[p]) == v else { continue }
                    next = Int(pipeFrom[p])
                }
                s.pipeMark[p] = seen
                out.pipes.append(Int32(p))
                out.lengthM += pipeLength[p]
                if s.nodeMark[next] != seen {
                    s.nodeMark[next] = seen
                    s.queue.append(Int32(next))
                }
            }
        }
        return out
    }
}
