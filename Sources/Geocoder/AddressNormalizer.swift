/// Puts free-text Chinese addresses and gazetteer names into one canonical
/// form so they can be compared character by character:
/// full-width to half-width, ASCII lower case, punctuation and spaces
/// removed, Chinese numerals in numbers to digits (十二号 → 12号, 第十一网格
/// → 第11网格), 号楼/幢/座 → 栋, 街办 → 街道, and a leading country name
/// dropped. Province and city prefixes are read by the parser from the
/// national table (`AdminDivisionTable`), not listed here.
public struct AddressNormalizer: Sendable {
    /// Prefixes removed from the start (longest first).
    public let prefixes: [String]

    /// Only unambiguous prefixes: the bare 中国 also starts names (中国银行), so
    /// the parser drops it only before a province or city name.
    public init(prefixes: [String] = ["中华人民共和国"]) {
        self.prefixes = prefixes.sorted { $0.count > $1.count }
    }

    /// Words after which a run of numerals is a number (号, 栋, 单元 …).
    static let numberSuffixes = ["号楼", "号院", "号", "栋", "幢", "座", "单元", "楼", "层", "室", "网格", "弄", "组"]

    static func isPunctuation(_ c: Character) -> Bool {
        if c.isWhitespace { return true }
        // A set of scalars, not String.contains: that compared each character against the
        // whole list as graphemes and was a third of a city-sized geocoder's build.
        let scalars = c.unicodeScalars
        return scalars.count == 1 && punctuation.contains(scalars[scalars.startIndex])
    }

    static let punctuation = Set("，,。.、;；:：'\"“”‘’()（）[]【】{}<>《》-—–_·•/\\!！?？~～…|".unicodeScalars)

    /// `stripPrefixes: false` for gazetteer names, which keep every character.
    public func normalize(_ text: String, stripPrefixes: Bool = true) -> String {
        // 1. Width, case, "3#楼" → "3栋", punctuation.
        var chars: [Character] = []
        chars.reserveCapacity(text.count)
        for scalar in text.unicodeScalars {
            var v = scalar.value
            if v == 0x3000 { continue }
            if v >= 0xFF01 && v <= 0xFF5E { v -= 0xFEE0 }
            guard var u = Unicode.Scalar(v) else { continue }
            if v >= 0x41 && v <= 0x5A { u = Unicode.Scalar(v + 32)! }
            chars.append(Character(u))
        }
        var cleaned: [Character] = []
        for (k, c) in chars.enumerated() {
            if c == "#" {
                // "3#" (楼) means building 3.
                if let last = cleaned.last, last.isASCII, last.isNumber { cleaned.append("栋") }
                if k + 1 < chars.count, chars[k + 1] == "楼" { continue }
                continue
            }
            if Self.isPunctuation(c) { continue }
            cleaned.append(c)
        }
        // The replacements match scalars, as the Foundation search they replace did
        // (four fifths of a city-sized geocoder's build): a word followed by a joiner
        // or U+0E33 still matches, one followed by a mark does not.
        // Drop a 楼 left right after an inserted 栋 (from "3#楼").
        var u = Self.replacing(Array(String(cleaned).unicodeScalars), ["栋", "楼"], with: ["栋"])
        // 2. Chinese numerals before number words, and after 第 (read as characters).
        if u.contains(where: Self.numeralScalars.contains) {
            u = Array(String(Self.convertNumerals(Array(String(String.UnicodeScalarView(u))))).unicodeScalars)
        }
        // 3. Variants.
        u = Self.replaceNumbered(u, suffix: ["号", "楼"], with: "栋")
        u = Self.replaceNumbered(u, suffix: ["幢"], with: "栋")
        u = Self.replaceNumbered(u, suffix: ["座"], with: "栋")
        u = Self.replacing(u, ["街", "办"], with: ["街", "道"])
        var s = String(String.UnicodeScalarView(u))
        // 4. Optional leading prefixes.
        var changed = stripPrefixes
        while changed {
            changed = false
            for p in prefixes where s.hasPrefix(p) && s.count > p.count {
                s.removeFirst(p.count); changed = true; break
            }
        }
        return s
    }

    static let numberSuffixChars = numberSuffixes.map(Array.init)
    static let numeralScalars = Set("零〇一二两三四五六七八九十百千万".unicodeScalars)

    /// Numeral runs followed by a number word, or preceded by 第, become digits.
    static func convertNumerals(_ s: String) -> String { String(convertNumerals(Array(s))) }

    static func convertNumerals(_ chars: [Character]) -> [Character] {
        guard chars.contains(where: ChineseNumber.isNumeral) else { return chars }
        var out: [Character] = []
        out.reserveCapacity(chars.count)
        var k = 0
        while k < chars.count {
            guard ChineseNumber.isNumeral(chars[k]) else { out.append(chars[k]); k += 1; continue }
            var e = k
            while e < chars.count && ChineseNumber.isNumeral(chars[e]) { e += 1 }
            let afterDi = k > 0 && chars[k - 1] == "第"
            let beforeSuffix = numberSuffixChars.contains { starts(chars, at: e, with: $0) }
            if (afterDi || beforeSuffix), let v = ChineseNumber.parse(Substring(String(chars[k..<e]))) {
                out.append(contentsOf: String(v))
            } else {
                out.append(contentsOf: chars[k..<e])
            }
            k = e
        }
        return out
    }

    static func starts<T: Equatable>(_ u: [T], at k: Int, with word: [T]) -> Bool {
        guard k + word.count <= u.count else { return false }
        for (j, w) in word.enumerated() where u[k + j] != w { return false }
        return true
    }

    /// A whole word at k: not followed by a mark (Mn, Mc, Me), which Foundation's
    /// search treated as part of the word's last character.
    static func wordAt(_ u: [Unicode.Scalar], _ k: Int, _ word: [Unicode.Scalar]) -> Bool {
        guard starts(u, at: k, with: word) else { return false }
        let e = k + word.count
        guard e < u.count else { return true }
        switch u[e].properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark: return false
        default: return true
        }
    }

    /// Every occurrence of `word`, left to right and not overlapping, replaced.
    static func replacing(_ u: [Unicode.Scalar], _ word: [Unicode.Scalar], with replacement: [Unicode.Scalar]) -> [Unicode.Scalar] {
        guard u.contains(word[0]) else { return u }
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(u.count)
        var k = 0
        while k < u.count {
            if wordAt(u, k, word) { out += replacement; k += word.count } else { out.append(u[k]); k += 1 }
        }
        return out
    }

    /// "<digits><suffix>" → "<digits><replacement>": the digit is the last
    /// character since the previous occurrence (in 5号楼号楼 only the first is a building).
    static func replaceNumbered(_ u: [Unicode.Scalar], suffix: [Unicode.Scalar], with replacement: Unicode.Scalar) -> [Unicode.Scalar] {
        guard u.contains(suffix[0]) else { return u }
        var out: [Unicode.Scalar] = []
        out.reserveCapacity(u.count)
        var k = 0, segmentStart = 0
        while k < u.count {
            if wordAt(u, k, suffix) {
                // Two scalars decide the last character: a digit after a prepended mark is not a bare digit.
                let last = String(String.UnicodeScalarView(u[max(segmentStart, k - 2)..<k])).last
                if let last, last.isASCII, last.isNumber { out.append(replacement) } else { out += suffix }
                k += suffix.count
                segmentStart = k
            } else {
                out.append(u[k]); k += 1
            }
        }
        return out
    }
}
