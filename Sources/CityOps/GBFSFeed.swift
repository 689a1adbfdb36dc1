import Foundation
import Geo
import Storage

/// A problem found in one GBFS file: the file, the field at fault (a JSON path
/// such as `data.vehicles[3].lat`) and what is wrong. The rest of the file and
/// the other files are still applied.
public struct GBFSProblem: Sendable, Equatable, CustomStringConvertible {
    public var file: String
    public var field: String
    public var message: String
    public var description: String { "\(file): \(field): \(message)" }
}

/// A station as a GBFS feed gives it (information joined with status).
public struct GBFSStation: Sendable {
    public var stationID: String
    public var name: String
    public var lon: Double
    public var lat: Double
    public var capacity: Int?
    public var vehiclesAvailable: Int?
    public var docksAvailable: Int?
    /// When `station_status` says the counts were reported (its `last_reported`, else the file's `last_updated`).
    public var reportedAt: Date?

    public init(stationID: String, name: String, lon: Double, lat: Double, capacity: Int? = nil, vehiclesAvailable: Int? = nil,
                docksAvailable: Int? = nil, reportedAt: Date? = nil) {
        self.stationID = stationID
        self.name = name
        self.lon = lon
        self.lat = lat
        self.capacity = capacity
        self.vehiclesAvailable = vehiclesAvailable
        self.docksAvailable = docksAvailable
        self.reportedAt = reportedAt
    }
}

/// What one pull read and applied.
public struct GBFSPull: Sendable {
    public var version: String
    public var systemID: String
    /// Smallest `ttl` of the files read (seconds): when to pull again.
    public var ttl: Int
    public var stations: [GBFSStation]
    public var vehicles: BikeIngestResult?
    public var problems: [GBFSProblem]
}

/// Reads a GBFS v2.3 or v3.0 feed: `gbfs.json` (discovery), `system_information`,
/// `station_information` + `station_status`, and `free_bike_status` (2.3) or
/// `vehicle_status` (3.0). Free vehicles become position reports (id `bike_id` /
/// `vehicle_id`, operator the system id, time `last_reported` or the file's
/// `last_updated`, `disabled` when `is_disabled`); a vehicle at a station without
/// coordinates takes the station's. Each file is checked on its own; a file or an
/// item with a missing or malformed field is reported with that field.
///
/// `fetch` reads a URL or a path (the caller's HTTP client or file reader); a
/// folder source maps every feed to `<folder>/<name>.json`.
public struct GBFSReader: Sendable {
    public let fetch: @Sendable (String) async throws -> [UInt8]

    public init(fetch: @escaping @Sendable (String) async throws -> [UInt8]) { self.fetch = fetch }

