/// Chinese numerals as people write house and building numbers:
/// 十二 → 12, 一百零五 → 105, 三十 → 30, 两千 → 2000, and digit-by-digit
/// forms such as 二〇一 → 201.
public enum ChineseNumber {
    static let digitValue: [Character: Int] = ["零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
                                               "五": 5, "六": 6, "七": 7, "八": 8, "九": 9]
    static let unitValue: [Character: Int] = ["十": 10, "百": 100, "千": 1000, "万": 10_000]

    public static func isNumeral(_ c: Character) -> Bool { digitValue[c] != nil || unitValue[c] != nil }

    /// The value of a run of numeral characters, or nil when it is not a number.
    /// Runs longer than 12 characters are not house numbers (and could overflow): nil.
    public static func parse(_ s: Substring) -> Int? {
        guard !s.isEmpty, s.count <= 12, s.allSatisfy(isNumeral) else { return nil }
        // Without unit characters: read digit by digit (二〇一 → 201).
        if !s.contains(where: { unitValue[$0] != nil }) {
            var v = 0
            for c in s { v = v * 10 + digitValue[c]! }
            return v
        }
        var total = 0, section = 0, digit = -1
        for c in s {
            if let d = digitValue[c] {
                digit = d
            } else if let u = unitValue[c] {
                if u == 10_000 {
                    section = (section + max(digit, 0)) * u
                    total += section; section = 0
                } else {
                    section += (digit < 0 ? 1 : digit) * u   // 十二: a leading 十 means 1×10
                }
                digit = -1
            }
        }
        return total + section + max(digit, 0)
    }
}
