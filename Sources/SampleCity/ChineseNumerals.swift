/// Integer ↔ Chinese numeral text, as people write house numbers (三十七号, 一百零五号).
public enum ChineseNumerals {
    static let digits = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九"]

    /// 0 ≤ n < 10,000 in everyday form (十二 not 一十二; 一百零五).
    public static func string(_ n: Int) -> String {
        precondition(n >= 0 && n < 10_000, "programmer error: numeral out of range")
        if n < 10 { return digits[n] }
        if n < 20 { return "十" + (n % 10 == 0 ? "" : digits[n % 10]) }
        let units = [(1000, "千"), (100, "百"), (10, "十")]
        var out = "", rest = n, pendingZero = false
        for (value, name) in units {
            let d = rest / value
            if d > 0 {
                if pendingZero { out += "零"; pendingZero = false }
                out += digits[d] + name
            } else if !out.isEmpty { pendingZero = true }
            rest %= value
        }
        if rest > 0 { out += (pendingZero ? "零" : "") + digits[rest] }
        return out
    }

    /// ASCII digits → full-width digits (３７).
    public static func fullWidth(_ s: String) -> String {
        String(s.unicodeScalars.map { c in
            (0x30...0x39).contains(c.value) ? Character(Unicode.Scalar(c.value - 0x30 + 0xFF10)!) : Character(c)
        })
    }
}