    /// Reads the feed at `source` (a URL of gbfs.json, or a folder holding the files)
    /// and applies its vehicles to `bikes`. Throws `CityOpsError` only when the
    /// discovery file cannot be read at all.
    public func pull(_ source: String, into bikes: LiveBikeService) async throws(CityOpsError) -> GBFSPull {
        let isFolder = !(source.hasPrefix("http://") || source.hasPrefix("https://") || source.hasSuffix(".json"))
        let root = isFolder ? (source.hasSuffix("/") ? source : source + "/") + "gbfs.json" : source
        var problems: [GBFSProblem] = []
        guard let discovery = await file(root, name: "gbfs.json", &problems) else {
            throw CityOpsError(.invalidParameter, problems.first?.description ?? "gbfs.json could not be read")
        }
        let version = discovery.version
        var feeds: [String: String] = [:]
        // 3.0: data.feeds; 2.x: data.<language>.feeds (the first language).
        let list = discovery.data["feeds"]?.arrayValue
            ?? discovery.data.objectValue?.members.first.flatMap { $0.value["feeds"]?.arrayValue }
        guard let list else {
            problems.append(GBFSProblem(file: "gbfs.json", field: "data.feeds", message: "missing (no feeds listed)"))
            return GBFSPull(version: version, systemID: "", ttl: discovery.ttl, stations: [], vehicles: nil, problems: problems)
        }
        for (i, f) in list.enumerated() {
            guard let name = f["name"]?.stringValue, let url = f["url"]?.stringValue else {
                problems.append(GBFSProblem(file: "gbfs.json", field: "data.feeds[\(i)]", message: "needs name and url"))
                continue
            }
            feeds[name] = isFolder ? root.dropLast("gbfs.json".count) + name + ".json" : url
        }
        var ttl = discovery.ttl
        func read(_ name: String) async -> GBFSFile? {
            guard let url = feeds[name] else { return nil }
            let f = await file(url, name: name + ".json", &problems)
            if let f { ttl = min(ttl, f.ttl) }
            return f
        }
        let system = await read("system_information")
        let systemID = system?.data["system_id"]?.stringValue ?? "gbfs"
        if let system, system.data["system_id"]?.stringValue == nil {
            problems.append(GBFSProblem(file: "system_information.json", field: "data.system_id", message: "missing"))
        }
        let stations = stationList(await read("station_information"), await read("station_status"), &problems)
        bikes.recordStationStatus(stations)
        let v3 = version.hasPrefix("3")
        let vehicleFile = v3 ? "vehicle_status" : "free_bike_status"
        var result: BikeIngestResult?
        if let vf = await read(vehicleFile) {
            let items = vehicleItems(vf, name: vehicleFile + ".json", operatorName: systemID, stations: stations, &problems)
            let batch = bikes.reader.check(items.map { .value($0.1) }, now: bikes.clock.now())
            for r in batch.rejected {
                problems.append(GBFSProblem(file: vehicleFile + ".json", field: "data.\(v3 ? "vehicles" : "bikes")[\(items[r.index].0)]", message: r.reason))
            }
            result = try await bikes.ingest(batch)
        }
        return GBFSPull(version: version, systemID: systemID, ttl: max(0, ttl), stations: stations, vehicles: result, problems: problems)
    }

    /// One GBFS file's common frame.
    struct GBFSFile {
        var lastUpdated: Double
        var ttl: Int
        var version: String
        var data: JSONValue
    }

    func file(_ url: String, name: String, _ problems: inout [GBFSProblem]) async -> GBFSFile? {
        let bytes: [UInt8]
        do { bytes = try await fetch(url) } catch {
            problems.append(GBFSProblem(file: name, field: "(file)", message: "could not be read: \(error)"))
            return nil
        }
        guard let v = try? JSONParser.parse(bytes), case .object = v else {
            problems.append(GBFSProblem(file: name, field: "(file)", message: "is not a JSON object"))
            return nil
        }
        guard let data = v["data"], case .object = data else {
            problems.append(GBFSProblem(file: name, field: "data", message: "missing or not an object"))
            return nil
        }
        guard let last = Self.time(v["last_updated"]) else {
            problems.append(GBFSProblem(file: name, field: "last_updated", message: "missing or not a time"))
            return nil
        }
        guard let ttl = v["ttl"]?.doubleValue, ttl >= 0, ttl == ttl.rounded() else {
            problems.append(GBFSProblem(file: name, field: "ttl", message: "missing or not a non-negative integer"))
            return nil
        }
        return GBFSFile(lastUpdated: last, ttl: Int(ttl), version: v["version"]?.stringValue ?? "1.0", data: data)
    }

    /// POSIX seconds (2.x) or RFC 3339 (3.0).
    static func time(_ v: JSONValue?) -> Double? {
        switch v {
        case .number(let n)?: n.isFinite && n >= 0 ? n : nil
        case .string(let s)?: Timestamp.parse(s)?.timeIntervalSince1970
        default: nil
        }
    }

