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
        // Drop a 楼 left right after an inserted 栋 (from "3#楼").
        var s = String(cleaned).replacingOccurrences(of: "栋楼", with: "栋")
        // 2. Chinese numerals before number words, and after 第.
        s = Self.convertNumerals(s)
        // 3. Variants.
        s = Self.replaceNumbered(s, suffix: "号楼", with: "栋")
        s = Self.replaceNumbered(s, suffix: "幢", with: "栋")
        s = Self.replaceNumbered(s, suffix: "座", with: "栋")
        s = s.replacingOccurrences(of: "街办", with: "街道")
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

    /// Numeral runs followed by a number word, or preceded by 第, become digits.
    static func convertNumerals(_ s: String) -> String {
        let chars = Array(s)
        var out = ""
        var k = 0
        while k < chars.count {
            guard ChineseNumber.isNumeral(chars[k]) else { out.append(chars[k]); k += 1; continue }
            var e = k
            while e < chars.count && ChineseNumber.isNumeral(chars[e]) { e += 1 }
            let rest = String(chars[e...])
            let afterDi = k > 0 && chars[k - 1] == "第"
            let beforeSuffix = numberSuffixes.contains { rest.hasPrefix($0) }
            if (afterDi || beforeSuffix), let v = ChineseNumber.parse(Substring(String(chars[k..<e]))) {
                out += String(v)
            } else {
                out += String(chars[k..<e])
            }
            k = e
        }
        return out
    }

    /// "<digits><suffix>" → "<digits><replacement>".
    static func replaceNumbered(_ s: String, suffix: String, with replacement: String) -> String {
        guard s.contains(suffix) else { return s }
        var out = ""
        var rest = Substring(s)
        while let r = rest.range(of: suffix) {
            let before = rest[rest.startIndex..<r.lowerBound]
            out += before
            if let last = before.last, last.isASCII, last.isNumber { out += replacement } else { out += suffix }
            rest = rest[r.upperBound...]
        }
        return out + rest
    }
}
