/// What a layer means to the services (DESIGN.md §2). The role fixes the
/// geometry family a layer may hold and the properties each feature needs.
public enum LayerRole: String, Sendable, CaseIterable, Codable {
    case district, street, community, grid, road, address, poi, building
    case pipe, pipeNode = "pipe_node", bikeStation = "bike_station", bike, bikeFence = "bike_fence"
    case floodPoint = "flood_point", handler, generic, event

    /// Properties every feature of the role must carry (non-empty).
    public var requiredProperties: [String] {
        switch self {
        case .district, .street, .community, .grid: ["code", "name", "parent_code"]
        case .road: ["name"]
        case .address: ["road", "number", "full"]
        case .poi: ["name", "category"]
        case .building: ["height_m", "floors", "cim_level", "use"]
        case .pipe: ["network", "diameter_mm", "material", "from_node", "to_node"]
        case .pipeNode: ["node_id", "kind"]
        case .bikeStation: ["station_id", "capacity"]
        case .bike: ["bike_id", "operator"]
        case .bikeFence: ["kind"]
        case .floodPoint: ["kind", "name", "sensor_id", "threshold_cm"]
        case .handler: ["handler_id", "type", "name", "grid_code"]
        case .generic, .event: []
        }
    }

    /// Properties that must be numbers (or numeric text, converted on import).
    public var numericProperties: [String] {
        switch self {
        case .building: ["height_m", "floors", "cim_level"]
        case .pipe: ["diameter_mm"]
        case .bikeStation: ["capacity"]
        case .bikeFence: ["capacity"]
        case .floodPoint: ["threshold_cm"]
        default: []
        }
    }

    /// The geometry type stored for the role: polygons and roads are
    /// promoted to multi (as `ogr2ogr -nlt PROMOTE_TO_MULTI`), points and
    /// pipes stay single; nil means any type (generic layers).
    public var storedGeometryType: GeometryType? {
        switch self {
        case .district, .street, .community, .grid, .building, .bikeFence: .multiPolygon
        case .road: .multiLineString
        case .pipe: .lineString
        case .address, .poi, .pipeNode, .bikeStation, .bike, .floodPoint, .handler, .event: .point
        case .generic: nil
        }
    }

    /// Default zoom range for tiles (points of dense layers appear late).
    public var defaultZoomRange: ClosedRange<Int> {
        switch self {
        case .district: 0...16
        case .street: 8...18
        case .community: 10...20
        case .grid: 12...22
        case .road: 10...22
        case .address: 16...22
        case .poi: 13...22
        case .building: 14...22
        case .pipe, .pipeNode: 14...22
        case .bikeStation: 13...22
        case .bike: 10...22
        case .bikeFence: 13...22
        case .floodPoint: 10...22
        case .handler: 12...22
        case .generic: 0...22
        case .event: 10...22
        }
    }
}
