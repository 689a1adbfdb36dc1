import Foundation
import Geo
import Storage

/// Why one report of a batch was not taken: its position in the batch (0-based),
/// its bike id when it had one, and the reason in words.
public struct BikeRejection: Sendable, Equatable {
    public var index: Int
    public var bikeID: String?
    public var reason: String
}

/// One report as read: a JSON value, or why it could not be read (an NDJSON line that is not JSON).
public enum BikeReportItem: Sendable {
    case value(JSONValue)
    case unreadable(String)
}

/// A batch of position reports as read: the valid ones (with their batch index)
/// and a reason for each other one.
public struct BikeReportBatch: Sendable {
    public var positions: [(index: Int, position: BikePosition)]
    public var rejected: [BikeRejection]
    public var received: Int { positions.count + rejected.count }

    public init(positions: [(index: Int, position: BikePosition)], rejected: [BikeRejection]) {
        self.positions = positions
        self.rejected = rejected
    }
}

/// Reads position reports from a JSON array or NDJSON (one object a line) and
/// checks each on its own: `bike_id` and `operator` (non-empty strings, at most
/// 64 characters), `lon`/`lat` (finite numbers), optional `crs`
/// (wgs84|cgcs2000|gcj02|bd09, converted to WGS84), `observed_at` (ISO 8601 with
/// an offset, or seconds since 1970), optional `status` (parked|riding|disabled,
/// default parked). A report is rejected, with a reason, when a field is missing
/// or malformed, when it lies outside `area` by more than `marginMetres`, when it
/// is later than `now` by more than `futureTolerance` seconds, or when its bike
/// id already appeared earlier in the same batch. Whole-body problems (not JSON,
/// too many items) throw `CityOpsError`.
public struct BikeReportReader: Sendable {
    public var area: BoundingBox
    public var marginMetres: Double
    public var futureTolerance: TimeInterval
    public var maxItems: Int

    public init(area: BoundingBox, marginMetres: Double, futureTolerance: TimeInterval, maxItems: Int) {
        self.area = area; self.marginMetres = marginMetres; self.futureTolerance = futureTolerance; self.maxItems = maxItems
    }

    /// Parses `bytes`: a JSON array when the first non-blank byte is `[`, else NDJSON
    /// (blank lines skipped; a line that is not JSON is that item's rejection).
    public func read(_ bytes: [UInt8], now: Date) throws(CityOpsError) -> BikeReportBatch {
        var items: [BikeReportItem] = []
        let first = bytes.firstIndex { $0 != 0x20 && $0 != 0x0A && $0 != 0x0D && $0 != 0x09 && $0 != 0xEF && $0 != 0xBB && $0 != 0xBF }
        if let first, bytes[first] == UInt8(ascii: "[") {
            let value: JSONValue
            do { value = try JSONParser.parse(bytes) } catch {
                throw CityOpsError(.invalidParameter, "body is not valid JSON: \(error.message)", parameter: "body")
            }
            guard let array = value.arrayValue else { throw CityOpsError(.invalidParameter, "body must be a JSON array or NDJSON", parameter: "body") }
            guard array.count <= maxItems else { throw tooMany(array.count) }
            items = array.map { .value($0) }
        } else {
            var lines = 0
            try bytes.withUnsafeBufferPointer { (all: UnsafeBufferPointer<UInt8>) throws(CityOpsError) in
                var start = 0
                while start < all.count {
                    var end = start
                    while end < all.count && all[end] != 0x0A { end += 1 }
                    var e = end
                    while e > start && (all[e - 1] == 0x0D || all[e - 1] == 0x20 || all[e - 1] == 0x09) { e -= 1 }
                    var s = start
                    while s < e && (all[s] == 0x20 || all[s] == 0x09) { s += 1 }
                    // A UTF-8 byte order mark at the start of the body is not part of the first line.
                    if s == 0, e - s >= 3, all[0] == 0xEF, all[1] == 0xBB, all[2] == 0xBF { s = 3 }
                    if e > s {
                        lines += 1
                        guard lines <= maxItems else { throw tooMany(lines) }
                        do { items.append(.value(try JSONParser.parse(UnsafeBufferPointer(rebasing: all[s..<e])))) } catch {
                            items.append(.unreadable("line \(lines) is not valid JSON: \((error as? GeoError)?.message ?? "\(error)")"))
                        }
                    }
                    start = end + 1
                }
            }
        }
        return check(items, now: now)
    }

    func tooMany(_ n: Int) -> CityOpsError {
        CityOpsError(.tooLarge, "more than \(maxItems) reports in one request (\(n) so far); send them in batches", parameter: "body")
    }

