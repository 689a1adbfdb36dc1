import Geo

/// What an isolation is asked for: a pipe by id, or the pipe nearest a point.
public struct IsolationRequest: Sendable {
    public var pipeID: String?
    /// WGS84; used when `pipeID` is nil.
    public var point: Coordinate?
    /// A point farther than this from every pipe of the network is refused (422).
    public var maxDistanceM: Double
    /// Valve node ids found stuck: passed through, so the next ring of valves is proposed.
    public var excludeValves: [String]
    public var serviceDistanceM: Double

    public init(pipeID: String?, point: Coordinate?, maxDistanceM: Double = 200, excludeValves: [String] = [],
                serviceDistanceM: Double = PipeNetworkDefaults.serviceDistanceM) {
        self.pipeID = pipeID
        self.point = point
        self.maxDistanceM = maxDistanceM
        self.excludeValves = excludeValves
        self.serviceDistanceM = serviceDistanceM
    }
}

public enum PipeNetworkDefaults {
    /// Buildings this close to an isolated pipe lose supply (metres).
    public static let serviceDistanceM = 30.0
    /// Pipe ends this far from their node are reported by `check` (metres).
    public static let endToleranceM = 2.0
    /// A point farther than this from every pipe or node is refused (metres).
    public static let maxSnapDistanceM = 200.0
    /// Event types (or parts of them) that mean a burst or dug-through water main.
    public static let burstEventWords = ["管道破裂", "爆管", "挖断", "水管破裂", "pipe_burst"]
    /// The network a burst main belongs to.
    public static let burstNetwork = "water"
}

/// A burst main's isolation proposal, kept with an event's plan.
public struct BurstContext: Sendable {
    public var answer: IsolationAnswer
    let snapshot: CitySnapshot

    /// The isolation as `POST /v1/networks/{network}/isolate` answers it.
    public func json(_ crs: CRS) -> String { PipeNetworkJSON.isolation(snapshot, answer, crs: crs) }
}

/// An isolation with the pipe it started from and the area it leaves without water.
public struct IsolationAnswer: Sendable {
    public var network: PipeNetwork
    public var isolation: Isolation
    public var area: AffectedArea
    /// From the requested point to the chosen pipe; nil when asked by id.
    public var snapDistanceM: Double?
    public var serviceDistanceM: Double
}

/// A trace with its start and the area along it.
public struct TraceAnswer: Sendable {
    public var network: PipeNetwork
    public var trace: Trace
    public var area: AffectedArea
    public var snapDistanceM: Double?
    public var serviceDistanceM: Double
}

extension CitySnapshot {
    /// Valve isolation in `network`. Errors: unknown network, pipe or valve → `unknownFeature`;
    /// an excluded id that is not a valve → `invalidParameter`; a point beyond `maxDistanceM` → `unusable`.
    public func isolate(network name: String, _ request: IsolationRequest) throws(CityOpsError) -> IsolationAnswer {
        let net = try pipeNetwork(name)
        var snap: Double?
        let pipe: Int
        if let id = request.pipeID {
            guard let p = net.pipe(id: id) else {
                throw CityOpsError(.unknownFeature, "no pipe \"\(id.prefix(64))\" in network \(name)", parameter: "pipe_id")
            }
            pipe = p
        } else if let c = request.point {
            let filter = net.pipeOfFeature
            guard let hit = nearest(net.pipeLayer, lon: c.x, lat: c.y, k: 1, maxDistance: request.maxDistanceM, filter: { filter[$0] >= 0 }).first else {
                throw CityOpsError(.unusable, "no pipe of network \(name) within \(Int(request.maxDistanceM)) m of the point", parameter: "lon")
            }
            pipe = Int(filter[hit.position])
            snap = hit.distance
        } else {
            throw CityOpsError(.invalidParameter, "give pipe_id or lon and lat", parameter: "pipe_id")
        }
        var excluded = Set<Int32>()
        for id in request.excludeValves {
            guard let v = net.node(id: id) else {
                throw CityOpsError(.unknownFeature, "no node \"\(id.prefix(64))\" in network \(name)", parameter: "exclude_valves")
            }
            guard net.nodeKind[v] == .valve else {
                throw CityOpsError(.invalidParameter, "node \"\(id.prefix(64))\" is a \(net.nodeKind[v].name), not a valve", parameter: "exclude_valves")
            }
            excluded.insert(Int32(v))
        }
        let iso = net.isolate(pipe: pipe, excluding: excluded)
        let area = affectedArea(net, pipes: iso.pipes + iso.unintendedPipes, serviceDistanceM: request.serviceDistanceM)
        return IsolationAnswer(network: net, isolation: iso, area: area, snapDistanceM: snap, serviceDistanceM: request.serviceDistanceM)
    }

    /// The isolation proposal for an event of a burst type at `point` (nil for other types,
    /// or with no water pipe within `within` metres); buildings within `serviceDistanceM` of the cut are affected.
    public func burstContext(type: String, at point: Coordinate, within: Double,
                             serviceDistanceM: Double = PipeNetworkDefaults.serviceDistanceM) -> BurstContext? {
        guard PipeNetworkDefaults.burstEventWords.contains(where: { type.contains($0) }),
              let answer = try? isolate(network: PipeNetworkDefaults.burstNetwork,
                                        IsolationRequest(pipeID: nil, point: point, maxDistanceM: max(within, 1),
                                                         serviceDistanceM: serviceDistanceM)) else { return nil }
        return BurstContext(answer: answer, snapshot: self)
    }

    /// A trace from a node id or the node nearest a point. Errors as `isolate`.
    public func trace(network name: String, fromNode id: String?, point: Coordinate?, direction: TraceDirection,
                      maxDistanceM: Double = PipeNetworkDefaults.maxSnapDistanceM,
                      serviceDistanceM: Double = PipeNetworkDefaults.serviceDistanceM) throws(CityOpsError) -> TraceAnswer {
        let net = try pipeNetwork(name)
        var snap: Double?
        let start: Int
        if let id {
            guard let v = net.node(id: id) else { throw CityOpsError(.unknownFeature, "no node \"\(id.prefix(64))\" in network \(name)", parameter: "from") }
            start = v
        } else if let c = point, let nodes = net.nodeLayer {
            let filter = net.nodeOfFeature
            guard let hit = nearest(nodes, lon: c.x, lat: c.y, k: 1, maxDistance: maxDistanceM, filter: { filter[$0] >= 0 }).first else {
                throw CityOpsError(.unusable, "no node of network \(name) within \(Int(maxDistanceM)) m of the point", parameter: "from")
            }
            start = Int(filter[hit.position])
            snap = hit.distance
        } else {
            throw CityOpsError(.unusable, "network \(name) has no node layer to find a node near the point", parameter: "from")
        }
        let t = net.trace(from: start, direction: direction)
        let area = affectedArea(net, pipes: t.pipes, serviceDistanceM: serviceDistanceM)
        return TraceAnswer(network: net, trace: t, area: area, snapDistanceM: snap, serviceDistanceM: serviceDistanceM)
    }
}
