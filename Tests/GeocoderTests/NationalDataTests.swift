import Geo
import Testing
@testable import Geocoder

/// Real national data: every county of the national table (2,843, GB/T 2260)
/// as a district of one deployment, each at a made-up point. Each county's
/// name with its full province and city prefix must geocode to that county.
@Suite struct NationalDataTests {
    static let table = AdminDivisionTable.national
    static let counties = table.divisions.filter { $0.level == .county }
    static let geocoder: Geocoder = {
        let admins = counties.enumerated().map { k, d in
            AdminEntry(level: .district, code: d.code, name: d.name, parentCode: d.parentCode,
                       point: Coordinate(75 + Double(k % 100) * 0.5, 20 + Double(k / 100) * 0.5))
        }
        return Geocoder(Gazetteer(admins: admins, roads: [], addresses: [], pois: []))
    }()

    /// "<province><city><county>" (a municipality's name once; no city for a county under its province).
    static func prefixed(_ d: AdminDivision) -> String {
        table.fullName(table.region(ofCode: d.code))
    }

    @Test func everyCountyWithItsFullPrefixGeocodesToItself() {
        var misses: [String] = []
        for d in Self.counties {
            let q = Self.prefixed(d)
            let top = Self.geocoder.geocode(q).first
            if top?.admin.district != d.code || top?.outOfArea == true {
                misses.append("\(q) \(d.code) → \(top?.admin.district ?? "nothing") \(top?.formatted ?? "")")
            }
        }
        let rate = Double(Self.counties.count - misses.count) / Double(Self.counties.count)
        print("national counties, full prefix: \(Self.counties.count - misses.count)/\(Self.counties.count) = \(rate); misses: \(misses)")
        #expect(rate >= 0.99, "\(misses.count) misses: \(misses.prefix(50))")
        #expect(Self.counties.count == 2843)
    }

    /// Short province and city forms with the county's full name.
    @Test func shortPrefixes() {
        var misses: [String] = []
        for d in Self.counties {
            let r = Self.table.region(ofCode: d.code)
            let parts = [r.province, r.city].compactMap { $0.flatMap(Self.table.division(code:)) }.filter { !$0.isSynthetic }
            var shorts: [String] = []
            for p in parts where shorts.last != p.short { shorts.append(p.short.isEmpty ? p.name : p.short) }
            let q = shorts.joined() + d.name
            if Self.geocoder.geocode(q).first?.admin.district != d.code { misses.append(q) }
        }
        let rate = Double(Self.counties.count - misses.count) / Double(Self.counties.count)
        print("national counties, short prefix: rate \(rate); misses: \(misses)")
        #expect(rate >= 0.98, "\(misses.count) misses: \(misses.prefix(50))")
    }
}
