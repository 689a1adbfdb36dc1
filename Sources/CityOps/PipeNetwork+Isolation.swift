/// Valve isolation with Giswater's mincut semantics. From a broken pipe the
/// search spreads along pipes and stops at operable (open) valves, which are
/// proposed for closing, at valves already closed (reported, not proposed) and
/// at sources (a source cannot be shut from the network: it is reported).
/// Broken, inaccessible and excluded valves are passed through. With the
/// proposed valves shut, whatever no source reaches any more joins the cut as
/// unintended isolation.
public struct Isolation: Sendable {
    /// The pipe the search started from.
    public var startPipe: Int
    /// Pipes and nodes of the cut segment (valves passed through included).
    public var pipes: [Int32] = []
    public var nodes: [Int32] = []
    public var valvesToClose: [Int32] = []
    public var valvesAlreadyClosed: [Int32] = []
    /// Valves inside the segment, not to be shut, with the reason: broken, inaccessible,
    /// excluded (found stuck), or inside (every pipe of the valve is in the cut).
    public var valvesPassed: [(node: Int32, reason: String)] = []
    /// Sources met at the edge of the segment: they feed it directly and must be shut at the source.
    public var sourcesInCut: [Int32] = []
    /// Cut off from every source once the valves are shut (fed before).
    public var unintendedPipes: [Int32] = []
    public var unintendedNodes: [Int32] = []
    /// False when the network has no source node: the unintended set is then empty and unknown.
    public var hasSource: Bool = true
    public var segmentLengthM = 0.0
    public var unintendedLengthM = 0.0
}

extension PipeNetwork {
    /// Marks with `mark` every node and pipe reached from a source. Closed valves are
    /// never crossed; nodes marked `stop` or `stop2` are not entered and pipes marked
    /// `stop` not crossed (UInt32.max: no such mark).
    func flood(_ s: inout ScratchPool.Scratch, mark: UInt32, stop: UInt32 = .max, stop2: UInt32 = .max) {
        s.queue.removeAll(keepingCapacity: true)
        for src in sources where s.nodeMark[Int(src)] != mark {
            s.nodeMark[Int(src)] = mark
            s.queue.append(src)
        }
        var head = 0
        while head < s.queue.count {
            let v = Int(s.queue[head])
            head += 1
            for k in incident(v) {
                let p = Int(adjacency[k])
                if s.pipeMark[p] == mark || s.pipeMark[p] == stop { continue }
                s.pipeMark[p] = mark
                let w = across(p, from: v)
                guard w >= 0 else { continue }
                let m = s.nodeMark[w]
                if m == mark || m == stop || m == stop2 { continue }
                if nodeKind[w] == .valve && valveState[w] == .closed { continue }
                s.nodeMark[w] = mark
                s.queue.append(Int32(w))
            }
        }
    }

    /// Isolation of pipe `start`; `excluded` valves (found stuck) are passed through.
    public func isolate(pipe start: Int, excluding excluded: Set<Int32> = []) -> Isolation {
        var out = Isolation(startPipe: start)
        var s = scratch.take()
        defer { scratch.give(s) }
        s.begin(nodes: nodeCount, pipes: pipeCount)
        let segment = s.epoch, boundary = s.epoch + 1, fed = s.epoch + 2
        s.pipeMark[start] = segment
        out.pipes.append(Int32(start))
        for v in [pipeFrom[start], pipeTo[start]] where v >= 0 && s.nodeMark[Int(v)] != segment && s.nodeMark[Int(v)] != boundary {
            visit(Int(v), &s, &out, excluded, segment: segment, boundary: boundary)
        }
        var head = 0
        while head < s.queue.count {
            let v = Int(s.queue[head])
            head += 1
            for k in incident(v) {
                let p = Int(adjacency[k])
                if s.pipeMark[p] == segment { continue }
                s.pipeMark[p] = segment
                out.pipes.append(Int32(p))
                let w = across(p, from: v)
                if w >= 0 && s.nodeMark[w] != segment && s.nodeMark[w] != boundary {
                    visit(w, &s, &out, excluded, segment: segment, boundary: boundary)
                }
            }
        }
        // A valve whose every pipe is in the cut (reached round a loop) need not be shut.
        let proposed = out.valvesToClose
        out.valvesToClose.removeAll(keepingCapacity: true)
        for v in proposed {
            if incident(Int(v)).allSatisfy({ s.pipeMark[Int(adjacency[$0])] == segment }) {
                out.valvesPassed.append((v, "inside"))
                out.nodes.append(v)
            } else {
                out.valvesToClose.append(v)
            }
        }
        for p in out.pipes { out.segmentLengthM += pipeLength[Int(p)] }
        guard !sources.isEmpty else {
            out.hasSource = false
            return out
        }
        // The cut's pipes keep their segment mark, so the flood goes round them.
        flood(&s, mark: fed, stop: segment, stop2: boundary)
        for p in 0..<pipeCount where pipeFedAtRest[p] && s.pipeMark[p] != fed && s.pipeMark[p] != segment {
            out.unintendedPipes.append(Int32(p))
            out.unintendedLengthM += pipeLength[p]
        }
        for v in 0..<nodeCount where nodeFedAtRest[v] && s.nodeMark[v] != fed && s.nodeMark[v] != segment && s.nodeMark[v] != boundary {
            out.unintendedNodes.append(Int32(v))
        }
        return out
    }

    /// Classifies node v reached by the segment search: a boundary, or a node to expand.
    private func visit(_ v: Int, _ s: inout ScratchPool.Scratch, _ out: inout Isolation, _ excluded: Set<Int32>,
                       segment: UInt32, boundary: UInt32) {
        if nodeKind[v] == .source {
            s.nodeMark[v] = boundary
            out.sourcesInCut.append(Int32(v))
            return
        }
        if nodeKind[v] == .valve {
            switch valveState[v] {
            case .closed:
                s.nodeMark[v] = boundary
                out.valvesAlreadyClosed.append(Int32(v))
                return
            case .open where excluded.contains(Int32(v)):
                out.valvesPassed.append((Int32(v), "excluded"))
            case .open:
                s.nodeMark[v] = boundary
                out.valvesToClose.append(Int32(v))
                return
            case .broken, .inaccessible:
                out.valvesPassed.append((Int32(v), valveState[v].name))
            }
        }
        s.nodeMark[v] = segment
        out.nodes.append(Int32(v))
        s.queue.append(Int32(v))
    }
}
