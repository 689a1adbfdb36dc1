import Geo
import Synchronization

/// Every pipe network of a snapshot, by the pipes' `network` value (water,
/// drainage, sewage, rain, gas…), built from the first pipe and pipe_node layers.
/// Nodes with a `network` property join that network only; nodes without one
/// are offered to every network (a pipe picks them up by id).
public struct PipeNetworkSet: Sendable {
    public let networks: [String: PipeNetwork]

    public var names: [String] { networks.keys.sorted() }

    public init(pipes: LayerSnapshot?, nodes: LayerSnapshot?) {
        guard let pipes else {
            networks = [:]
            return
        }
        let pipeObjects = (0..<pipes.count).map { pipes.properties.object($0) }
        let nodeObjects = nodes.map { l in (0..<l.count).map { l.properties.object($0) } } ?? []
        var pipeGroups: [String: [Int]] = [:]
        for (i, o) in pipeObjects.enumerated() {
            guard let n = o["network"]?.textValue, !n.isEmpty else { continue }
            pipeGroups[n, default: []].append(i)
        }
        var nodeGroups: [String: [Int]] = [:], shared: [Int] = []
        for (i, o) in nodeObjects.enumerated() {
            if let n = o["network"]?.textValue, !n.isEmpty { nodeGroups[n, default: []].append(i) } else { shared.append(i) }
        }
        var out: [String: PipeNetwork] = [:]
        for (name, positions) in pipeGroups {
            let nodePositions = shared.isEmpty ? nodeGroups[name] ?? [] : ((nodeGroups[name] ?? []) + shared).sorted()
            out[name] = PipeNetwork(name: name, pipes: pipes, pipePositions: positions, pipeObjects: pipeObjects,
                                    nodes: nodes, nodePositions: nodePositions, nodeObjects: nodeObjects)
        }
        networks = out
    }
}

/// The networks of the last two pipe layer pairs seen, keyed on the layers' identities:
/// snapshots that only change readings or events share them, and a reader still
/// holding the previous snapshot does not evict the new one. Two, not more: each
/// entry keeps its pipe layers alive, and a soak run with base-layer reloads
/// showed older entries as memory that never came back.
private let networkCache = Mutex<[(key: [Int], set: PipeNetworkSet)]>([])

extension CitySnapshot {
    /// The snapshot's pipe networks, built on first use and shared while the pipe layers stay the same.
    public var pipeNetworks: PipeNetworkSet {
        let pipes = layer(role: .pipe), nodes = layer(role: .pipeNode)
        let key = [pipes?.identity ?? -1, nodes?.identity ?? -1]
        if let hit = networkCache.withLock({ $0.first { $0.key == key }?.set }) { return hit }
        let set = PipeNetworkSet(pipes: pipes, nodes: nodes)
        networkCache.withLock { cache in
            cache.removeAll { $0.key == key }
            cache.append((key, set))
            if cache.count > 2 { cache.removeFirst() }
        }
        return set
    }

    /// One network by name; unknown names are `unknownFeature` (404).
    public func pipeNetwork(_ name: String) throws(CityOpsError) -> PipeNetwork {
        let set = pipeNetworks
        guard let n = set.networks[name] else {
            let known = set.names.joined(separator: ", ")
            throw CityOpsError(.unknownFeature, "unknown network \"\(name.prefix(40))\" (known: \(known.isEmpty ? "none" : known))", parameter: "network")
        }
        return n
    }
}
