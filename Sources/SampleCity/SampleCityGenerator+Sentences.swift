import Geo

/// One held-out work order written as a citizen or grid worker would: the
/// place inside a sentence, and the type of the event in everyday words.
public struct WorkOrderSentence: Sendable {
    public var text: String
    /// How the place is written: 门址, 门址限定词, 中文数字, 带前缀门址, 交叉口与, 交叉口和, 交叉口连写, 兴趣点限定词.
    public var form: String
    /// The words naming the place, as they occur in `text`.
    public var mention: String
    /// The event type a dispatcher would file it under (the taxonomy's type names).
    public var type: String
    public var truth: Coordinate
}

extension SampleCityGenerator {
    /// Everyday phrasings per event type, written apart from the taxonomy's keyword lists.
    static let eventPhrases: [(String, [String])] = [
        ("占道经营", ["有人占道经营", "商贩占道摆摊，影响通行", "流动摊贩堵住人行道", "有人在人行道上摆地摊卖水果", "早餐摊占用人行道经营"]),
        ("井盖缺失", ["井盖缺失，存在安全隐患", "有个井盖不见了，很危险", "井盖破损，车辆经过很响", "窨井盖移位，行人容易踩空"]),
        ("管道破裂", ["供水管道破裂，路面冒水", "自来水管爆了，水往外喷", "地下水管漏水，路面一直有水涌出"]),
        ("道路积水", ["暴雨后路面积水严重", "路面积水很深，车辆难以通行", "一下雨这里就被淹"]),
        ("垃圾堆放", ["生活垃圾乱堆放，无人清运", "垃圾成堆好几天没人收", "建筑垃圾堆在路边"]),
        ("噪音扰民", ["商铺音响声音太大，吵得睡不着", "广场舞噪音扰民", "酒吧夜里太吵"]),
        ("违章停车", ["车辆违停占用消防通道", "小车乱停在人行道上", "有辆僵尸车长期占用车位"]),
        ("路灯损坏", ["路灯不亮，夜间出行不便", "一排路灯坏了好几天", "晚上黑灯瞎火，路灯坏了"]),
        ("共享单车乱停放", ["共享单车大量堆积占用人行道", "单车乱停，堵住了出口", "电动车乱停乱放"]),
        ("绿化损坏", ["行道树被折断，绿化带损毁", "有人踩踏草坪，花坛被破坏", "绿化带里的苗木被人拔了"]),
        ("施工扰民", ["夜间施工噪音扰民", "工地半夜还在施工，吵得没法休息"]),
        ("工地扬尘", ["工地扬尘很大，没有覆盖", "施工工地尘土飞扬"]),
        ("非法小广告", ["墙上贴满了小广告", "有人乱贴办证广告"]),
        ("火情", ["有房屋着火，冒出浓烟", "垃圾桶起火了"]),
        ("交通事故", ["两车相撞，有人受伤", "发生追尾事故"]),
        ("下水道堵塞", ["下水道堵塞，污水外溢", "污水从井里冒出来，臭味很大"]),
        ("路面塌陷", ["路面塌陷出现大坑", "人行道地面陷下去一块"]),
        ("消防栓损坏", ["消防栓被车撞坏，一直漏水"]),
        ("交通信号灯故障", ["红绿灯不亮，交通混乱"]),
        ("露天烧烤", ["晚上有人露天烧烤，油烟很大"]),
        ("道路破损", ["路面坑坑洼洼，电动车容易摔倒"]),
    ]

    /// `count` work orders with the place inside the sentence, drawn with
    /// `querySeed` over this city's addresses, intersections and POIs: house
    /// numbers (digits, Chinese numerals, with a qualifier, with the city's
    /// prefix), intersections in colloquial forms (A与B交叉口, A和B路口,
    /// AB路口 with B's 路 shared), POIs with a qualifier; sentence frames put
    /// the place first, in the middle or last.
    public func workOrderSentences(querySeed: UInt64, count: Int) -> [WorkOrderSentence] {
        var g = self
        g.buildLattice()
        let admin = g.makeAdmin()
        let roads = g.makeRoads()
        let addresses = g.makeAddresses(roads)
        let pois = g.makePOIs(roads: roads, addresses: addresses, admin: admin)
        var nameCount: [String: Int] = [:]
        for p in pois { nameCount[p.properties["name"]?.stringValue ?? "", default: 0] += 1 }
        // Unique, named in full (a chain's branch name is not what citizens say).
        let uniquePOIs = pois.filter { nameCount[$0.properties["name"]?.stringValue ?? ""] == 1 && !($0.properties["name"]?.stringValue ?? "(").contains("(") }
        var r = SeededRandom(seed: querySeed)
        let qualifiers = ["门口", "对面", "旁边", "附近", "东侧", "北门"]
        let pf = profile
        let prefixes = [pf.prefix(province: false), pf.prefix(province: true), pf.prefix(province: false, cityShort: true)]
        let frames: [(String, String) -> String] = [
            { "市民反映\($0)\($1)，请处理" }, { "\($0)\($1)" }, { "来电人称在\($0)\($1)，希望尽快解决" },
            { "网格员上报：\($0)\($1)。" }, { "\($1)，地点在\($0)" }, { "有市民在\($0)发现\($1)" },
        ]
        let forms = ["门址", "门址限定词", "中文数字", "带前缀门址", "交叉口与", "交叉口和", "交叉口连写", "兴趣点限定词"]
        var out: [WorkOrderSentence] = []
        for k in 0..<count {
            let form = forms[k % forms.count]
            let a = addresses[r.int(0...(addresses.count - 1))]
            var place = a.full, truth = g.frame.lonLat(a.point)
            switch form {
            case "门址限定词": place = a.full + r.pick(qualifiers)
            case "中文数字": place = "\(roads[a.road].name)\(ChineseNumerals.string(a.number))号"
            case "带前缀门址": place = r.pick(prefixes) + a.full
            case "交叉口与", "交叉口和", "交叉口连写":
                let i = r.int(1...(Self.columns - 1)), j = r.int(1...(Self.rows - 1))
                guard let va = roads.first(where: { $0.vertical == true && $0.fixed == i && $0.span.contains(j) }),
                      let hb = roads.first(where: { $0.vertical == false && $0.fixed == j && $0.span.contains(i) }) else { continue }
                let (x, y) = r.chance(0.5) ? (va.name, hb.name) : (hb.name, va.name)
                switch form {
                case "交叉口与": place = "\(x)与\(y)" + r.pick(["交叉口", "十字路口", "交汇处"])
                case "交叉口和": place = "\(x)" + r.pick(["和", "跟"]) + "\(y)路口"
                default: place = y.hasSuffix("路") ? "\(x)\(y)口" : "\(x)\(y)路口"
                }
                truth = g.frame.lonLat(g.v(i, j))
            case "兴趣点限定词":
                let p = uniquePOIs[r.int(0...(uniquePOIs.count - 1))]
                guard case .point(let c)? = p.geometry else { continue }
                place = (p.properties["name"]?.stringValue ?? "") + r.pick(qualifiers)
                truth = c
            default: break
            }
            let (type, phrases) = Self.eventPhrases[r.int(0...(Self.eventPhrases.count - 1))]
            let text = r.pick(frames)(place, r.pick(phrases))
            out.append(WorkOrderSentence(text: text, form: form, mention: place, type: type, truth: truth))
        }
        return out
    }
}
