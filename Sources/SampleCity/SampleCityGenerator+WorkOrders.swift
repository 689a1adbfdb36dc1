import Geo

extension SampleCityGenerator {
    /// ~500 12345-hotline work orders: a free-text address in one of many
    /// colloquial forms, and the true location it refers to. Kept as
    /// reference data for geocoder evaluation, not loaded as a layer.
    func makeWorkOrders(addresses: [SampleAddress], pois: [Feature], roads: [SampleRoad], admin: AdminAreas) -> [Feature] {
        var r = SeededRandom(seed: seed ^ 0x12345)
        var out: [Feature] = []
        let sources = ["12345热线", "网格员上报", "AI摄像头", "市民App"]
        let qualifiers = ["附近", "门口", "对面", "旁边", "东侧", "西侧", "南门", "北门"]
        let pf = profile
        let prefixes = [pf.prefix(province: false), pf.prefix(province: true), pf.districtName, pf.prefix(province: false, cityShort: true)]
        func typo(_ s: String) -> String {
            var chars = Array(s)
            let candidates = chars.indices.filter { k in chars[k] != "路" && chars[k] != "号" && !chars[k].isNumber && k < chars.count - 1 }
            guard let k = candidates.first(where: { _ in r.chance(0.35) }) ?? candidates.first else { return s }
            chars[k] = Character(r.pick(["建", "东", "华", "新", "青", "双", "锦", "龙", "民", "光"]))
            return String(chars)
        }
        let forms = ["门址", "带行政区前缀", "中文数字", "全角数字", "限定词", "楼栋单元", "兴趣点", "兴趣点别名", "交叉口", "网格", "错别字", "无号道路"]
        for k in 0..<500 {
            let form = forms[k % forms.count]
            var text = "", level = "门址", truth = Point2(0, 0), truthLonLat: Coordinate?
            let a = addresses[r.int(0...(addresses.count - 1))]
            let road = roads[a.road].name
            switch form {
            case "门址": text = a.full; truth = a.point
            case "带行政区前缀": text = r.pick(prefixes) + a.full; truth = a.point
            case "中文数字": text = "\(road)\(ChineseNumerals.string(a.number))号"; truth = a.point
            case "全角数字": text = ChineseNumerals.fullWidth(a.full); truth = a.point
            case "限定词": text = a.full + r.pick(qualifiers); truth = a.point
            case "楼栋单元": text = "\(a.full)\(r.int(1...12))栋\(r.int(1...4))单元"; truth = a.point
            case "兴趣点", "兴趣点别名":
                let p = pois[r.int(0...(pois.count - 1))]
                let name = p.properties["name"]?.stringValue ?? ""
                let aliases = p.properties["aliases"]?.arrayValue?.compactMap(\.stringValue) ?? []
                text = form == "兴趣点" ? name : (aliases.first.map { $0 + (r.chance(0.5) ? r.pick(qualifiers) : "") } ?? name)
                level = "兴趣点"
                if case .point(let c)? = p.geometry { truthLonLat = c }
            case "交叉口":
                let i = r.int(1...(Self.columns - 1)), j = r.int(1...(Self.rows - 1))
                let va = roads.first { $0.vertical == true && $0.fixed == i && $0.span.contains(j) }!
                let hb = roads.first { $0.vertical == false && $0.fixed == j && $0.span.contains(i) }!
                text = r.chance(0.5) ? "\(va.name)与\(hb.name)交叉口" : "\(va.name)\(hb.name)路口"
                level = "道路交叉口"; truth = v(i, j)
            case "网格":
                let g = admin.gridInfo[r.int(0...(admin.gridInfo.count - 1))]
                text = g.name; level = "网格"; truth = pointInCell(g.i, g.j, 0.5, 0.5)
            case "错别字": text = typo(a.full); truth = a.point
            default: text = road + r.pick(["", "上", "中段"]); level = "道路"; truth = roads[a.road].line.at(roads[a.road].line.length / 2).0
            }
            let (type, description) = r.pick(ChineseNames.eventTypes)
            let day = 1 + k % 28, hour = r.int(7...22), minute = r.int(0...59)
            // Numbered on across the city's districts.
            let number = slot.index * 500 + k + 1
            out.append(Feature(id: .i(number), properties: JSONObject([
                "order_id": .s("GD2024\(String(format: "%06d", number))"), "type": .s(type),
                "description": .s("\(text)\(description)"), "address": .s(text), "form": .s(form), "level": .s(level),
                "source": .s(r.pick(sources)),
                "reported_at": .s("2024-06-\(String(format: "%02d", day))T\(String(format: "%02d:%02d", hour, minute)):00+08:00")]),
                               geometry: .point(truthLonLat ?? frame.lonLat(truth))))
        }
        return out
    }
}
