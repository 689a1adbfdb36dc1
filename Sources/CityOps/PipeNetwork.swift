import Geo
import SpatialIndex
import Synchronization

/// What a pipe node is, read from its `kind` (English or the survey's Chinese word).
public enum PipeNodeKind: UInt8, Sendable {
    case junction, manhole, valve, outfall, source

    init(text: String) {
        switch text.lowercased() {
        case "valve", "阀门", "阀": self = .valve
        case "manhole", "检查井", "窨井": self = .manhole
        case "outfall", "排放口", "出水口": self = .outfall
        // Sources feed a water network: plants, booster stations, tanks, reservoirs.
        case "source", "水厂", "加压站", "泵站", "水源", "tank", "reservoir", "水池", "水塔": self = .source
        default: self = .junction
        }
    }

    public var name: String {
        switch self {
        case .junction: "junction"
        case .manhole: "manhole"
        case .valve: "valve"
        case .outfall: "outfall"
        case .source: "source"
        }
    }
}

/// A valve's `state` (Giswater's mincut flags); absent means open.
public enum ValveState: UInt8, Sendable {
    case open, closed, broken, inaccessible

    init(text: String?) {
        switch text?.lowercased() {
        case "closed", "关", "关闭": self = .closed
        case "broken", "损坏", "故障": self = .broken
        case "inaccessible", "无法操作", "不可达": self = .inaccessible
        default: self = .open
        }
    }

    public var name: String {
        switch self {
        case .open: "open"
        case .closed: "closed"
        case .broken: "broken"
        case .inaccessible: "inaccessible"
        }
    }
}

/// One pipe network (pipes whose `network` property has one value) as a graph
/// in flat arrays: pipes 0..<pipeCount with their end nodes, nodes 0..<nodeCount,
/// and per node its incident pipes in CSR form (`adjacency[adjStart[v] ..< adjStart[v + 1]]`).
/// Pipe direction (`from_node` → `to_node`) is the flow direction used by traces;
/// isolation ignores it. Nodes referenced by pipes but absent from the node layer
/// get an index too (no feature, kind junction) so the topology stays whole;
/// `check` reports them. Built once per snapshot layers (see `CitySnapshot.pipeNetworks`).
public struct PipeNetwork: Sendable {
    public let name: String
    public let pipeLayer: LayerSnapshot
    public let nodeLayer: LayerSnapshot?

    public let pipeIDs: [String]
    /// Pipe → position in `pipeLayer`.
    public let pipeFeature: [Int32]
    /// End nodes, -1 when the pipe lacks `from_node` / `to_node`.
    public let pipeFrom: [Int32]
    public let pipeTo: [Int32]
    /// Geodesic length in metres.
    public let pipeLength: [Double]
    /// Distance in metres from the pipe's first / last vertex to its from / to node (-1: node has no position).
    let fromGap: [Double]
    let toGap: [Double]
    /// The same with the pipe's ends swapped (a pipe drawn against its direction).
    let fromGapSwapped: [Double]
    let toGapSwapped: [Double]

    public let nodeIDs: [String]
    /// Node → position in `nodeLayer`, -1 for nodes referenced but missing.
    public let nodeFeature: [Int32]
    public let nodeKind: [PipeNodeKind]
    public let valveState: [ValveState]

    let adjStart: [Int32]
    let adjacency: [Int32]
    let nodeIndex: [String: Int32]
    let pipeIndex: [String: Int32]
    /// `pipeLayer` position → pipe index (-1: another network's pipe).
    let pipeOfFeature: [Int32]
    /// `nodeLayer` position → node index (-1: not in this network).
    let nodeOfFeature: [Int32]
    public let sources: [Int32]
    /// Nodes reached from some source with the valves as they stand; empty without sources.
    /// Pipes between each node and the nearest source at rest (Int32.max: none), guiding isolation's searches.
    private(set) var sourceHops: [Int32] = []
    /// Nodes and pipes fed from some source with the valves as they stand (all false without sources).
    private(set) var nodeFedAtRest: [Bool] = []
    private(set) var pipeFedAtRest: [Bool] = []

    let duplicatePipeIDs: [String]
    let duplicateNodeIDs: [String]
    let pipesWithoutEnds: [String]
    let scratch = ScratchPool()

    public var pipeCount: Int { pipeIDs.count }
    public var nodeCount: Int { nodeIDs.count }

    /// Incident pipes of node v.
    @inline(__always) func incident(_ v: Int) -> Range<Int> { Int(adjStart[v])..<Int(adjStart[v + 1]) }

    /// The other end of pipe p seen from node v (-1 if none).
    @inline(__always) func across(_ p: Int, from v: Int) -> Int {
        let a = Int(pipeFrom[p]), b = Int(pipeTo[p])
        return a == v ? b : a
    }

