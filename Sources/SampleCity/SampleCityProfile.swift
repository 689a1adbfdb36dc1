import Geo
import Geocoder

/// Which city the sample is generated for: the district's code and name, its
/// city and province (full and short names, from the national table), and
/// where the lattice is centred. Everything else (streets, roads, POIs) is the
/// same fictional layout in every city.
public struct SampleCityProfile: Sendable, Equatable {
    public var districtCode: String
    public var districtName: String
    /// The district without its 区/县/市 (锦华区 → 锦华), as people shorten it.
    public var districtShort: String
    public var cityCode: String
    public var cityName: String
    public var cityShort: String
    public var provinceName: String
    public var provinceShort: String
    public var centre: Coordinate
    /// Said in the manifest's name ("near <place> <lon>E <lat>N").
    public var locationNote: String

    public init(districtCode: String, districtName: String, districtShort: String, cityCode: String, cityName: String, cityShort: String,
                provinceName: String, provinceShort: String, centre: Coordinate, locationNote: String) {
        self.districtCode = districtCode; self.districtName = districtName; self.districtShort = districtShort
        self.cityCode = cityCode; self.cityName = cityName; self.cityShort = cityShort
        self.provinceName = provinceName; self.provinceShort = provinceShort; self.centre = centre; self.locationNote = locationNote
    }

    /// The committed sample: a fictional district (锦华区, a code the national
    /// table does not list) in Chengdu, Sichuan.
    public static let standard = SampleCityProfile(
        districtCode: "510199", districtName: "锦华区", districtShort: "锦华", cityCode: "510100", cityName: "成都市", cityShort: "成都",
        provinceName: "四川省", provinceShort: "四川", centre: Coordinate(104.10, 30.67), locationNote: "near Chengdu 104.10E 30.67N")

    /// `<city><district>`, with the province in front when `province`; a
    /// municipality's province and city (重庆市重庆市) are written once.
    public func prefix(province: Bool, provinceShort: Bool = false, cityShort: Bool = false, districtShort: Bool = false) -> String {
        let p = provinceShort ? self.provinceShort : provinceName
        let c = cityShort ? self.cityShort : cityName
        let d = districtShort ? self.districtShort : districtName
        guard province else { return c + d }
        return (p == c ? p : p + c) + d
    }

    /// The profile of a real county or district of the national table, named
    /// in any form people write it (湾沚区, 芜湖市湾沚区, 安徽省芜湖市湾沚区,
    /// 芜湖湾沚, 重庆市江北区 …). The lattice is centred at `centre` (the table
    /// holds no coordinates). Throws a message listing the matches when the
    /// name is unknown or names several counties.
    public static func named(_ text: String, centre: Coordinate, table: AdminDivisionTable = .national) throws(SampleCityError) -> SampleCityProfile {
        let wanted = text.filter { !$0.isWhitespace }
        var found: [SampleCityProfile] = []
        for d in table.divisions where d.level == .county {
            let r = table.region(ofCode: d.code)
            guard let p = r.province.flatMap(table.division(code:)) else { continue }
            // A county under its province directly has no city: the province stands in.
            let c = r.city.flatMap(table.division(code:)) ?? p
            func forms(_ x: AdminDivision) -> [String] { x.short.isEmpty || x.short == x.name ? [x.name] : [x.name, x.short] }
            var spellings = Set<String>()
            for dn in forms(d) {
                for cn in forms(c) + [""] {
                    for pn in forms(p) + [""] {
                        spellings.insert((pn == cn ? "" : pn) + cn + dn)
                        if pn != cn { spellings.insert(pn + dn) }
                    }
                }
            }
            guard spellings.contains(wanted) else { continue }
            let short = d.short.isEmpty ? String(d.name.dropLast()) : d.short
            found.append(SampleCityProfile(
                districtCode: d.code, districtName: d.name, districtShort: short, cityCode: c.code, cityName: c.name,
                cityShort: c.short.isEmpty ? c.name : c.short, provinceName: p.name, provinceShort: p.short.isEmpty ? p.name : p.short,
                centre: centre, locationNote: String(format: "centred at %.2fE %.2fN", centre.x, centre.y)))
        }
        guard !found.isEmpty else { throw SampleCityError("no county or district named \"\(text)\" in the national table") }
        guard found.count == 1 else {
            let names = found.prefix(10).map { "\($0.prefix(province: true)) (\($0.districtCode))" }.joined(separator: ", ")
            throw SampleCityError("\"\(text)\" names \(found.count) counties: \(names); add the province or city")
        }
        return found[0]
    }
}

/// A sample city that cannot be made (unknown or ambiguous city name).
public struct SampleCityError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

import Foundation