    func stationList(_ info: GBFSFile?, _ status: GBFSFile?, _ problems: inout [GBFSProblem]) -> [GBFSStation] {
        guard let info else { return [] }
        guard let items = info.data["stations"]?.arrayValue else {
            problems.append(GBFSProblem(file: "station_information.json", field: "data.stations", message: "missing"))
            return []
        }
        var out: [GBFSStation] = [], at: [String: Int] = [:]
        for (i, s) in items.enumerated() {
            let path = "data.stations[\(i)]"
            guard let id = s["station_id"]?.stringValue, !id.isEmpty else {
                problems.append(GBFSProblem(file: "station_information.json", field: path + ".station_id", message: "missing")); continue
            }
            guard let lat = s["lat"]?.doubleValue, (-90...90).contains(lat) else {
                problems.append(GBFSProblem(file: "station_information.json", field: path + ".lat", message: "missing or out of range")); continue
            }
            guard let lon = s["lon"]?.doubleValue, (-180...180).contains(lon) else {
                problems.append(GBFSProblem(file: "station_information.json", field: path + ".lon", message: "missing or out of range")); continue
            }
            // 3.0 names are localized lists; 2.x names are strings.
            let name = s["name"]?.stringValue ?? s["name"]?.arrayValue?.first?["text"]?.stringValue ?? id
            at[id] = out.count
            out.append(GBFSStation(stationID: id, name: name, lon: lon, lat: lat, capacity: s["capacity"]?.doubleValue.map { Int($0) }))
        }
        guard let status else { return out }
        guard let list = status.data["stations"]?.arrayValue else {
            problems.append(GBFSProblem(file: "station_status.json", field: "data.stations", message: "missing"))
            return out
        }
        for (i, s) in list.enumerated() {
            let path = "data.stations[\(i)]"
            guard let id = s["station_id"]?.stringValue, let k = at[id] else {
                problems.append(GBFSProblem(file: "station_status.json", field: path + ".station_id", message: "missing or not in station_information")); continue
            }
            // 3.0: num_vehicles_available; 2.x: num_bikes_available.
            guard let n = (s["num_vehicles_available"] ?? s["num_bikes_available"])?.doubleValue, n >= 0 else {
                problems.append(GBFSProblem(file: "station_status.json", field: path + ".num_vehicles_available", message: "missing or negative")); continue
            }
            out[k].vehiclesAvailable = Int(n)
            out[k].docksAvailable = s["num_docks_available"]?.doubleValue.map { Int($0) }
            out[k].reportedAt = Date(timeIntervalSince1970: Self.time(s["last_reported"]) ?? status.lastUpdated)
        }
        return out
    }

    func vehicleItems(_ f: GBFSFile, name: String, operatorName: String, stations: [GBFSStation], _ problems: inout [GBFSProblem]) -> [(Int, JSONValue)] {
        let key = f.data["vehicles"] != nil ? "vehicles" : "bikes"
        guard let list = f.data[key]?.arrayValue else {
            problems.append(GBFSProblem(file: name, field: "data.\(key)", message: "missing"))
            return []
        }
        var byStation: [String: GBFSStation] = [:]
        for s in stations { byStation[s.stationID] = s }
        var out: [(Int, JSONValue)] = []
        for (i, v) in list.enumerated() {
            let path = "data.\(key)[\(i)]"
            guard let id = (v["vehicle_id"] ?? v["bike_id"])?.stringValue, !id.isEmpty else {
                problems.append(GBFSProblem(file: name, field: path + (key == "vehicles" ? ".vehicle_id" : ".bike_id"), message: "missing")); continue
            }
            guard case .bool(let disabled)? = v["is_disabled"] else {
                problems.append(GBFSProblem(file: name, field: path + ".is_disabled", message: "missing or not a boolean")); continue
            }
            var lon = v["lon"]?.doubleValue, lat = v["lat"]?.doubleValue
            if lon == nil || lat == nil, let st = v["station_id"]?.stringValue.flatMap({ byStation[$0] }) {
                lon = st.lon
                lat = st.lat
            }
            guard let lon, let lat else {
                problems.append(GBFSProblem(file: name, field: path + ".lat", message: "missing (and no known station_id)")); continue
            }
            let t = Self.time(v["last_reported"]) ?? f.lastUpdated
            var o = JSONObject()
            o["bike_id"] = .string(id)
            o["operator"] = .string(operatorName)
            o["lon"] = .number(lon)
            o["lat"] = .number(lat)
            o["observed_at"] = .number(t)
            o["status"] = .string(disabled ? "disabled" : "parked")
            out.append((i, .object(o)))
        }
        return out
    }
}
