import Foundation
import Geo
import SpatialIndex
import Storage

/// Per station: parked bikes within `radius`, kept by delta on every move (so the
/// balance at that radius is read, not computed), its status, the station each
/// parked bike belongs to (the nearest within `radius`), and arrivals and
/// departures per minute in a ring of `ringMinutes` (activity).
struct StationState {
    var identity = -1
    var grid: LivePointGrid
    var ids: [String] = []
    var capacity: [Int] = []
    var centres: [Coordinate] = []
    var count: [Int32] = []
    var status: [UInt8] = []
    /// Per bike slot: its station (-1: none).
    var dockOf: [Int32] = []
    let radius: Double
    let low: Double, high: Double
    let ringMinutes: Int
    var bucketMinute: [Int64]
    var arrivals: [Int32] = []
    var departures: [Int32] = []

    init(area: BoundingBox, settings: LiveBikeSettings) {
        grid = LivePointGrid(bounds: area)
        radius = settings.stationRadius
        low = settings.deficitBelow
        high = settings.surplusAbove
        ringMinutes = 2 * Int(min(max(settings.activityWindowMinutes, 1), 120).rounded(.up))
        bucketMinute = [Int64](repeating: -1, count: ringMinutes)
    }

    var stationCount: Int { ids.count }

    func dock(of s: Int32) -> Int32 { Int(s) < dockOf.count ? dockOf[Int(s)] : -1 }

    mutating func setDock(_ s: Int32, _ d: Int32) {
        if Int(s) >= dockOf.count {
            guard d >= 0 else { return }
            dockOf += repeatElement(-1, count: Int(s) + 1 - dockOf.count)
        }
        dockOf[Int(s)] = d
    }

    /// Adds `delta` to every station within `radius` of p, noting them in `touched`
    /// (repeats allowed); returns the nearest of them (ties by position), or -1.
    @discardableResult
    mutating func add(_ delta: Int32, near p: Coordinate, touched: inout [Int32]) -> Int32 {
        guard !ids.isEmpty else { return -1 }
        // A second reference to the grid (no copy: it is not written here) so the scan
        // can change the counts without overlapping access to `self`.
        let g = grid
        var best: Int32 = -1, bestH = Double.infinity
        g.forEachWithin(lon: p.x, lat: p.y, radius: radius) { st, h in
            count[Int(st)] += delta
            touched.append(st)
            if h < bestH || (h == bestH && st < best) { best = st; bestH = h }
        }
        return best
    }

    /// The nearest station within `radius` (ties by position), or -1.
    func nearest(_ p: Coordinate) -> Int32 {
        var best: Int32 = -1, bestH = Double.infinity
        grid.forEachWithin(lon: p.x, lat: p.y, radius: radius) { st, h in
            if h < bestH || (h == bestH && st < best) { best = st; bestH = h }
        }
        return best
    }

    mutating func recordMove(from: Int32, to: Int32, minute: Int64) {
        guard !ids.isEmpty else { return }
        let b = Int(((minute % Int64(ringMinutes)) + Int64(ringMinutes)) % Int64(ringMinutes))
        if bucketMinute[b] != minute {
            // Older than what the bucket holds: outside the ring, not counted.
            if bucketMinute[b] > minute { return }
            bucketMinute[b] = minute
            let n = ids.count
            for k in (b * n)..<((b + 1) * n) {
                arrivals[k] = 0
                departures[k] = 0
            }
        }
        let n = ids.count
        if from >= 0 { departures[b * n + Int(from)] += 1 }
        if to >= 0 { arrivals[b * n + Int(to)] += 1 }
    }

    /// Arrivals and departures per station over the minutes [first, last].
    func activity(minutes first: Int64, _ last: Int64) -> (arrivals: [Int], departures: [Int]) {
        let n = ids.count
        var a = [Int](repeating: 0, count: n), d = [Int](repeating: 0, count: n)
        for b in 0..<ringMinutes where bucketMinute[b] >= first && bucketMinute[b] <= last {
            for st in 0..<n {
                a[st] += Int(arrivals[b * n + st])
                d[st] += Int(departures[b * n + st])
            }
        }
        return (a, d)
    }

    func classify(_ st: Int) -> StationStatus {
        StationStatus.classify(count: Int(count[st]), capacity: capacity[st], low: low, high: high)
    }
}

extension LiveBikes {
    /// Takes the stations of `layer` (nil: none) and recounts every station's bikes
    /// from the grid; activity starts afresh.
    mutating func rebuildStations(_ layer: LayerSnapshot?) {
        stationRebuilds += 1
        var st = StationState(area: grid.bounds, settings: stations.settingsEcho)
        st.identity = layer?.identity ?? -1
        if let layer {
            for i in 0..<layer.count {
                let p = layer.properties.object(i)
                let c: Coordinate
                if case .points(let t, let slot) = layer.geometry {
                    let s = Int(slot[i])
                    c = Coordinate(t.leaves[2 * s], t.leaves[2 * s + 1])
                } else {
                    let b = layer.geometry.geometry(i).boundingBox
                    c = Coordinate((b.minX + b.maxX) / 2, (b.minY + b.maxY) / 2)
                }
                st.ids.append(p["station_id"]?.textValue ?? "")
                st.capacity.append(wholeNumber(p["capacity"]) ?? 0)
                st.centres.append(c)
                st.grid.set(Int32(i), x: c.x, y: c.y)
            }
        }
        let n = st.ids.count
        st.count = [Int32](repeating: 0, count: n)
        st.arrivals = [Int32](repeating: 0, count: n * st.ringMinutes)
        st.departures = st.arrivals
        st.dockOf = [Int32](repeating: -1, count: ids.count)
        var best = [Double](repeating: .infinity, count: ids.count)
        for k in 0..<n {
            let c = st.centres[k]
            var parked: Int32 = 0
            grid.forEachWithin(lon: c.x, lat: c.y, radius: st.radius) { s, h in
                guard isParked(s) else { return }
                parked += 1
                if h < best[Int(s)] { best[Int(s)] = h; st.dockOf[Int(s)] = Int32(k) }
            }
            st.count[k] = parked
        }
        st.status = (0..<n).map { st.classify($0).rawValue }
        stations = st
        generation += 1
    }
}

extension StationState {
    /// The settings this state was made with (for a rebuild).
    var settingsEcho: LiveBikeSettings {
        var s = LiveBikeSettings()
        s.stationRadius = radius
        s.deficitBelow = low
        s.surplusAbove = high
        s.activityWindowMinutes = Double(ringMinutes / 2)
        return s
    }
}