    /// Checks parsed items one by one (see the type's rules).
    public func check(_ items: [BikeReportItem], now: Date) -> BikeReportBatch {
        var out = BikeReportBatch(positions: [], rejected: [])
        out.positions.reserveCapacity(items.count)
        var firstIndex: [String: Int] = [:]
        firstIndex.reserveCapacity(items.count)
        let nowMs = Int64((now.timeIntervalSince1970 * 1000).rounded())
        let latMargin = marginMetres / 111_195
        let lonMargin = latMargin / max(cos(max(abs(area.minY), abs(area.maxY)) * .pi / 180), 0.01)
        for (k, item) in items.enumerated() {
            switch item {
            case .unreadable(let reason): out.rejected.append(BikeRejection(index: k, bikeID: nil, reason: reason))
            case .value(let v):
                switch position(v, nowMs: nowMs, lonMargin: lonMargin, latMargin: latMargin) {
                case .failure(let r):
                    out.rejected.append(BikeRejection(index: k, bikeID: v["bike_id"]?.stringValue, reason: r.reason))
                case .success(let p):
                    if let earlier = firstIndex[p.bikeID] {
                        out.rejected.append(BikeRejection(index: k, bikeID: p.bikeID, reason: "bike_id repeated in this batch (first at item \(earlier))"))
                    } else {
                        firstIndex[p.bikeID] = k
                        out.positions.append((k, p))
                    }
                }
            }
        }
        return out
    }

    struct Reason: Error { var reason: String; init(_ r: String) { reason = r } }

    func position(_ v: JSONValue, nowMs: Int64, lonMargin: Double, latMargin: Double) -> Result<BikePosition, Reason> {
        guard case .object = v else { return .failure(Reason("must be a JSON object")) }
        func text(_ key: String) -> Result<String, Reason> {
            guard let s = v[key]?.stringValue else {
                return .failure(Reason(v[key] == nil || v[key] == .null ? "\(key) is missing" : "\(key) must be a string"))
            }
            guard !s.allSatisfy(\.isWhitespace) else { return .failure(Reason("\(key) is empty")) }
            guard s.count <= 64 else { return .failure(Reason("\(key) is longer than 64 characters")) }
            return .success(s)
        }
        let id: String, op: String
        switch text("bike_id") { case .success(let s): id = s; case .failure(let r): return .failure(r) }
        switch text("operator") { case .success(let s): op = s; case .failure(let r): return .failure(r) }
        guard let x = v["lon"]?.doubleValue, let y = v["lat"]?.doubleValue else { return .failure(Reason("lon and lat must be numbers")) }
        guard x.isFinite, y.isFinite, (-180...180).contains(x), (-90...90).contains(y) else {
            return .failure(Reason("lon/lat out of range (\(x), \(y))"))
        }
        var crs = CRS.wgs84
        if let c = v["crs"], c != .null {
            guard let name = c.stringValue, let known = CRS(name: name) else {
                return .failure(Reason("unknown crs \(InputText.quoted(c.textValue)) (wgs84, cgcs2000, gcj02 or bd09)"))
            }
            crs = known
        }
        let p = crs.toWGS84(Coordinate(x, y))
        guard p.x.isFinite, p.y.isFinite else { return .failure(Reason("the position cannot be converted from \(crs) to WGS84")) }
        if p.x < area.minX - lonMargin || p.x > area.maxX + lonMargin || p.y < area.minY - latMargin || p.y > area.maxY + latMargin {
            return .failure(Reason("position (\(p.x), \(p.y)) is outside the city's area by more than \(Int(marginMetres)) m"))
        }
        let observed: Int64
        switch v["observed_at"] {
        case .string(let s)?:
            guard let d = Timestamp.parse(s) else { return .failure(Reason("observed_at \(InputText.quoted(s)) is not an ISO 8601 date-time with an offset")) }
            observed = Int64((d.timeIntervalSince1970 * 1000).rounded())
        case .number(let n)?:
            guard n.isFinite, n >= 0, n < 1e11 else { return .failure(Reason("observed_at must be seconds since 1970")) }
            observed = Int64((n * 1000).rounded())
        case nil, .null?: return .failure(Reason("observed_at is missing"))
        default: return .failure(Reason("observed_at must be an ISO 8601 string or seconds since 1970"))
        }
        let ahead = Double(observed - nowMs) / 1000
        if ahead > futureTolerance {
            return .failure(Reason("observed_at is \(Int(ahead.rounded())) s in the future (tolerance \(Int(futureTolerance)) s)"))
        }
        var status = BikeStatus.parked
        if let s = v["status"], s != .null {
            guard let name = s.stringValue, let known = BikeStatus(rawValue: name) else {
                return .failure(Reason("status must be parked, riding or disabled, found \(InputText.quoted(s.textValue))"))
            }
            status = known
        }
        return .success(BikePosition(bikeID: id, operatorName: op, lon: p.x, lat: p.y, observedAt: observed, status: status))
    }
}
