import Geo

/// Administrative levels, with Amap's match-level names.
public enum AdminLevel: Int, Sendable, CaseIterable, Comparable {
    case district = 0, street, community, grid

    public var matchLevel: MatchLevel {
        switch self {
        case .district: .district
        case .street: .street
        case .community: .community
        case .grid: .grid
        }
    }

    public static func < (a: AdminLevel, b: AdminLevel) -> Bool { a.rawValue < b.rawValue }
}

/// `level` of a geocoding result (its raw value is the answer's `level`).
public enum MatchLevel: String, Sendable, CaseIterable {
    case address = "门址", poi = "兴趣点", intersection = "道路交叉口", road = "道路"
    case grid = "网格", community = "社区", street = "街道", district = "区县"
    case city = "市", province = "省"

    /// Amap's level name where Amap has the level (门牌号, 兴趣点, 道路交叉路口,
    /// 道路, 乡镇, 区县, 市, 省); our own name for community and grid.
    public var amapLevel: String {
        switch self {
        case .address: "门牌号"
        case .intersection: "道路交叉路口"
        case .street: "乡镇"
        default: rawValue
        }
    }
}

/// Which admin areas (by code) a point or feature lies in.
public struct AdminCodes: Sendable, Equatable {
    public var district: String?
    public var street: String?
    public var community: String?
    public var grid: String?
    public init(district: String? = nil, street: String? = nil, community: String? = nil, grid: String? = nil) {
        self.district = district; self.street = street; self.community = community; self.grid = grid
    }
    public subscript(level: AdminLevel) -> String? {
        switch level {
        case .district: district
        case .street: street
        case .community: community
        case .grid: grid
        }
    }
}

public struct AdminEntry: Sendable {
    public var level: AdminLevel
    public var code: String
    public var name: String
    public var parentCode: String?
    /// A point inside the area (its label point), returned when the query names the area.
    public var point: Coordinate
    public init(level: AdminLevel, code: String, name: String, parentCode: String?, point: Coordinate) {
        self.level = level; self.code = code; self.name = name; self.parentCode = parentCode; self.point = point
    }
}

public struct RoadEntry: Sendable {
    public var name: String
    public var lines: [[Coordinate]]
    /// Codes of every admin area the road passes through (any level).
    public var adminCodes: Set<String>
    public init(name: String, lines: [[Coordinate]], adminCodes: Set<String>) {
        self.name = name; self.lines = lines; self.adminCodes = adminCodes
    }
}

public struct AddressEntry: Sendable {
    public var road: String
    public var number: Int
    public var full: String
    public var point: Coordinate
    public var admin: AdminCodes
    public init(road: String, number: Int, full: String, point: Coordinate, admin: AdminCodes) {
        self.road = road; self.number = number; self.full = full; self.point = point; self.admin = admin
    }
}

public struct POIEntry: Sendable {
    public var name: String
    public var aliases: [String]
    public var category: String
    public var point: Coordinate
    public var admin: AdminCodes
    public init(name: String, aliases: [String], category: String, point: Coordinate, admin: AdminCodes) {
        self.name = name; self.aliases = aliases; self.category = category; self.point = point; self.admin = admin
    }
}
