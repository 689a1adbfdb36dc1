/// Topology faults of one network, as a survey team would fix them.
public struct NetworkCheck: Sendable {
    /// A connected part of the network (pipes joined through nodes).
    public struct Component: Sendable {
        public var pipes = 0
        public var nodes = 0
        public var lengthM = 0.0
        public var sources = 0
        public var outfalls = 0
        /// The first pipe of the part (network order), to find it on the map.
        public var firstPipe: Int32 = -1
    }

    /// A pipe end whose node is farther than the tolerance from the pipe's vertex.
    public struct FarEnd: Sendable {
        public var pipe: Int32
        public var node: Int32
        public var end: String
        public var distanceM: Double
    }

    public var toleranceM: Double
    public var pipeCount = 0
    public var nodeCount = 0
    public var lengthM = 0.0
    public var sourceCount = 0
    public var outfallCount = 0
    /// Valve count per state name.
    public var valves: [String: Int] = [:]
    public var duplicatePipeIDs: [String] = []
    public var duplicateNodeIDs: [String] = []
    /// Node ids referenced by pipes but absent from the node layer, with the referring pipes.
    public var missingNodes: [(node: String, pipes: [String])] = []
    /// Pipes lacking `from_node` or `to_node`.
    public var pipesWithoutEnds: [String] = []
    /// Pipes ending at a junction that joins nothing else (not a manhole, outfall, source or valve).
    public var danglingPipes: [(pipe: String, node: String)] = []
    /// Pipes whose two ends are the same node.
    public var selfLoops: [String] = []
    /// Nodes of this network on no pipe.
    public var orphanNodes: [String] = []
    public var farEnds: [FarEnd] = []
    /// Pipes whose geometry runs from their to_node to their from_node (against the flow).
    public var reversedPipes: [String] = []
    /// Largest first.
    public var components: [Component] = []
}

extension PipeNetwork {
    /// The network's topology faults; pipe ends farther than `toleranceM` metres from their nodes are listed.
    public func check(toleranceM: Double) -> NetworkCheck {
        var c = NetworkCheck(toleranceM: toleranceM)
        c.pipeCount = pipeCount
        c.nodeCount = nodeCount
        c.lengthM = pipeLength.reduce(0, +)
        c.duplicatePipeIDs = duplicatePipeIDs
        c.duplicateNodeIDs = duplicateNodeIDs
        c.pipesWithoutEnds = pipesWithoutEnds
        var referrers: [Int32: [String]] = [:]
        for v in 0..<nodeCount {
            switch nodeKind[v] {
            case .source: c.sourceCount += 1
            case .outfall: c.outfallCount += 1
            case .valve: c.valves[valveState[v].name, default: 0] += 1
            default: break
            }
            if nodeFeature[v] >= 0 && incident(v).isEmpty { c.orphanNodes.append(nodeIDs[v]) }
        }
        for p in 0..<pipeCount {
            let a = pipeFrom[p], b = pipeTo[p]
            if a >= 0 && a == b { c.selfLoops.append(pipeIDs[p]) }
            // Drawn from its to_node to its from_node: one fault, not two far ends.
            let reversed = (fromGap[p] > toleranceM || toGap[p] > toleranceM)
                && (0...toleranceM).contains(fromGapSwapped[p]) && (0...toleranceM).contains(toGapSwapped[p])
            if reversed { c.reversedPipes.append(pipeIDs[p]) }
            for (end, v, gap) in [("from", a, fromGap[p]), ("to", b, toGap[p])] where v >= 0 {
                if nodeFeature[Int(v)] < 0 { referrers[v, default: []].append(pipeIDs[p]) }
                if gap > toleranceM && !reversed { c.farEnds.append(.init(pipe: Int32(p), node: v, end: end, distanceM: gap)) }
                if incident(Int(v)).count == 1 && nodeKind[Int(v)] == .junction && nodeFeature[Int(v)] >= 0 {
                    c.danglingPipes.append((pipeIDs[p], nodeIDs[Int(v)]))
                }
            }
        }
        c.missingNodes = referrers.keys.sorted().map { (nodeIDs[Int($0)], referrers[$0]!) }
        c.components = components()
        return c
    }

    /// Connected parts by breadth-first search over the adjacency, largest first.
    func components() -> [NetworkCheck.Component] {
        var s = scratch.take()
        defer { scratch.give(s) }
        s.begin(nodes: nodeCount, pipes: pipeCount)
        let seen = s.epoch
        var out: [NetworkCheck.Component] = []
        for p0 in 0..<pipeCount where s.pipeMark[p0] != seen {
            var part = NetworkCheck.Component(firstPipe: Int32(p0))
            s.pipeMark[p0] = seen
            part.pipes = 1
            part.lengthM = pipeLength[p0]
            s.queue.removeAll(keepingCapacity: true)
            for v in [pipeFrom[p0], pipeTo[p0]] where v >= 0 && s.nodeMark[Int(v)] != seen {
                s.nodeMark[Int(v)] = seen
                s.queue.append(v)
            }
            var head = 0
            while head < s.queue.count {
                let v = Int(s.queue[head])
                head += 1
                part.nodes += 1
                if nodeKind[v] == .source { part.sources += 1 }
                if nodeKind[v] == .outfall { part.outfalls += 1 }
                for k in incident(v) {
                    let p = Int(adjacency[k])
                    if s.pipeMark[p] == seen { continue }
                    s.pipeMark[p] = seen
                    part.pipes += 1
                    part.lengthM += pipeLength[p]
                    let w = across(p, from: v)
                    if w >= 0 && s.nodeMark[w] != seen {
                        s.nodeMark[w] = seen
                        s.queue.append(Int32(w))
                    }
                }
            }
            out.append(part)
        }
        return out.sorted { $0.pipes != $1.pipes ? $0.pipes > $1.pipes : $0.firstPipe < $1.firstPipe }
    }
}
