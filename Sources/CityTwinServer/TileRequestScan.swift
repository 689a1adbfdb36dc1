import Geo

/// Reads one HTTP/1.1 request head from the front of a connection's bytes, only far
/// enough to tell whether the event-loop fast path (`TileFastPath`) may answer it.
///
/// It is strict on purpose: whatever it cannot frame with certainty (a body, chunked
/// coding, an upgrade, HTTP/1.0, leading blank lines, obs-fold, control characters, a
/// malformed line) is `unsupported`, and the connection is left to NIO's decoder for
/// good, so the decoder's rules (and its 400s) stay the only ones for such clients.
/// A complete request without a body that is not a plain tile GET is `other`: it is
/// handed to the decoder whole, so the decoder always starts at a request boundary.
enum TileRequestScan {
    /// No end of head yet (a partial read).
    case incomplete
    /// The stream cannot be framed or judged here: leave the connection to the decoder.
    case unsupported
    /// A complete request without a body, `length` bytes, for the router.
    case other(length: Int)
    /// A complete `GET /tiles/{layers}/{z}/{x}/{y}.mvt` without a body.
    case tile(TileGet)

    /// The parts of a tile GET, as offsets into the scanned bytes.
    struct TileGet {
        var length: Int
        var layers: Range<Int>
        var id: TileID
        var acceptEncoding: Range<Int>?
        var ifNoneMatch: Range<Int>?
        var ifModifiedSince: Range<Int>?
    }

    /// Longer heads are left to the decoder (its own limit is 80 KiB).
    static let maxHead = 16 * 1024
    static let maxFields = 100

    static func scan(_ b: UnsafeRawBufferPointer) -> TileRequestScan {
        let n = b.count
        guard n > 0 else { return .incomplete }
        // A request starts with its method; blank lines first are legal but rare.
        guard isUpperAlpha(b[0]) else { return .unsupported }
        var end = -1
        var i = 0
        while i + 3 < n && i < maxHead {
            if b[i] == 13 && b[i + 1] == 10 && b[i + 2] == 13 && b[i + 3] == 10 { end = i; break }
            i += 1
        }
        guard end >= 0 else { return n >= maxHead ? .unsupported : .incomplete }
        let length = end + 4

        // Request line: METHOD SP target SP HTTP/1.1
        var lineEnd = 0
        while b[lineEnd] != 13 { lineEnd += 1 }
        guard b[lineEnd + 1] == 10 else { return .unsupported }
        var p = 0
        while p < lineEnd && isUpperAlpha(b[p]) { p += 1 }
        guard p > 0, p < lineEnd, b[p] == 32 else { return .unsupported }
        let isGet = p == 3 && b[0] == 71 && b[1] == 69 && b[2] == 84
        let targetStart = p + 1
        var q = targetStart
        while q < lineEnd && b[q] > 32 && b[q] < 127 { q += 1 }
        guard q > targetStart, lineEnd - q == 9, b[q] == 32, matches(b, q + 1, "HTTP/1.1") else { return .unsupported }
        let target = targetStart..<q

        // Header fields: name ":" OWS value OWS, one a line.
        var plain = isGet
        var acceptEncoding: Range<Int>?, ifNoneMatch: Range<Int>?, ifModifiedSince: Range<Int>?
        var line = lineEnd + 2
        var fields = 0
        while line < end + 2 {
            var e = line
            while b[e] != 13 { e += 1 }
            guard b[e + 1] == 10 else { return .unsupported }
            fields += 1
            guard fields <= maxFields else { return .unsupported }
            var c = line
            while c < e && isTokenChar(b[c]) { c += 1 }
            guard c > line, c < e, b[c] == 58 else { return .unsupported }
            let name = line..<c
            for k in (c + 1)..<e where !isFieldValueChar(b[k]) { return .unsupported }
            var vs = c + 1
            var ve = e
            while vs < ve && (b[vs] == 32 || b[vs] == 9) { vs += 1 }
            while ve > vs && (b[ve - 1] == 32 || b[ve - 1] == 9) { ve -= 1 }
            let value = vs..<ve
            switch name.count {
            case 7 where equalsLower(b, name, "upgrade"):
                return .unsupported
            case 14 where equalsLower(b, name, "content-length"):
                return .unsupported
            case 17 where equalsLower(b, name, "transfer-encoding"):
                return .unsupported
            case 17 where equalsLower(b, name, "if-modified-since"):
                if ifModifiedSince != nil { plain = false }
                ifModifiedSince = value
            case 10 where equalsLower(b, name, "connection"):
                // Anything but keep-alive (close, upgrade…) changes how the connection ends: the router's job.
                if !equalsLower(b, value, "keep-alive") { plain = false }
            case 15 where equalsLower(b, name, "accept-encoding"):
                if acceptEncoding != nil { plain = false }
                acceptEncoding = value
            case 13 where equalsLower(b, name, "if-none-match"):
                if ifNoneMatch != nil { plain = false }
                ifNoneMatch = value
            case 6 where equalsLower(b, name, "expect"), 5 where equalsLower(b, name, "range"),
                 8 where equalsLower(b, name, "if-range"), 8 where equalsLower(b, name, "if-match"),
                 19 where equalsLower(b, name, "if-unmodified-since"):
                plain = false
            default:
                break
            }
            line = e + 2
        }
        guard plain, let (layers, id) = tilePath(b, target) else { return .other(length: length) }
        return .tile(TileGet(length: length, layers: layers, id: id, acceptEncoding: acceptEncoding,
                             ifNoneMatch: ifNoneMatch, ifModifiedSince: ifModifiedSince))
    }

