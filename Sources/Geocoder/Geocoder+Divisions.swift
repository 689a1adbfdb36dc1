import Geo

extension Geocoder {
    /// The bare country name, dropped only before a province or city (it also starts names of banks and shops).
    static let countryName: [Character] = ["中", "国"]

    /// Reads province, city and county names of the national table at the
    /// front of normalized text, in that order, each optional, in full, short or
    /// mixed form (<省><市><区>, <省short><市short><区short>, <市><区> …), and
    /// returns the text after them. Each is recorded in `p.region`; one outside
    /// the deployment sets `p.outOfArea`; a county the admin layers hold is
    /// read as that district.
    func readDivisions(_ text: String, _ p: inout ParsedAddress) -> String {
        let g = gazetteer, t = g.divisions
        let chars = Array(text)
        var start = 0
        if chars.starts(with: Self.countryName), nextDivision(chars, from: 2, p) != nil { start = 2 }
        while let (index, length) = nextDivision(chars, from: start, p) {
            let d = t.divisions[index]
            if !g.area.contains(d, in: t) { p.outOfArea = true }
            let r = t.region(ofCode: d.code)
            switch d.level {
            case .province: p.region.province = d.code
            case .city: p.region.city = d.code
            case .county: p.region.county = d.code
            }
            p.region.province = p.region.province ?? r.province
            if d.level == .county { p.region.city = p.region.city ?? r.city }
            if d.level == .county, let i = g.adminByCode[d.code], g.admins[i].level == .district { p.admin[.district] = i }
            start += length
            if d.level == .county { break }
        }
        return String(chars[start...])
    }

    /// The division named at `start` (table row, characters used), or nil.
    /// The longest name wins; a local admin, road or POI name at least as long
    /// wins over it (a road named after a city, a district the layers hold);
    /// each level is read once, below the ones read before; a name in the
    /// deployment wins over a namesake outside it.
    func nextDivision(_ chars: [Character], from start: Int, _ p: ParsedAddress) -> (Int, Int)? {
        let g = gazetteer, t = g.divisions
        let available = chars.count - start
        guard available >= 2, p.region.county == nil, p.admin[.district] == nil else { return nil }
        let deepest: DivisionLevel? = p.region.city != nil ? .city : p.region.province != nil ? .province : nil
        let local = g.longestLocalName(chars, from: start)
        var fallback: (Int, Int)?
        for length in stride(from: min(t.longestKey, available), through: 2, by: -1) {
            if local >= length { return fallback }
            let hits = t.hits(chars, from: start, length: length).filter { h in
                let d = t.divisions[h.index]
                if let deepest, d.level <= deepest { return false }
                if let c = p.region.city { return t.isDescendant(d, of: c) }
                if let pr = p.region.province { return t.isDescendant(d, of: pr) }
                return true
            }
            let ranked = hits.sorted { a, b in
                let da = t.divisions[a.index], db = t.divisions[b.index]
                let ia = g.area.contains(da, in: t) ? 0 : 1, ib = g.area.contains(db, in: t) ? 0 : 1
                return (ia, da.level.rawValue, a.index) < (ib, db.level.rawValue, b.index)
            }
            for h in ranked where accepts(h, chars, from: start, length: length, p) {
                // A province or city followed by what can follow it, else a shorter
                // form may be (<city short> + <county 市中区> over <city>市 + 中区).
                let after = start + length
                if t.divisions[h.index].level == .county || after == chars.count
                    || t.startsWithDescendant(chars, from: after, of: t.divisions[h.index]) || g.longestLocalName(chars, from: after) > 0
                    || g.startsWithDistrictShortName(chars, from: after) {
                    return (h.index, length)
                }
                fallback = fallback ?? (h.index, length)
            }
        }
        return fallback
    }

    /// Whether a matched name is a prefix here. Full names are (a county's
    /// only with 3+ characters when no province or city came before: 2-character
    /// county names are everyday words). A short form needs evidence: a county's
    /// a province or city before it; a province's or city's the end of the text,
    /// a division below it, or a local admin, road or POI name after it.
    func accepts(_ h: AdminDivisionTable.NameHit, _ chars: [Character], from start: Int, length: Int, _ p: ParsedAddress) -> Bool {
        let g = gazetteer, t = g.divisions
        let d = t.divisions[h.index]
        let prefixed = p.region.province != nil || p.region.city != nil
        if d.level == .county && (h.isShort || length < 3) { return prefixed }
        guard h.isShort else { return true }
        let after = start + length
        if after == chars.count { return true }
        if t.startsWithDescendant(chars, from: after, of: d) { return true }
        return g.longestLocalName(chars, from: after) > 0 || g.startsWithDistrictShortName(chars, from: after)
    }

    /// The answer for a text naming a division outside the deployment: that
    /// division alone, no point, confidence `outOfAreaConfidence`.
    func outOfAreaAnswer(_ p: ParsedAddress) -> GeocodeResult {
        var r = regionResult(p.region, point: Coordinate(.nan, .nan), confidence: Self.outOfAreaConfidence, type: "out_of_area")
        r.outOfArea = true
        return r
    }

    /// A text naming only a province or city of the deployment (or a county the
    /// layers do not hold): the deepest of them with a point (the mean of the
    /// loaded districts' points), or nothing.
    func regionAnswer(_ p: ParsedAddress) -> [GeocodeResult] {
        let g = gazetteer
        for (code, confidence) in [(p.region.city, 0.5), (p.region.province, 0.4)] {
            guard let code, let point = g.regionPoints[code] else { continue }
            var region = g.divisions.region(ofCode: code)
            region.county = nil
            var r = regionResult(region, point: point, confidence: confidence, type: "centroid")
            r.formatted = g.divisions.fullName(p.region)
            return [r]
        }
        return []
    }

    func regionResult(_ region: DivisionRegion, point: Coordinate, confidence: Double, type: String) -> GeocodeResult {
        let t = gazetteer.divisions
        let level: MatchLevel = region.county != nil ? .district : region.city != nil ? .city : .province
        var comps: [(key: String, value: String)] = []
        for (key, code) in [("province", region.province), ("city", region.city), ("county", region.county)] {
            if let d = code.flatMap(t.division(code:)), !d.isSynthetic { comps.append((key, d.name)) }
        }
        return GeocodeResult(point: point, level: level, matchType: type, confidence: confidence, formatted: t.fullName(region),
                             components: comps, admin: AdminCodes(), region: region)
    }
}
