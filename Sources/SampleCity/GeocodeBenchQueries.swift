import Geo

/// One held-out geocoding query: the text, its form, the level it names,
/// and the true location (for 社区/街道 queries, the code of the area named).
public struct GeocodeBenchQuery: Sendable {
    public var text: String
    public var form: String
    public var level: String
    public var truth: Coordinate
    public var areaCode: String?
    public init(text: String, form: String, level: String, truth: Coordinate, areaCode: String?) {
        self.text = text; self.form = form; self.level = level; self.truth = truth; self.areaCode = areaCode
    }
}

extension SampleCityGenerator {
    /// A held-out query set over this city's own addresses, POIs, roads and
    /// areas, drawn with `querySeed` (not the seed of the sample's work
    /// orders): colloquial forms, admin prefixes, full-width digits, Chinese
    /// numerals, typos (a wrong or a missing character), qualifiers, POI
    /// aliases (unique ones, or a chain's brand with its branch: 肯德基荆翠店 —
    /// a bare chain alias such as 邮局 names sixty places and has no single truth),
    /// intersections, grids, communities, streets and bare roads.
    public func geocodeBenchmarkQueries(querySeed: UInt64, count: Int) -> [GeocodeBenchQuery] {
        var g = self
        g.buildLattice()
        let admin = g.makeAdmin()
        let roads = g.makeRoads()
        let addresses = g.makeAddresses(roads)
        let pois = g.makePOIs(roads: roads, addresses: addresses, admin: admin)
        var r = SeededRandom(seed: querySeed)
        let qualifiers = ["附近", "门口", "对面", "旁边", "东侧", "西侧", "南门", "北门", "周边"]
        let pf = g.profile
        let prefixes = [pf.prefix(province: false), pf.prefix(province: true), pf.districtName, pf.prefix(province: false, cityShort: true),
                        pf.prefix(province: true, provinceShort: true, cityShort: true)]
        let forms = ["门址", "带行政区前缀", "中文数字", "全角数字", "限定词", "楼栋单元", "错别字", "缺字",
                     "兴趣点", "兴趣点别名", "交叉口", "网格", "社区", "街道", "无号道路"]
        var out: [GeocodeBenchQuery] = []
        // Names that occur once: a query naming a place shared by several has no single truth.
        var nameCount: [String: Int] = [:]
        for p in pois { nameCount[p.properties["name"]?.stringValue ?? "", default: 0] += 1 }
        let uniquePOIs = pois.filter { nameCount[$0.properties["name"]?.stringValue ?? ""] == 1 }
        let roadNames = Set(roads.map(\.name))
        let typoChars = ["建", "东", "华", "新", "青", "双", "锦", "龙", "民", "光", "明", "和", "安"]
        for k in 0..<count {
            let form = forms[k % forms.count]
            let a = addresses[r.int(0...(addresses.count - 1))]
            let road = roads[a.road].name
            let point = g.frame.lonLat(a.point)
            func q(_ text: String, _ level: String = "门址", _ truth: Coordinate? = nil, code: String? = nil) {
                out.append(GeocodeBenchQuery(text: text, form: form, level: level, truth: truth ?? point, areaCode: code))
            }
            switch form {
            case "门址": q(a.full)
            case "带行政区前缀": q(r.pick(prefixes) + a.full)
            case "中文数字": q("\(road)\(ChineseNumerals.string(a.number))号")
            case "全角数字": q(ChineseNumerals.fullWidth(a.full))
            case "限定词": q(a.full + r.pick(qualifiers))
            case "楼栋单元":
                let b = r.int(1...15), u = r.int(1...4)
                q(a.full + r.pick(["\(b)栋\(u)单元", "\(b)号楼\(u)单元", "\(b)幢", "\(b)#楼", "\(ChineseNumerals.string(b))栋"]))
            case "错别字", "缺字":
                // One character of the road's name stem (its first two characters) replaced or
                // dropped. Typos that leave the text as close to another road are redrawn: no
                // geocoder can tell which road was meant.
                var text: String?
                for _ in 0..<20 where text == nil {
                    let b = roads[r.int(0...(roads.count - 1))]
                    var chars = Array(b.name)
                    guard chars.count >= 3 else { continue }
                    let i = r.int(0...1)
                    if form == "错别字" { chars[i] = Character(r.pick(typoChars.filter { $0 != String(chars[i]) })) } else { chars.remove(at: i) }
                    let typo = String(chars)
                    let near = roadNames.filter { Self.withinOneEdit(Array(typo), Array($0)) }
                    guard near == [b.name], let addr = addresses.first(where: { roads[$0.road].name == b.name && $0.number % 7 == r.int(0...6) })
                            ?? addresses.first(where: { roads[$0.road].name == b.name }) else { continue }
                    text = typo + "\(addr.number)号"
                    out.append(GeocodeBenchQuery(text: text!, form: form, level: "门址", truth: g.frame.lonLat(addr.point), areaCode: nil))
                }
                if text == nil { q(a.full) }
            case "兴趣点", "兴趣点别名":
                let p = uniquePOIs[r.int(0...(uniquePOIs.count - 1))]
                let name = p.properties["name"]?.stringValue ?? ""
                let aliases = p.properties["aliases"]?.arrayValue?.compactMap(\.stringValue) ?? []
                guard case .point(let c)? = p.geometry else { continue }
                var text = name
                if form == "兴趣点别名" {
                    if let open = name.firstIndex(of: "("), name.hasSuffix("店)"), let alias = aliases.first {
                        // A chain or mall branch: brand alias + branch (肯德基荆翠店).
                        text = alias + name[name.index(after: open)..<name.index(before: name.endIndex)]
                    } else if let alias = aliases.first {
                        text = alias
                    }
                    if r.chance(0.3) { text += r.pick(qualifiers) }
                }
                q(text, "兴趣点", c)
            case "交叉口":
                let i = r.int(1...(Self.columns - 1)), j = r.int(1...(Self.rows - 1))
                guard let va = roads.first(where: { $0.vertical == true && $0.fixed == i && $0.span.contains(j) }),
                      let hb = roads.first(where: { $0.vertical == false && $0.fixed == j && $0.span.contains(i) }) else { continue }
                let text = r.pick(["\(va.name)与\(hb.name)交叉口", "\(va.name)\(hb.name)路口", "\(hb.name)和\(va.name)路口", "\(va.name)与\(hb.name)十字路口"])
                q(text, "道路交叉口", g.frame.lonLat(g.v(i, j)))
            case "网格":
                let gr = admin.gridInfo[r.int(0...(admin.gridInfo.count - 1))]
                let text = r.chance(0.5) ? gr.name : pf.districtName + gr.name
                q(text, "网格", g.frame.lonLat(g.pointInCell(gr.i, gr.j, 0.5, 0.5)), code: gr.code)
            case "社区":
                let c = admin.communityInfo[r.int(0...(admin.communityInfo.count - 1))]
                q(c.name, "社区", g.frame.lonLat(g.pointInCell((c.i0 + c.i1) / 2, (c.j0 + c.j1) / 2, 0.5, 0.5)), code: c.code)
            case "街道":
                let s = r.int(0...(admin.streetNames.count - 1))
                let name = admin.streetNames[s]
                let code = admin.streets[s].properties["code"]?.stringValue
                q(r.chance(0.5) ? name : name.replacingOccurrences(of: "街道", with: "街办"), "街道", point, code: code)
            default:
                q(road + r.pick(["", "上", "中间"]), "道路", g.frame.lonLat(roads[a.road].line.at(roads[a.road].line.length / 2).0))
            }
        }
        return out
    }
}

extension SampleCityGenerator {
    static func withinOneEdit(_ a: [Character], _ b: [Character]) -> Bool {
        if a == b { return true }
        if a.count == b.count { return zip(a, b).filter { $0 != $1 }.count == 1 }
        let (s, l) = a.count < b.count ? (a, b) : (b, a)
        guard l.count == s.count + 1 else { return false }
        var i = 0
        while i < s.count && s[i] == l[i] { i += 1 }
        return Array(s[i...]) == Array(l[(i + 1)...])
    }
}