    /// `/tiles/{layers}/{z}/{x}/{y}.mvt` with plain layer names (no percent-encoding)
    /// and numbers as the route takes them (no sign, no leading zero); nil otherwise.
    static func tilePath(_ b: UnsafeRawBufferPointer, _ target: Range<Int>) -> (Range<Int>, TileID)? {
        guard target.count > 7, matches(b, target.lowerBound, "/tiles/") else { return nil }
        var i = target.lowerBound + 7
        let layersStart = i
        while i < target.upperBound && isLayerChar(b[i]) { i += 1 }
        guard i > layersStart, i < target.upperBound, b[i] == 47 else { return nil }
        let layers = layersStart..<i
        var z = 0, x = 0, y = 0
        for k in 0..<3 {
            i += 1
            let start = i
            var v = 0
            while i < target.upperBound && b[i] >= 48 && b[i] <= 57 && i - start < 10 {
                v = v * 10 + Int(b[i] - 48)
                i += 1
            }
            guard i > start, i < target.upperBound, b[start] != 48 || i - start == 1 else { return nil }
            if k < 2 { guard b[i] == 47 else { return nil } }
            switch k {
            case 0: z = v
            case 1: x = v
            default: y = v
            }
        }
        guard target.upperBound - i == 4, matches(b, i, ".mvt") else { return nil }
        let id = TileID(z: z, x: x, y: y)
        return id.isValid ? (layers, id) : nil
    }

    static func isUpperAlpha(_ c: UInt8) -> Bool { c >= 65 && c <= 90 }

    /// Layer names and the commas between them; anything else goes to the router.
    static func isLayerChar(_ c: UInt8) -> Bool {
        (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c == 95 || c == 45 || c == 44 || c == 46
    }

    /// RFC 9110 tchar.
    static func isTokenChar(_ c: UInt8) -> Bool {
        switch c {
        case 48...57, 65...90, 97...122: true
        case 33, 35, 36, 37, 38, 39, 42, 43, 45, 46, 94, 95, 96, 124, 126: true
        default: false
        }
    }

    /// HTAB, SP, VCHAR, obs-text.
    static func isFieldValueChar(_ c: UInt8) -> Bool { c == 9 || (c >= 32 && c != 127) }

    static func matches(_ b: UnsafeRawBufferPointer, _ at: Int, _ text: StaticString) -> Bool {
        let count = text.utf8CodeUnitCount
        guard at + count <= b.count else { return false }
        let t = text.utf8Start
        for k in 0..<count where b[at + k] != t[k] { return false }
        return true
    }

    /// ASCII case-insensitive comparison with a lowercase literal.
    static func equalsLower(_ b: UnsafeRawBufferPointer, _ r: Range<Int>, _ text: StaticString) -> Bool {
        guard r.count == text.utf8CodeUnitCount else { return false }
        let t = text.utf8Start
        for k in 0..<r.count {
            var c = b[r.lowerBound + k]
            if c >= 65 && c <= 90 { c |= 0x20 }
            if c != t[k] { return false }
        }
        return true
    }
}