    public func pipe(id: String) -> Int? { pipeIndex[id].map(Int.init) }
    public func node(id: String) -> Int? { nodeIndex[id].map(Int.init) }

    /// The node's coordinate, nil for nodes missing from the node layer.
    public func nodePoint(_ v: Int) -> Coordinate? {
        guard let l = nodeLayer, nodeFeature[v] >= 0, case .point(let c) = l.geometry.geometry(Int(nodeFeature[v])) else { return nil }
        return c
    }

    /// Builds a network from pipe features (positions `pipePositions` of `pipes`) and the
    /// node features that belong to it (`nodePositions` of `nodes`).
    init(name: String, pipes: LayerSnapshot, pipePositions: [Int], pipeObjects: [JSONObject],
         nodes: LayerSnapshot?, nodePositions: [Int], nodeObjects: [JSONObject]) {
        self.name = name
        pipeLayer = pipes
        nodeLayer = nodes
        var nodeIDs: [String] = [], nodeFeature: [Int32] = [], kinds: [PipeNodeKind] = [], states: [ValveState] = []
        var nodeIndex: [String: Int32] = [:], dupNodes: [String] = []
        var nodeOfFeature = [Int32](repeating: -1, count: nodes?.count ?? 0)
        nodeIDs.reserveCapacity(nodePositions.count)
        for pos in nodePositions {
            let o = nodeObjects[pos]
            let id = o["node_id"]?.textValue ?? nodes?.extIDs[pos] ?? String(nodes?.featureIDs[pos] ?? 0)
            if nodeIndex[id] != nil {
                dupNodes.append(id)
                continue
            }
            nodeIndex[id] = Int32(nodeIDs.count)
            nodeOfFeature[pos] = Int32(nodeIDs.count)
            nodeIDs.append(id)
            nodeFeature.append(Int32(pos))
            let kind = PipeNodeKind(text: o["kind"]?.textValue ?? "")
            kinds.append(kind)
            states.append(kind == .valve ? ValveState(text: o["state"]?.textValue) : .open)
        }
        func nodeRef(_ id: String?) -> Int32 {
            guard let id, !id.isEmpty else { return -1 }
            if let v = nodeIndex[id] { return v }
            let v = Int32(nodeIDs.count)
            nodeIndex[id] = v
            nodeIDs.append(id)
            nodeFeature.append(-1)
            kinds.append(.junction)
            states.append(.open)
            return v
        }
        var pipeIDs: [String] = [], pipeFeature: [Int32] = [], from: [Int32] = [], to: [Int32] = []
        var lengths: [Double] = [], fromGap: [Double] = [], toGap: [Double] = [], fromSwapped: [Double] = [], toSwapped: [Double] = []
        var pipeIndex: [String: Int32] = [:], dupPipes: [String] = [], noEnds: [String] = []
        var pipeOfFeature = [Int32](repeating: -1, count: pipes.count)
        for pos in pipePositions {
            let o = pipeObjects[pos]
            var id = o["pipe_id"]?.textValue ?? pipes.extIDs[pos] ?? String(pipes.featureIDs[pos])
            if pipeIndex[id] != nil {
                dupPipes.append(id)
                // A duplicate still carries water: it stays in the graph under a unique key.
                id += "#\(pipes.featureIDs[pos])"
            }
            let p = Int32(pipeIDs.count)
            pipeIndex[id] = p
            pipeOfFeature[pos] = p
            pipeIDs.append(id)
            pipeFeature.append(Int32(pos))
            let a = nodeRef(o["from_node"]?.textValue), b = nodeRef(o["to_node"]?.textValue)
            if a < 0 || b < 0 { noEnds.append(id) }
            from.append(a)
            to.append(b)
            var length = 0.0, first: Coordinate?, last: Coordinate?
            pipes.geometry.geometry(pos).forEachCoordinate { c in
                if let l = last { length += Geodesy.haversine(l, c) }
                if first == nil { first = c }
                last = c
            }
            lengths.append(length)
            fromGap.append(Self.gap(nodes, a >= 0 ? nodeFeature[Int(a)] : -1, first))
            toGap.append(Self.gap(nodes, b >= 0 ? nodeFeature[Int(b)] : -1, last))
            fromSwapped.append(Self.gap(nodes, a >= 0 ? nodeFeature[Int(a)] : -1, last))
            toSwapped.append(Self.gap(nodes, b >= 0 ? nodeFeature[Int(b)] : -1, first))
        }
        // CSR adjacency: count, prefix-sum, fill.
        var start = [Int32](repeating: 0, count: nodeIDs.count + 1)
        for p in from.indices {
            if from[p] >= 0 { start[Int(from[p]) + 1] += 1 }
            if to[p] >= 0 && to[p] != from[p] { start[Int(to[p]) + 1] += 1 }
        }
        for v in 0..<nodeIDs.count { start[v + 1] += start[v] }
        var fill = start
        var adjacency = [Int32](repeating: 0, count: Int(start[nodeIDs.count]))
        for p in from.indices {
            if from[p] >= 0 {
                adjacency[Int(fill[Int(from[p])])] = Int32(p)
                fill[Int(from[p])] += 1
            }
            if to[p] >= 0 && to[p] != from[p] {
                adjacency[Int(fill[Int(to[p])])] = Int32(p)
                fill[Int(to[p])] += 1
            }
        }
        self.nodeIDs = nodeIDs
        self.nodeFeature = nodeFeature
        nodeKind = kinds
        valveState = states
        self.nodeIndex = nodeIndex
        self.nodeOfFeature = nodeOfFeature
        self.pipeIDs = pipeIDs
        self.pipeFeature = pipeFeature
        pipeFrom = from
        pipeTo = to
        pipeLength = lengths
        self.fromGap = fromGap
        self.toGap = toGap
        fromGapSwapped = fromSwapped
        toGapSwapped = toSwapped
        self.pipeIndex = pipeIndex
        self.pipeOfFeature = pipeOfFeature
        adjStart = start
        self.adjacency = adjacency
        duplicatePipeIDs = dupPipes
        duplicateNodeIDs = dupNodes
        pipesWithoutEnds = noEnds
        let sources = kinds.indices.filter { kinds[$0] == .source }.map { Int32($0) }
        self.sources = sources
        var s = scratch.take()
        s.begin(nodes: nodeIDs.count, pipes: pipeIDs.count)
        let fed = s.epoch + 2
        flood(&s, mark: fed)
        nodeFedAtRest = s.nodeMark.map { $0 == fed }
        pipeFedAtRest = s.pipeMark.map { $0 == fed }
        // Hops from the sources: the flood's queue is breadth-first, so a second pass in its order gives them.
        var hops = [Int32](repeating: .max, count: nodeIDs.count)
        for src in sources { hops[Int(src)] = 0 }
        for v in s.queue {
            for k in Int(start[Int(v)])..<Int(start[Int(v) + 1]) {
                let p = Int(adjacency[Int(k)])
                let w = Int(from[p]) == Int(v) ? Int(to[p]) : Int(from[p])
                if w >= 0 && nodeFedAtRest[w] && hops[w] == .max { hops[w] = hops[Int(v)] + 1 }
            }
        }
        sourceHops = hops
        scratch.give(s)
    }

