import Foundation
import Geo
import SpatialIndex
import Storage

/// A station whose balance status changed with a batch (published as `bikes.station`).
struct StationChange {
    var position: Int32
    var stationID: String
    var from: StationStatus
    var to: StationStatus
    var count: Int
    var capacity: Int
    var at: Coordinate
}

/// Counts a GBFS feed reported for a station (`station_status`), shown beside the live count.
public struct ReportedStationStatus: Sendable, Equatable {
    public var vehiclesAvailable: Int
    public var docksAvailable: Int?
    public var reportedAt: Date
}

/// The live balance: per station, parked bikes within `radius` against
/// capacity, and its activity (活跃度) — bikes arriving at and leaving it
/// (a parked bike's station is the nearest within the service's station radius)
/// over the last `windowMinutes` and the window before.
public struct LiveBalance: Sendable {
    public struct Station: Sendable {
        public var stationID: String
        public var count: Int
        public var capacity: Int
        public var status: StationStatus
        public var arrivals: Int
        public var departures: Int
        public var previousArrivals: Int
        public var previousDepartures: Int
        public var position: Coordinate
        /// What a GBFS feed last reported for this `station_id` (nil: no feed did, or longer ago than the expiry).
        public var reported: ReportedStationStatus?
        /// Arrivals plus departures in the window.
        public var activity: Int { arrivals + departures }
        /// Activity now minus activity in the window before.
        public var activityChange: Int { activity - previousArrivals - previousDepartures }
    }
    public var radius: Double
    public var windowMinutes: Int
    /// Live bikes counted in (parked ones; riding and disabled bikes are not at a station).
    public var bikes: Int
    public var stations: [Station]
}

/// Which stations a balance covers: every one, those whose centre lies in a box, or those
/// inside the admin areas (district, street, community or grid) with a `code`, as a district's
/// screen asks for its own. Parked bikes are counted over the same box or areas.
public struct StationSelection: Sendable {
    public var bbox: BoundingBox?
    public var area: (role: LayerRole, code: String)?
    public init(bbox: BoundingBox? = nil, area: (role: LayerRole, code: String)? = nil) {
        self.bbox = bbox
        self.area = area
    }
    public static let all = StationSelection()
    public var isAll: Bool { bbox == nil && area == nil }

    /// Throws what `balance` would for this selection on `snapshot` (`unknownLayer`, `unknownFeature`).
    public func check(_ snapshot: CitySnapshot) throws(CityOpsError) { _ = try predicate(snapshot) }

    /// The point test of this selection on `snapshot` and the box it lies in (nil: everywhere).
    /// Throws `unknownFeature` when no area of the role has the code.
    func predicate(_ snapshot: CitySnapshot) throws(CityOpsError) -> (box: BoundingBox?, contains: (Coordinate) -> Bool) {
        var box = bbox
        var tests: [(Coordinate) -> Bool] = []
        if let b = bbox { tests.append { b.contains($0) } }
        if let (role, code) = area {
            guard let l = snapshot.layer(role: role), case .polygons(let idx) = l.geometry else {
                throw CityOpsError(.unknownLayer, "no layer with role \(role.rawValue)")
            }
            let match = l.properties.matcher(key: "code", value: code)
            let found = (0..<l.count).filter(match)
            guard !found.isEmpty else { throw CityOpsError(.unknownFeature, "no \(role.rawValue) with code \(code)") }
            var areaBox = BoundingBox.empty
            for p in found { areaBox.extend(l.geometry.geometry(p).boundingBox) }
            box = box.map { $0.meeting(areaBox) } ?? areaBox
            tests.append { c in found.contains { idx.contains($0, x: c.x, y: c.y) } }
        }
        return (box, { c in tests.allSatisfy { $0(c) } })
    }
}

