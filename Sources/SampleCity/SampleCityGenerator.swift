import Geo

/// The generated city: every layer's features in WGS84 lon/lat, plus the
/// 12345 work orders kept as reference data.
public struct SampleCityData: Sendable {
    public var seed: UInt64
    public var scale: Int
    /// Layer name → features, in the order the manifest lists them.
    public var layers: [(name: String, role: LayerRole, features: [Feature])]
    public var workOrders: [Feature]
    public var profile: SampleCityProfile = .standard

    public func features(_ name: String) -> [Feature] { layers.first { $0.name == name }?.features ?? [] }
}

/// Deterministic generator of a ~110 km² district, by default a fictional
/// one near Chengdu (104.10 E, 30.67 N; `SampleCityProfile.standard`), or any
/// county of the national table (`SampleCityProfile.named`). Everything derives from one jittered lattice of
/// 41 × 26 vertices: grids are its cells, communities and streets are
/// rectangles of cells, so the admin hierarchy tiles exactly (shared
/// vertices, no gaps or overlaps); arterial roads run along lattice lines
/// and the pipe networks are spanning trees of the same graph.
public struct SampleCityGenerator {
    public static let defaultSeed: UInt64 = 20_240_611
    public static let centre = Coordinate(104.10, 30.67)

    static let columns = 40, rows = 25
    static let cellWidth = 275.0, cellHeight = 400.0
    /// Community rows (in cells): 3,2,3,2,… = 25; community columns are 4 cells wide.
    static let communityRowSizes = [3, 2, 3, 2, 3, 2, 3, 2, 3, 2]
    /// Street bands (in community columns) and where each band splits into two streets (in community rows).
    static let streetBands = [2, 1, 2, 1, 2, 1, 1]
    static let streetSplits = [4, 5, 6, 5, 4, 6, 5]

    public let seed: UInt64
    public let scale: Int
    /// The city: district, city and province names and codes, and the centre.
    public let profile: SampleCityProfile
    let frame: LocalFrame
    var rng: SeededRandom

    // Lattice (metres): vertices and the bent midpoints of horizontal and vertical edges.
    var vertices: [Point2] = []
    var hMids: [Point2] = []
    var vMids: [Point2] = []

    public init(seed: UInt64 = defaultSeed, scale: Int = 1, profile: SampleCityProfile = .standard) {
        self.seed = seed
        self.scale = max(1, scale)
        self.profile = profile
        frame = LocalFrame(origin: profile.centre)
        rng = SeededRandom(seed: seed)
    }

    @inline(__always) func v(_ i: Int, _ j: Int) -> Point2 { vertices[j * (Self.columns + 1) + i] }
    @inline(__always) func hMid(_ i: Int, _ j: Int) -> Point2 { hMids[j * Self.columns + i] }
    @inline(__always) func vMid(_ i: Int, _ j: Int) -> Point2 { vMids[j * (Self.columns + 1) + i] }

    mutating func buildLattice() {
        var r = rng.fork(1)
        let x0 = -Double(Self.columns) * Self.cellWidth / 2, y0 = -Double(Self.rows) * Self.cellHeight / 2
        for j in 0...Self.rows {
            for i in 0...Self.columns {
                let edgeX = i == 0 || i == Self.columns, edgeY = j == 0 || j == Self.rows
                let jx = edgeX ? r.uniform(-60, 60) : r.uniform(-40, 40)
                let jy = edgeY ? r.uniform(-60, 60) : r.uniform(-50, 50)
                vertices.append(Point2(x0 + Double(i) * Self.cellWidth + jx, y0 + Double(j) * Self.cellHeight + jy))
            }
        }
        for j in 0...Self.rows {
            for i in 0..<Self.columns {
                let a = v(i, j), b = v(i + 1, j)
                hMids.append((a + b) * 0.5 + (b - a).unit.leftNormal * r.uniform(-12, 12))
            }
        }
        for j in 0..<Self.rows {
            for i in 0...Self.columns {
                let a = v(i, j), b = v(i, j + 1)
                vMids.append((a + b) * 0.5 + (b - a).unit.leftNormal * r.uniform(-12, 12))
            }
        }
    }

    /// The counter-clockwise boundary of the lattice rectangle [i0, i1] × [j0, j1], closed.
    func ring(_ i0: Int, _ j0: Int, _ i1: Int, _ j1: Int) -> [Coordinate] {
        var pts: [Point2] = []
        for i in i0..<i1 { pts.append(v(i, j0)); pts.append(hMid(i, j0)) }
        for j in j0..<j1 { pts.append(v(i1, j)); pts.append(vMid(i1, j)) }
        for i in stride(from: i1, to: i0, by: -1) { pts.append(v(i, j1)); pts.append(hMid(i - 1, j1)) }
        for j in stride(from: j1, to: j0, by: -1) { pts.append(v(i0, j)); pts.append(vMid(i0, j - 1)) }
        pts.append(v(i0, j0))
        return pts.map { frame.lonLat($0) }
    }

    /// A point inside cell (i, j) by bilinear interpolation of its corners, u, v in 0…1.
    func pointInCell(_ i: Int, _ j: Int, _ u: Double, _ w: Double) -> Point2 {
        let a = v(i, j), b = v(i + 1, j), c = v(i + 1, j + 1), d = v(i, j + 1)
        let bottom = a + (b - a) * u, top = d + (c - d) * u
        return bottom + (top - bottom) * w
    }

    public func generate() -> SampleCityData {
        var g = self
        g.buildLattice()
        let admin = g.makeAdmin()
        let roads = g.makeRoads()
        let addresses = g.makeAddresses(roads)
        let buildings = g.makeBuildings(addresses)
        let pois = g.makePOIs(roads: roads, addresses: addresses, admin: admin)
        let (pipes, nodes) = g.makePipes()
        let (stations, bikes) = g.makeBikes(roads)
        let flood = g.makeFloodPoints(roads)
        let handlers = g.makeHandlers(admin)
        let orders = g.makeWorkOrders(addresses: addresses, pois: pois, roads: roads, admin: admin)
        return SampleCityData(seed: seed, scale: scale, layers: [
            ("district", .district, admin.district), ("streets", .street, admin.streets),
            ("communities", .community, admin.communities), ("grids", .grid, admin.grids),
            ("roads", .road, roads.map(\.feature)), ("addresses", .address, addresses.map(\.feature)),
            ("pois", .poi, pois), ("buildings", .building, buildings),
            ("pipes", .pipe, pipes), ("pipe_nodes", .pipeNode, nodes),
            ("bike_stations", .bikeStation, stations), ("bikes", .bike, bikes),
            ("flood_points", .floodPoint, flood), ("handlers", .handler, handlers),
        ], workOrders: orders, profile: profile)
    }
}

extension JSONObject {
    init(_ pairs: KeyValuePairs<String, JSONValue>) {
        self.init(pairs.map { (key: $0.key, value: $0.value) })
    }
}

extension JSONValue {
    static func s(_ v: String) -> JSONValue { .string(v) }
    static func n(_ v: Double) -> JSONValue { .number(v) }
    static func i(_ v: Int) -> JSONValue { .number(Double(v)) }
}
