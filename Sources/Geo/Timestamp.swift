import Foundation
import Synchronization

/// ISO 8601 instants as CityTwin stores and answers them: "2026-03-01T08:00:00Z"
/// (UTC, whole seconds). The one place that parses and formats them.
public enum Timestamp {
    /// Formatters are costly to make, so each is made once; a lock keeps their shared
    /// ICU state to one thread at a time.
    static let whole = Mutex(formatter([.withInternetDateTime]))
    static let fractional = Mutex(formatter([.withInternetDateTime, .withFractionalSeconds]))

    static func formatter(_ options: ISO8601DateFormatter.Options) -> ISO8601DateFormatter {
        let f = ISO8601DateFormatter()
        f.formatOptions = options
        return f
    }

    /// An ISO 8601 date-time with or without fractional seconds, with "Z" or any offset;
    /// nil for anything else (a date alone, no offset).
    public static func parse(_ text: String) -> Date? {
        // The forms CityTwin writes are read by hand: ICU behind one lock costs tens of
        // microseconds and serialises every thread (deadline sweeps parse thousands).
        if let d = fastParse(text) { return d }
        if let d = whole.withLock({ $0.date(from: text) }) { return d }
        return fractional.withLock { $0.date(from: text) }
    }

    /// `date` in UTC with whole seconds.
    public static func string(_ date: Date) -> String { format(date, millis: false) ?? whole.withLock { $0.string(from: date) } }

    /// `date` in UTC with milliseconds ("2026-03-01T08:00:00.250Z"): event times, which
    /// are compared as text, so every one of a column must have this one form.
    public static func millis(_ date: Date) -> String { format(date, millis: true) ?? fractional.withLock { $0.string(from: date) } }

    /// The current time, as `string(_:)`.
    public static func now() -> String { string(Date()) }

    /// "YYYY-MM-DDTHH:MM:SS[.f{1,3}](Z|±HH:MM)" for years 1...9999 with fields in range;
    /// nil for anything else (left to the formatter, which may still read it).
    static func fastParse(_ text: String) -> Date? {
        var text = text
        return text.withUTF8 { b -> Date? in
            guard b.count >= 20, b.count <= 29 else { return nil }
            func num(_ at: Int, _ n: Int) -> Int? {
                var v = 0
                for i in at..<(at + n) {
                    let c = b[i] &- 48
                    guard c < 10 else { return nil }
                    v = v * 10 + Int(c)
                }
                return v
            }
            guard b[4] == 45, b[7] == 45, b[10] == 84, b[13] == 58, b[16] == 58,
                  let y = num(0, 4), let mo = num(5, 2), let d = num(8, 2), let h = num(11, 2), let mi = num(14, 2), let s = num(17, 2),
                  y >= 1, (1...12).contains(mo), d >= 1, d <= daysIn(month: mo, year: y), h < 24, mi < 60, s < 60 else { return nil }
            var i = 19, ms = 0
            if b[i] == 46 {
                i += 1
                var digits = 0
                while i < b.count, b[i] &- 48 < 10 { ms = ms * 10 + Int(b[i] &- 48); digits += 1; i += 1 }
                guard (1...3).contains(digits) else { return nil }
                for _ in digits..<3 { ms *= 10 }
            }
            var offset = 0
            if i == b.count - 1, b[i] == 90 {
                offset = 0
            } else if i == b.count - 6, b[i] == 43 || b[i] == 45, b[i + 3] == 58, let oh = num(i + 1, 2), let om = num(i + 4, 2), oh < 24, om < 60 {
                offset = (oh * 60 + om) * 60 * (b[i] == 45 ? -1 : 1)
            } else { return nil }
            let seconds = daysFromCivil(y, mo, d) * 86400 + h * 3600 + mi * 60 + s - offset
            return Date(timeIntervalSince1970: Double(seconds * 1000 + ms) / 1000)
        }
    }

    /// UTC text for dates in years 1...9999, rounded as Foundation's formatter does:
    /// to the nearest millisecond (half up), then fields truncated.
    static func format(_ date: Date, millis: Bool) -> String? {
        let udate = (date.timeIntervalSinceReferenceDate + 978_307_200) * 1000 + 0.5
        guard udate.isFinite, udate > -62_135_596_800_000, udate < 253_402_300_799_000 else { return nil }
        let totalMs = Int(udate.rounded(.down))
        let ms = ((totalMs % 1000) + 1000) % 1000
        let secs = (totalMs - ms) / 1000
        let sod = ((secs % 86400) + 86400) % 86400
        let (y, mo, d) = civil(fromDays: (secs - sod) / 86400)
        var out = [UInt8]()
        out.reserveCapacity(24)
        func put(_ v: Int, _ n: Int) {
            var digits = [UInt8](repeating: 48, count: n), v = v
            for k in stride(from: n - 1, through: 0, by: -1) { digits[k] = UInt8(48 + v % 10); v /= 10 }
            out += digits
        }
        put(y, 4); out.append(45); put(mo, 2); out.append(45); put(d, 2); out.append(84)
        put(sod / 3600, 2); out.append(58); put(sod / 60 % 60, 2); out.append(58); put(sod % 60, 2)
        if millis { out.append(46); put(ms, 3) }
        out.append(90)
        return String(decoding: out, as: UTF8.self)
    }

    static func daysIn(month m: Int, year y: Int) -> Int {
        switch m {
        case 2: (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 ? 29 : 28
        case 4, 6, 9, 11: 30
        default: 31
        }
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's algorithm).
    static func daysFromCivil(_ y0: Int, _ m: Int, _ d: Int) -> Int {
        let y = m <= 2 ? y0 - 1 : y0
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    static func civil(fromDays z0: Int) -> (Int, Int, Int) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