extension LiveBikeService {
    /// The balance of every `bike_station` (or of those `selection` picks): counts from the live
    /// state (kept by delta at the station radius; counted from the grid for another radius).
    /// Throws `CityOpsError` when there is no station layer or the selection names no area.
    public func balance(radius: Double? = nil, selection: StationSelection = .all) throws(CityOpsError) -> LiveBalance {
        let snapshot = state.snapshot
        let pick = selection.isAll ? nil : try selection.predicate(snapshot)
        let window = Int(min(max(settings.activityWindowMinutes, 1), 120).rounded(.up))
        let nowMinute = Int64(clock.now().timeIntervalSince1970 * 1000) / 60_000
        let r = radius ?? settings.stationRadius
        // Under the lock only copies: another radius than the kept one is counted
        // outside it (at kilometres it is most of a second of work on a busy city,
        // which must hold neither position ingest nor the other bike routes).
        let (st, parkedInCity, parkedPoints, inBox) = try live.withLock { b throws(CityOpsError) -> (StationState, Int, [Coordinate], [Coordinate]) in
            sync(&b, snapshot)
            guard b.stations.identity >= 0 else { throw CityOpsError(.unknownLayer, "no layer with role bike_station") }
            let other = r != b.stations.radius
            var points: [Coordinate] = [], n = 0, inBox: [Coordinate] = []
            if let pick {
                // Only the bikes in the selection's box, copied: the polygon test is made after the lock.
                if let box = pick.box {
                    b.grid.forEach(in: box) { s in
                        guard b.isParked(s), let p = b.grid.point(s) else { return }
                        inBox.append(p)
                    }
                }
                if other, let box = pick.box {
                    // Bikes near the selected stations, up to the radius beyond the box.
                    b.grid.forEach(in: box.expanded(metres: r)) { s in
                        if b.isParked(s), let p = b.grid.point(s) { points.append(p) }
                    }
                }
            } else {
                for s in 0..<b.ids.count where b.grid.contains(Int32(s)) && b.isParked(Int32(s)) {
                    n += 1
                    if other, let p = b.grid.point(Int32(s)) { points.append(p) }
                }
            }
            return (b.stations, n, points, inBox)
        }
        let parked = pick.map { pick in inBox.reduce(0) { $0 + (pick.contains($1) ? 1 : 0) } } ?? parkedInCity
        // The stations reported, in station order.
        let chosen: [Int]
        if let pick {
            chosen = (0..<st.stationCount).filter { k in pick.box.map { $0.contains(st.centres[k]) } ?? true && pick.contains(st.centres[k]) }
        } else {
            chosen = Array(0..<st.stationCount)
        }
        var counts = [Int](repeating: 0, count: st.stationCount)
        if r == st.radius {
            for k in chosen { counts[k] = Int(st.count[k]) }
        } else {
            let grid = PointCountGrid(points: parkedPoints)
            for k in chosen { counts[k] = grid.count(lon: st.centres[k].x, lat: st.centres[k].y, radius: r) }
        }
        let cutoff = clock.now().addingTimeInterval(-settings.expirySeconds)
        let reported = reportedStations.withLock { $0 }.filter { $0.value.reportedAt >= cutoff }
        let now = st.activity(minutes: nowMinute - Int64(window) + 1, nowMinute)
        let before = st.activity(minutes: nowMinute - 2 * Int64(window) + 1, nowMinute - Int64(window))
        var out: [LiveBalance.Station] = []
        out.reserveCapacity(chosen.count)
        for k in chosen {
            out.append(LiveBalance.Station(
                stationID: st.ids[k], count: counts[k], capacity: st.capacity[k],
                status: .classify(count: counts[k], capacity: st.capacity[k], low: settings.deficitBelow, high: settings.surplusAbove),
                arrivals: now.arrivals[k], departures: now.departures[k],
                previousArrivals: before.arrivals[k], previousDepartures: before.departures[k], position: st.centres[k],
                reported: reported[st.ids[k]]))
        }
        return LiveBalance(radius: r, windowMinutes: window, bikes: parked, stations: out)
    }

    /// Keeps the counts a GBFS feed's `station_status` gave, by `station_id` (a report older
    /// than the one kept is ignored); the balance shows them beside the live count.
    public func recordStationStatus(_ stations: [GBFSStation]) {
        reportedStations.withLock { kept in
            for s in stations {
                guard let n = s.vehiclesAvailable, let at = s.reportedAt else { continue }
                if let old = kept[s.stationID], old.reportedAt > at { continue }
                kept[s.stationID] = ReportedStationStatus(vehiclesAvailable: n, docksAvailable: s.docksAvailable, reportedAt: at)
            }
        }
    }

    /// Records the status of touched stations; the ones that changed go to `changes`.
    func collectChanges(_ b: inout LiveBikes, _ touched: [Int32], into changes: inout [StationChange]) {
        var last: Int32 = -1
        for st in touched.sorted() where st != last {
            last = st
            let k = Int(st)
            // Its count may have changed: the station tiles showing it are made again.
            b.stationTiles.touch(lon: b.stations.centres[k].x, lat: b.stations.centres[k].y)
            let new = b.stations.classify(k)
            let old = StationStatus(rawValue: b.stations.status[k]) ?? .ok
            guard new != old else { continue }
            b.stations.status[k] = new.rawValue
            changes.append(StationChange(position: st, stationID: b.stations.ids[k], from: old, to: new, count: Int(b.stations.count[k]),
                                         capacity: b.stations.capacity[k], at: b.stations.centres[k]))
        }
    }

    /// `bikes.station` messages on the stream, one per station whose status changed, in station order:
    /// `{"station_id","status","previous","count","capacity","radius","lon","lat"}`.
    func publish(_ changes: [StationChange]) {
        guard let feed, !changes.isEmpty else { return }
        for c in changes.sorted(by: { $0.position < $1.position }) {
            var data = "{\"station_id\":"
            JSONWriter.writeString(c.stationID, to: &data)
            data += ",\"status\":\"\(c.to.name)\",\"previous\":\"\(c.from.name)\",\"count\":\(c.count),\"capacity\":\(c.capacity)"
            data += ",\"radius\":" + GeoJSON.formatCoordinate(settings.stationRadius, 3)
            data += ",\"lon\":" + GeoJSON.formatCoordinate(c.at.x, 7) + ",\"lat\":" + GeoJSON.formatCoordinate(c.at.y, 7) + "}"
            feed.publish(.bikes, "bikes.station", point: c.at, data: data)
        }
    }
}

private extension BoundingBox {
    /// The box both cover (empty when they do not meet).
    func meeting(_ b: BoundingBox) -> BoundingBox {
        BoundingBox(minX: max(minX, b.minX), minY: max(minY, b.minY), maxX: min(maxX, b.maxX), maxY: min(maxY, b.maxY))
    }

    /// Grown by `metres` on every side (degrees at the box's northern or southern edge, whichever is wider).
    func expanded(metres: Double) -> BoundingBox {
        let dLat = metres / 111_320
        let widest = max(abs(minY), abs(maxY))
        let dLon = metres / (111_320 * max(cos(min(widest, 89) * .pi / 180), 0.01))
        return BoundingBox(minX: minX - dLon, minY: minY - dLat, maxX: maxX + dLon, maxY: maxY + dLat)
    }
}
