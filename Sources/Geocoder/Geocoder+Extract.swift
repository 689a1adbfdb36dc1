import Geo

/// A stretch of the input text, in Unicode code points (what Python's `str`
/// and JavaScript's `Array.from` count): `start` inclusive, `end` exclusive.
public struct TextSpan: Sendable, Equatable, Hashable {
    public var start: Int
    public var end: Int
    public init(start: Int, end: Int) { self.start = start; self.end = end }
}

/// The place named inside a free text (a 12345 work order): where it is in
/// the text, the words themselves, and their geocode (best first).
public struct LocationMention: Sendable {
    public var span: TextSpan
    public var text: String
    public var results: [GeocodeResult]
}

extension Geocoder {
    /// Words after a place that say where near it (kept in the span, the
    /// geocoder reads them as a qualifier). One-character ones that also end
    /// everyday words (处, 外) are left out.
    static let mentionQualifiers = (qualifiers.filter { $0.count > 1 } + ["旁"]).sorted { $0.count > $1.count }
    static let mentionIntersectionSuffixes = intersectionSuffixes + ["口"]
    static let mentionSeparators: Set<Character> = ["与", "和", "跟", "同", "及", "、", "&", "/"]
    /// Words after a number that name a building part (3栋2单元, 5号楼, 3#).
    static let unitWords = ["号楼", "号院", "栋", "幢", "座", "单元", "楼", "层", "室", "#楼", "#"]

    /// The location mention in a free text: every stretch made of gazetteer
    /// names (national divisions, admin areas, roads, POIs) with what may
    /// follow them (house and building numbers, a second road and an
    /// intersection word, a qualifier) is geocoded, and the one whose best
    /// answer is most certain wins (the earlier on a tie). Nil when the text
    /// names no known place. Long input is refused as by `geocode`.
    public func extract(_ text: String, focus: Coordinate? = nil, limit: Int = 5) -> LocationMention? {
        guard text.utf8.count <= 4 * Self.maxQueryLength, text.count <= Self.maxQueryLength else { return nil }
        let original = Array(text)
        let folded = original.map(Self.fold)
        var best: (mention: LocationMention, score: Double)?
        // Mentions with a road or POI first: a bare area name is geocoded only when none of them is certain.
        let ranges = mentionRanges(folded)
        for (s, e, strong) in ranges.filter(\.2) + ranges.filter({ !$0.2 }) {
            if !strong, let best, best.score >= 0.6 { break }
            let words = String(original[s..<e])
            let results = geocode(words, focus: focus, limit: limit)
            guard let top = results.first else { continue }
            // Among equally certain answers the more precise one wins.
            let score = top.confidence + (top.level == .address || top.level == .intersection ? 0.01 : 0)
            if best == nil || score > best!.score {
                let start = original[..<s].reduce(0) { $0 + $1.unicodeScalars.count }
                let end = start + original[s..<e].reduce(0) { $0 + $1.unicodeScalars.count }
                best = (LocationMention(span: TextSpan(start: start, end: end), text: words, results: results), score)
            }
        }
        return best?.mention
    }

    /// Full width to half width and ASCII upper to lower case, one character
    /// for one (so positions in the folded text are positions in the input).
    static func fold(_ c: Character) -> Character {
        guard c.unicodeScalars.count == 1, var v = c.unicodeScalars.first?.value else { return c }
        if v >= 0xFF01 && v <= 0xFF5E { v -= 0xFEE0 }
        if v >= 0x41 && v <= 0x5A { v += 32 }
        return Unicode.Scalar(v).map(Character.init) ?? c
    }

    /// Candidate mentions as character ranges of `chars`, left to right, not overlapping.
    /// `strong` when the mention holds a road or POI name.
    func mentionRanges(_ chars: [Character]) -> [(Int, Int, Bool)] {
        var out: [(Int, Int, Bool)] = []
        var i = 0
        while i < chars.count {
            if gazetteer.isNameStart(chars[i]), let (e, strong) = mentionEnd(chars, from: i), e > i {
                out.append((i, e, strong))
                i = e
            } else {
                i += 1
            }
        }
        return out
    }

    enum MentionToken { case division, admin, road, poi }

