import Geo

/// The generated city: every layer's features in WGS84 lon/lat, plus the
/// 12345 work orders kept as reference data.
public struct SampleCityData: Sendable {
    public var seed: UInt64
    public var scale: Int
    public var districts: Int = 1
    /// Layer name → features, in the order the manifest lists them.
    public var layers: [(name: String, role: LayerRole, features: [Feature])]
    public var workOrders: [Feature]
    public var profile: SampleCityProfile = .standard

    public init(seed: UInt64, scale: Int, districts: Int = 1, layers: [(name: String, role: LayerRole, features: [Feature])],
                workOrders: [Feature], profile: SampleCityProfile = .standard) {
        self.seed = seed; self.scale = scale; self.districts = districts; self.layers = layers
        self.workOrders = workOrders; self.profile = profile
    }

    public func features(_ name: String) -> [Feature] { layers.first { $0.name == name }?.features ?? [] }
}

/// Deterministic generator of a ~110 km² district (or of a city of N such
/// districts side by side, `districts`), by default a fictional
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
    /// How many adjacent districts the city has (1 = the committed sample).
    public let districts: Int
    /// The city: district, city and province names and codes, and the centre.
    /// While one district is generated, that district's profile.
    public internal(set) var profile: SampleCityProfile
    let frame: LocalFrame
    var rng: SeededRandom

    // The district being generated, and the whole city's lattice (metres) that its
    // local lattice indices read through the slot's offset.
    var slot: DistrictSlot
    var lattice = CityLattice()
    var names = DistrictNames.standard
    /// Every district's names (a road crossing in from a neighbour keeps the neighbour's name).
    var cityNames: [DistrictNames] = [.standard]

    public init(seed: UInt64 = defaultSeed, scale: Int = 1, profile: SampleCityProfile = .standard, districts: Int = 1) {
        self.seed = seed
        self.scale = max(1, scale)
        self.profile = profile
        self.districts = min(max(1, districts), CityLayout.maxDistricts)
        frame = LocalFrame(origin: profile.centre)
        rng = SeededRandom(seed: seed)
        slot = DistrictSlot(index: 0, column: 0, row: 0, oi: 0, oj: 0, seed: seed, west: false, south: false, east: false, north: false)
    }

    /// The most districts `districts` may ask for (each needs its own names).
    public static var maxDistricts: Int { CityLayout.maxDistricts }

    @inline(__always) func v(_ i: Int, _ j: Int) -> Point2 { lattice.vertices[(j + slot.oj) * (lattice.width + 1) + i + slot.oi] }
    @inline(__always) func hMid(_ i: Int, _ j: Int) -> Point2 { lattice.hMids[(j + slot.oj) * lattice.width + i + slot.oi] }
    @inline(__always) func vMid(_ i: Int, _ j: Int) -> Point2 { lattice.vMids[(j + slot.oj) * (lattice.width + 1) + i + slot.oi] }
    /// The city-lattice index of local vertex (i, j).
    @inline(__always) func globalVertex(_ i: Int, _ j: Int) -> Int { (j + slot.oj) * (lattice.width + 1) + i + slot.oi }

    /// One district's lattice, for the generators of query sets that need only the first district.
    mutating func buildLattice() { lattice = CityLayout(districts: 1, seed: seed, profile: profile).lattice }

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
        let layout = CityLayout(districts: districts, seed: seed, profile: profile)
        var layers: [(name: String, role: LayerRole, features: [Feature])] = []
        var orders: [Feature] = []
        var nodeIDs = SharedPipeNodes()
        for s in layout.slots {
            var g = self
            g.slot = s
            g.lattice = layout.lattice
            g.profile = layout.profiles[s.index]
            g.names = layout.names[s.index]
            g.cityNames = layout.names
            g.rng = SeededRandom(seed: s.seed)
            let part = g.generateDistrict(&nodeIDs)
            if layers.isEmpty { layers = part.layers } else {
                for k in layers.indices { layers[k].features += part.layers[k].features }
            }
            orders += part.workOrders
        }
        if districts > 1, let k = layers.firstIndex(where: { $0.name == "pipes" }) {
            layers[k].features += trunkMains(layout, nodeIDs)
        }
        return SampleCityData(seed: seed, scale: scale, districts: districts, layers: layers, workOrders: orders, profile: profile)
    }

    /// One district's layers, reading and extending the pipe nodes shared with earlier districts.
    func generateDistrict(_ nodeIDs: inout SharedPipeNodes) -> SampleCityData {
        let g = self
        let admin = g.makeAdmin()
        let roads = g.makeRoads()
        let addresses = g.makeAddresses(roads)
        let buildings = g.makeBuildings(addresses)
        let pois = g.makePOIs(roads: roads, addresses: addresses, admin: admin)
        let (pipes, nodes) = g.makePipes(&nodeIDs)
        let (stations, bikes) = g.makeBikes(roads.filter { !$0.borrowed })
        let flood = g.makeFloodPoints(roads)
        let handlers = g.makeHandlers(admin)
        let orders = g.makeWorkOrders(addresses: addresses, pois: pois, roads: roads, admin: admin)
        return SampleCityData(seed: seed, scale: scale, layers: [
            ("district", .district, admin.district), ("streets", .street, admin.streets),
            ("communities", .community, admin.communities), ("grids", .grid, admin.grids),
            ("roads", .road, roads.filter { !$0.borrowed }.map(\.feature)), ("addresses", .address, addresses.map(\.feature)),
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
