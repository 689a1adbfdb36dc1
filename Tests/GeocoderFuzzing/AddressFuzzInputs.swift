import Geo
import Geocoder

/// Inputs for fuzzing the geocoder's text paths, built from what real address
/// queries and 12345 work orders contain rather than from random strings alone
/// (random strings almost never hit an admin prefix followed by nothing, the
/// kind of input that once stopped the server): the gazetteer's own admin,
/// road, POI and address names with their prefixes and short forms, province
/// and city prefixes, Chinese and Arabic numerals, 号/栋/单元/室, qualifiers,
/// intersections, full-width forms, punctuation, odd Unicode, truncations at
/// every position and random bytes.
public struct AddressFuzzInputs: Sendable {
    /// Whole phrases taken from the gazetteer (names, aliases, full addresses).
    public let phrases: [String]
    /// Short pieces: prefixes, numerals, markers, qualifiers, punctuation, odd scalars.
    public let pieces: [String]

    public init(gazetteer g: Gazetteer) {
        var phrases: [String] = []
        for a in g.admins {
            phrases.append(a.name)
            // Short forms as people write them: 锦华区 → 锦华, 猛追湾街道 → 猛追湾.
            for suffix in ["街道", "社区", "网格", "区", "县", "市", "镇", "乡", "村"] where a.name.hasSuffix(suffix) && a.name.count > suffix.count {
                phrases.append(String(a.name.dropLast(suffix.count)))
            }
        }
        for r in g.roads { phrases.append(r.name) }
        for p in g.pois { phrases.append(p.name); phrases += p.aliases }
        for a in g.addresses.prefix(2000) { phrases.append(a.full) }
        self.phrases = Array(Set(phrases)).sorted()
        self.pieces = Self.alphabet
    }

    /// The field's alphabet, independent of any one gazetteer.
    public static let alphabet: [String] = {
        var a: [String] = []
        // Province and city prefixes in full, short and mixed forms, of several provinces.
        a += ["中华人民共和国", "中国", "四川省", "四川", "成都市", "成都", "广东省", "广东", "深圳市", "深圳", "南山区", "南山",
              "重庆市", "重庆", "江北区", "北京市", "北京", "大兴区", "安徽省", "芜湖市", "湾沚区", "省", "市", "区", "县", "自治州", "特别行政区"]
        // Admin suffixes and grid words.
        a += ["街道", "街办", "社区", "网格", "第", "村", "镇", "乡", "组", "片区"]
        // Numerals: Chinese, Arabic, full-width, other scripts' digits, long runs.
        a += ["一", "二", "两", "三", "十", "百", "千", "万", "零", "〇", "十二", "一百零五", "二〇一", "九千九百九十九万",
              "0", "1", "7", "12", "105", "9999", "00000", "12345678901234567890123", "１２", "٣", "①", "½", "²", "-1", "+3", "1e9"]
        // House, building, unit, room markers and their variants.
        a += ["号", "栋", "幢", "座", "单元", "室", "楼", "层", "号楼", "号院", "弄", "#", "＃", "附", "之", "-"]
        // Roads, intersections and qualifiers.
        a += ["路", "街", "大道", "巷", "中段", "东段", "与", "和", "交叉口", "路口", "十字路口", "交汇处", "x", "×", "&",
              "附近", "对面", "门口", "东南角", "旁边", "东门", "楼下", "的", "在", "处"]
        // Work-order phrasing around an address.
        a += ["市民反映", "请处理", "有人占道经营", "井盖缺失", "积水", "投诉", "：", "。", "，"]
        // Punctuation, spaces and full-width forms.
        a += [" ", "\u{3000}", "（", "）", "(", ")", "【", "】", "、", ",", ".", "/", "\\", "\"", "'", "…", "—", "·", "\t", "\n", "\r\n"]
        // Odd scalars: NUL and controls, combining marks, zero-width and bidi marks, emoji, private use, noncharacters.
        a += ["\u{0}", "\u{1}", "\u{7F}", "\u{301}", "\u{200B}", "\u{200D}", "\u{202E}", "\u{FEFF}", "👨‍👩‍👧", "🏠", "\u{E000}", "\u{FFFF}", "\u{10FFFF}",
              "Ａ", "ｂ", "KFC", "𠀀"]
        return a
    }()

    /// One input: a few pieces and phrases joined, each sometimes cut at a
    /// random character; sometimes a whole input cut at a random position,
    /// sometimes random bytes decoded as UTF-8 (invalid sequences replaced).
    public func make<R: RandomNumberGenerator>(_ rng: inout R) -> String {
        switch Int.random(in: 0..<20, using: &rng) {
        case 0:
            let bytes = (0..<Int.random(in: 0...24, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            return String(decoding: bytes, as: UTF8.self)
        case 1:
            let scalars = (0..<Int.random(in: 0...12, using: &rng)).compactMap { _ in Unicode.Scalar(UInt32.random(in: 0...0x2FFFF, using: &rng)) }
            return String(String.UnicodeScalarView(scalars))
        default:
            var s = ""
            for _ in 0..<Int.random(in: 0...7, using: &rng) {
                var t = Bool.random(using: &rng) && !phrases.isEmpty ? phrases.randomElement(using: &rng)! : pieces.randomElement(using: &rng)!
                if Int.random(in: 0..<4, using: &rng) == 0, !t.isEmpty {
                    let cut = Int.random(in: 0...t.count, using: &rng)
                    t = Bool.random(using: &rng) ? String(t.prefix(cut)) : String(t.dropFirst(cut))
                }
                s += t
            }
            if Int.random(in: 0..<8, using: &rng) == 0, !s.isEmpty { s = String(s.prefix(Int.random(in: 0...s.count, using: &rng))) }
            return s
        }
    }

    /// Every prefix and every suffix of `text` (truncation at every position).
    public static func truncations(of text: String) -> [String] {
        let chars = Array(text)
        return (0...chars.count).flatMap { [String(chars[..<$0]), String(chars[$0...])] }
    }
}

/// One pass of an input through every text path of the geocoder:
/// normalisation, parsing, forward (with and without focus, odd limits) and
/// autocomplete. Returns a small signature of what the parser made of it,
/// so a run can count distinct outcomes.
public func exerciseGeocoder(_ g: Geocoder, _ text: String, focus: Coordinate?) -> Int {
    _ = g.gazetteer.normalizer.normalize(text)
    _ = g.gazetteer.normalizer.normalize(text, stripPrefixes: false)
    let p = g.parse(text)
    let results = g.geocode(text, focus: focus, limit: [0, 1, 5, 20, Int.max][abs(text.count) % 5])
    _ = g.autocomplete(text, focus: focus, limit: [0, 3, 10, Int.max][abs(text.count) % 4])
    var h = Hasher()
    h.combine(p.admin.keys.map(\.rawValue).sorted())
    h.combine(p.road != nil); h.combine(p.number != nil); h.combine(p.building != nil); h.combine(p.unit != nil)
    h.combine(p.intersection != nil); h.combine(p.poiText != nil); h.combine(p.qualifier)
    h.combine(results.first?.level.rawValue)
    return h.finalize()
}