    /// The longest gazetteer name at `i`: its kind and length. Division short
    /// forms (a name without its 省/市/区) count only when another name follows at once.
    func nameToken(_ chars: [Character], at i: Int) -> (MentionToken, Int)? {
        let g = gazetteer
        let longest = min(max(g.longestAdminName, g.longestRoadName, g.longestPOIKey, g.divisions.longestKey), chars.count - i)
        guard longest >= 2, g.isNameHead(String(chars[i..<(i + 2)])) else { return nil }
        for len in stride(from: longest, through: 2, by: -1) {
            let s = String(chars[i..<(i + len)])
            if g.roadsByName[s] != nil { return (.road, len) }
            if g.adminByName[s] != nil { return (.admin, len) }
            if g.poiByKey[s] != nil { return (.poi, len) }
            // Names are stored with numerals as digits (第八人民医院 → 第8人民医院).
            if s.contains("第"), s.contains(where: ChineseNumber.isNumeral) {
                let n = AddressNormalizer.convertNumerals(s)
                if g.poiByKey[n] != nil { return (.poi, len) }
                if g.adminByName[n] != nil { return (.admin, len) }
            }
            if let hits = g.divisions.byKey[s] {
                if hits.contains(where: { !$0.isShort && !g.divisions.divisions[$0.index].isSynthetic }) { return (.division, len) }
                if i + len < chars.count, g.isNameStart(chars[i + len]), nameToken(chars, at: i + len) != nil { return (.division, len) }
            }
        }
        return nil
    }

    /// Where the mention starting at `i` ends (exclusive) and whether it holds a
    /// road or POI, or nil when no name starts there.
    func mentionEnd(_ chars: [Character], from i: Int) -> (Int, Bool)? {
        var j = i
        var last: MentionToken?
        var roads = 0
        var sawNumber = false
        var strong = false
        while j < chars.count {
            // A second road after a separator: an intersection (建设路与解放路, 建设路和解放路路口).
            if last == .road, !sawNumber, Self.mentionSeparators.contains(chars[j]), j + 1 < chars.count,
               let (kind, len) = nameToken(chars, at: j + 1), kind == .road {
                j += 1 + len
                strong = true
                roads += 1
                continue
            }
            if let (kind, len) = nameToken(chars, at: j), !sawNumber {
                // Names come outermost first: divisions, admin areas, then a road or POI.
                if let last, last == .poi || (last == .road && kind != .road && kind != .poi) { break }
                j += len
                last = kind
                if kind == .road || kind == .poi { strong = true }
                if kind == .road { roads += 1 }
                if kind == .admin, let k = numberedSuffix(chars, from: j, words: ["网格"], requireDi: true) { j = k }
                continue
            }
            if last == .road, !sawNumber, roads == 1, let k = numberedSuffix(chars, from: j, words: ["号院", "号"], requireDi: false) {
                j = k
                sawNumber = true
                while let k = numberedSuffix(chars, from: j, words: Self.unitWords, requireDi: false) { j = k }
                continue
            }
            break
        }
        guard let last else { return nil }
        // A bare division or admin name in a sentence is a place only when nothing better is there;
        // the caller ranks by the geocode's confidence.
        if roads >= 2, last == .road {
            for w in Self.mentionIntersectionSuffixes where Self.hasWord(chars, at: j, w) { j += w.count; break }
        }
        for w in Self.mentionQualifiers where Self.hasWord(chars, at: j, w) { j += w.count; break }
        return (j, strong)
    }

    static func hasWord(_ chars: [Character], at j: Int, _ w: String) -> Bool {
        let wc = Array(w)
        guard j + wc.count <= chars.count else { return false }
        return Array(chars[j..<(j + wc.count)]) == wc
    }

    /// `[第]<digits or Chinese numerals><word>` at `j`: the index after it, or nil.
    func numberedSuffix(_ chars: [Character], from j: Int, words: [String], requireDi: Bool) -> Int? {
        var k = j
        if k < chars.count, chars[k] == "第" { k += 1 } else if requireDi { return nil }
        let digitsStart = k
        while k < chars.count, k - digitsStart < 8, chars[k].isASCII && chars[k].isNumber || ChineseNumber.isNumeral(chars[k]) { k += 1 }
        guard k > digitsStart else { return nil }
        for w in words where Self.hasWord(chars, at: k, w) { return k + w.count }
        return nil
    }
}