    /// Metres from a pipe end to its node's point (-1 when either is unknown).
    static func gap(_ nodes: LayerSnapshot?, _ feature: Int32, _ end: Coordinate?) -> Double {
        guard let nodes, feature >= 0, let end, case .point(let c) = nodes.geometry.geometry(Int(feature)) else { return -1 }
        return Geodesy.haversine(c, end)
    }
}

/// Reusable per-query marks, so isolation and traces do not allocate
/// arrays the size of the network on each request. An epoch counter makes
/// clearing free: a mark is set when it equals the current epoch.
final class ScratchPool: Sendable {
    private let free = Mutex<[Scratch]>([])

    struct Scratch {
        var nodeMark: [UInt32] = []
        var pipeMark: [UInt32] = []
        /// Marks of this query are epoch + 0…3 (what each means is up to the search).
        var epoch: UInt32 = 0
        var queue: [Int32] = []
        /// A binary min-heap of (hops << 32 | node) for best-first searches.
        var heap: [UInt64] = []

        mutating func push(hops: Int32, node: Int) {
            heap.append(UInt64(UInt32(bitPattern: hops)) << 32 | UInt64(node))
            var i = heap.count - 1
            while i > 0 {
                let parent = (i - 1) / 2
                if heap[parent] <= heap[i] { break }
                heap.swapAt(i, parent)
                i = parent
            }
        }

        mutating func pop() -> Int? {
            guard let first = heap.first else { return nil }
            let last = heap.removeLast()
            if !heap.isEmpty {
                heap[0] = last
                var i = 0
                while true {
                    let l = 2 * i + 1, r = l + 1
                    var m = i
                    if l < heap.count && heap[l] < heap[m] { m = l }
                    if r < heap.count && heap[r] < heap[m] { m = r }
                    if m == i { break }
                    heap.swapAt(i, m)
                    i = m
                }
            }
            return Int(first & 0xFFFF_FFFF)
        }

        mutating func begin(nodes: Int, pipes: Int) {
            if nodeMark.count != nodes || pipeMark.count != pipes || epoch >= UInt32.max - 4 {
                nodeMark = [UInt32](repeating: 0, count: nodes)
                pipeMark = [UInt32](repeating: 0, count: pipes)
                epoch = 0
            }
            epoch += 4
            queue.removeAll(keepingCapacity: true)
        }
    }

    func take() -> Scratch { free.withLock { $0.popLast() } ?? Scratch() }
    func give(_ s: Scratch) { free.withLock { if $0.count < 8 { $0.append(s) } } }
}
