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
        let segment = s.epoch, boundary = s.epoch + 1
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
        unintended(&s, &out, segment: segment, boundary: boundary)
        return out
    }

    /// What the shut valves cut off from every source. Only a region touching a valve to
    /// close can lose its supply (its supply path ran through the cut or that valve), so a
    /// search starts beyond each such valve, best first towards the sources (hops at rest),
    /// and stops at the first source or node already found fed: usually after a few dozen
    /// nodes, instead of a flood over the whole network. A search that runs out without a
    /// source has walked its whole region: that region is cut off.
    private func unintended(_ s: inout ScratchPool.Scratch, _ out: inout Isolation, segment: UInt32, boundary: UInt32) {
        let fed = s.epoch + 2, dry = s.epoch + 3
        var dryNodes: [Int32] = []
        for valve in out.valvesToClose {
            for k in incident(Int(valve)) {
                let p = Int(adjacency[k])
                if s.pipeMark[p] == segment || s.pipeMark[p] == dry { continue }
                let w = across(p, from: Int(valve))
                if w < 0 || (s.nodeMark[w] == boundary && nodeKind[w] != .source) || (nodeKind[w] == .valve && valveState[w] == .closed) {
                    // Between two shut valves: no water either way.
                    s.pipeMark[p] = dry
                    if pipeFedAtRest[p] {
                        out.unintendedPipes.append(Int32(p))
                        out.unintendedLengthM += pipeLength[p]
                    }
                    continue
                }
                if s.nodeMark[w] == fed || s.nodeMark[w] == dry { continue }
                if !reachesSource(from: w, &s, segment: segment, boundary: boundary) {
                    dryNodes.append(contentsOf: s.queue)
                }
            }
        }
        for v in dryNodes {
            if nodeFedAtRest[Int(v)] { out.unintendedNodes.append(v) }
            for k in incident(Int(v)) {
                let p = Int(adjacency[k])
                if s.pipeMark[p] == segment || s.pipeMark[p] == dry { continue }
                s.pipeMark[p] = dry
                if pipeFedAtRest[p] {
                    out.unintendedPipes.append(Int32(p))
                    out.unintendedLengthM += pipeLength[p]
                }
            }
        }
        out.unintendedPipes.sort()
        out.unintendedNodes.sort()
    }

    /// Best-first search from w (fewest hops to a source at rest first) through pipes outside
    /// the cut and nodes that pass water. True when it meets a source or a node found fed
    /// (the explored nodes are then marked fed); false when it runs out (they stay marked dry,
    /// listed in `s.queue`).
    private func reachesSource(from w: Int, _ s: inout ScratchPool.Scratch, segment: UInt32, boundary: UInt32) -> Bool {
        let fed = s.epoch + 2, dry = s.epoch + 3
        s.queue.removeAll(keepingCapacity: true)
        s.heap.removeAll(keepingCapacity: true)
        s.nodeMark[w] = dry
        s.queue.append(Int32(w))
        s.push(hops: sourceHops[w], node: w)
        var found = false
        search: while let v = s.pop() {
            if nodeKind[v] == .source {
                found = true
                break
            }
            for k in incident(v) {
                let p = Int(adjacency[k])
                if s.pipeMark[p] == segment { continue }
                let x = across(p, from: v)
                guard x >= 0 else { continue }
                let m = s.nodeMark[x]
                if m == fed || nodeKind[x] == .source {
                    found = true
                    break search
                }
                if m == dry || m == boundary || m == segment { continue }
                if nodeKind[x] == .valve && valveState[x] == .closed { continue }
                s.nodeMark[x] = dry
                s.queue.append(Int32(x))
                s.push(hops: sourceHops[x], node: x)
            }
        }
        if found {
            for v in s.queue { s.nodeMark[Int(v)] = fed }
        }
        return found
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
