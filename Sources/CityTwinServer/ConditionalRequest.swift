import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// RFC 9110 §13 conditional GET for representations the server validates by
/// entity tag and modification time (tiles; any cached answer with an ETag).
///
/// - `If-None-Match` is compared weakly (§8.8.3.2): `W/"x"` matches `"x"`, a
///   list matches when any member does, `*` matches any current representation.
///   Compression by a proxy (nginx, CDNs) turns a strong tag weak; that tag still matches.
/// - `If-Modified-Since` counts only when `If-None-Match` is absent (§13.2.2), and
///   only for a valid HTTP-date (IMF-fixdate, RFC 850 or asctime form).
enum ConditionalRequest {
    /// Whether a GET may be answered 304 Not Modified.
    /// - Parameters:
    ///   - etags: every tag naming this content (one per content coding), quoted, strong.
    ///   - lastModified: seconds since 1970 (UTC) of the representation's last change.
    static func notModified(ifNoneMatch: String?, ifModifiedSince: String?, etags: [String], lastModified: Int64?) -> Bool {
        if let ifNoneMatch {
            return matchesAny(ifNoneMatch, etags)
        }
        if let ifModifiedSince, let lastModified, let since = httpDate(ifModifiedSince) {
            return lastModified <= since
        }
        return false
    }

    /// Weak comparison of an If-None-Match list against the current tags.
    static func matchesAny(_ header: String, _ etags: [String]) -> Bool {
        let opaque = etags.map(opaqueTag)
        for tag in entityTags(header) {
            if tag == "*" { return !etags.isEmpty }
            if opaque.contains(opaqueTag(tag)) { return true }
        }
        return false
    }

    /// `"x"` for `W/"x"` or `"x"`.
    static func opaqueTag<S: StringProtocol>(_ tag: S) -> Substring {
        let s = Substring(tag)
        return s.hasPrefix("W/") ? s.dropFirst(2) : s
    }

    /// The members of an If-None-Match value: `*` or entity tags, each `[W/]"…"`.
    /// A quoted tag may hold commas, so the list is scanned, not split.
    static func entityTags(_ header: String) -> [Substring] {
        var out: [Substring] = []
        let s = Substring(header)
        var i = s.startIndex
        while i < s.endIndex {
            let c = s[i]
            if c == " " || c == "\t" || c == "," { i = s.index(after: i); continue }
            let start = i
            if c == "*" { out.append(s[i...i]); i = s.index(after: i); continue }
            if s[i...].hasPrefix("W/") { i = s.index(i, offsetBy: 2) }
            guard i < s.endIndex, s[i] == "\"" else {
                // Not an entity tag (a bare token some clients send): skip to the next comma.
                while i < s.endIndex, s[i] != "," { i = s.index(after: i) }
                continue
            }
            i = s.index(after: i)
            while i < s.endIndex, s[i] != "\"" { i = s.index(after: i) }
            guard i < s.endIndex else { break }
            i = s.index(after: i)
            out.append(s[start..<i])
        }
        return out
    }

    static let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    static let weekdays = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"]

    /// Parses an HTTP-date (RFC 9110 §5.6.7) in any of its three forms; nil when invalid.
    static func httpDate(_ text: String) -> Int64? {
        let parts = text.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "-" }).map(String.init)
        var day: Int?, month: Int?, year: Int?, clock: [Int]?
        switch parts.count {
        case 6 where parts[5] == "GMT": // IMF-fixdate "Sun, 06 Nov 1994 08:49:37 GMT" or RFC 850 "Sunday, 06-Nov-94 08:49:37 GMT"
            day = Int(parts[1]); month = months.firstIndex(of: parts[2]); year = Int(parts[3])
            if let y = year, parts[3].count == 2 { year = y < 70 ? 2000 + y : 1900 + y }
            clock = parts[4].split(separator: ":").compactMap { Int($0) }
        case 5: // asctime "Sun Nov  6 08:49:37 1994"
            month = months.firstIndex(of: parts[1]); day = Int(parts[2]); year = Int(parts[4])
            clock = parts[3].split(separator: ":").compactMap { Int($0) }
        default: return nil
        }
        guard let day, let month, let year, let clock, clock.count == 3, (1...31).contains(day), year >= 1970,
              (0...23).contains(clock[0]), (0...59).contains(clock[1]), (0...60).contains(clock[2]) else { return nil }
        var t = tm()
        t.tm_year = Int32(year - 1900)
        t.tm_mon = Int32(month)
        t.tm_mday = Int32(day)
        t.tm_hour = Int32(clock[0])
        t.tm_min = Int32(clock[1])
        t.tm_sec = Int32(clock[2])
        return Int64(timegm(&t))
    }

    /// IMF-fixdate, e.g. "Sun, 06 Nov 1994 08:49:37 GMT".
    static func httpDate(_ seconds: Int64) -> String {
        var t = tm()
        var time = time_t(seconds)
        gmtime_r(&time, &t)
        func two(_ n: Int32) -> String { n < 10 ? "0\(n)" : "\(n)" }
        return "\(weekdays[Int(t.tm_wday)]), \(two(t.tm_mday)) \(months[Int(t.tm_mon)]) \(t.tm_year + 1900) "
            + "\(two(t.tm_hour)):\(two(t.tm_min)):\(two(t.tm_sec)) GMT"
    }
}
