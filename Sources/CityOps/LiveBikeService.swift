import Foundation
import Geo
import SpatialIndex
import Storage
import Synchronization

/// What an ingest did with a batch: every report is applied, ignored as older
/// than the bike's last, or rejected with a reason.
public struct BikeIngestResult: Sendable {
    public var received: Int
    public var applied: Int
    public var ignoredOlder: Int
    public var rejected: [BikeRejection]
    /// Stations whose balance status changed (also published on the stream).
    public var stationChanges: Int
}

/// A live bike as queries answer it.
public struct LiveBike: Sendable {
    public var bikeID: String
    public var operatorName: String
    public var status: BikeStatus
    /// ms since 1970; nil for a bike from the imported layer not reported since.
    public var observedAt: Int64?
    public var position: Coordinate
    /// Metres from the query point (queries by distance).
    public var distance: Double
}

/// Live bike-share: position reports in, the live picture out. Reports are
/// checked (`BikeReportReader`), stored in the operational database (history
/// with retention, and the latest per bike), then applied in place to
/// `LiveBikes`: the grid, per-station counts and activity, fence membership and
/// per-tile change counters move with each bike, so the balance, fences, queries
/// and tiles read current state without any rebuild.
///
/// One lock guards the live state. Writers hold it for `settings.chunk` reports
/// at a time (a reader waits at most that long); readers hold it while they
/// read (a balance of 6,120 stations, a tile's bikes). The imported `bike` layer
/// seeds the index (those bikes never expire; a report takes one over), and the
/// `bike_station` and `bike_fence` layers are followed: when a reload replaces
/// one, the counts are rebuilt from the grid on the next use.
public final class LiveBikeService: Sendable {
    public let settings: LiveBikeSettings
    public let store: (any BikePositionStore)?
    public let clock: any EventClock
    public let feed: LiveFeed?
    let state: CityState
    let live: Mutex<LiveBikes>
    /// Area reports must fall in (with the margin): every base layer's bbox.
    public let area: BoundingBox
    /// Fence violations raised as events (see `onFenceViolations`).
    let fenceEvents = FenceEventSink()
    /// GBFS `station_status` counts by station id (see `recordStationStatus`).
    let reportedStations = Mutex<[String: ReportedStationStatus]>([:])
    /// How far `followStore` has read the stored history.
    let storeCursor: Mutex<Int64>
    /// Identity stamped on this service's tiles (a new service draws new tiles).
    let identity = layerIdentities.add(1, ordering: .relaxed).newValue

    /// Builds the live state: the imported bikes, then the stored latest positions
    /// not yet expired. Throws `StorageError` when the store cannot be read.
    public init(state: CityState, store: (any BikePositionStore)?, settings: LiveBikeSettings = LiveBikeSettings(),
                clock: any EventClock = SystemClock(), feed: LiveFeed? = nil) async throws(StorageError) {
        self.state = state
        self.store = store
        self.settings = settings
        self.clock = clock
        self.feed = feed
        let snapshot = state.snapshot
        var box = BoundingBox.empty
        for l in snapshot.layers.values where !l.info.bbox.isEmpty && l.info.role != .event { box.extend(l.info.bbox) }
        if box.isEmpty { box = BoundingBox(minX: -180, minY: -85, maxX: 180, maxY: 85) }
        area = box
        // The grid spans the area with its margin: everything a report may hold.
        let m = settings.areaMarginMetres / 111_195
        let mx = m / max(cos(max(abs(box.minY), abs(box.maxY)) * .pi / 180), 0.01)
        let gridBox = BoundingBox(minX: max(box.minX - mx, -180), minY: max(box.minY - m, -90),
                                  maxX: min(box.maxX + mx, 180), maxY: min(box.maxY + m, 90))
        var bikes = LiveBikes(area: gridBox, settings: settings)
        var touched: [Int32] = []
        var cursor: Int64 = 0
        if let store {
            try await store.prepareBikeTables()
            // Taken before the latest positions are read: what is stored in between is read
            // again by `followStore`, which changes nothing for reports already applied.
            cursor = try await store.bikePositionCursor()
            let since = Int64((clock.now().timeIntervalSince1970 - settings.expirySeconds) * 1000)
            for p in try await store.latestBikePositions(since: since) { bikes.apply(p, activityMinute: nil, touched: &touched) }
        }
        Self.seed(&bikes, from: snapshot.layer(role: .bike))
        bikes.rebuildStations(snapshot.layer(role: .bikeStation))
        bikes.rebuildFences(snapshot.layer(role: .bikeFence))
        bikes.newNoParking = []
        bikes.newOutsideParking = []
        live = Mutex(bikes)
        storeCursor = Mutex(cursor)
    }

    /// Live bikes now.
    public var count: Int { live.withLock { $0.count } }

    /// Bytes the live state holds (benchmarks).
    public var memoryBytes: Int {
        live.withLock { b in
            b.grid.memoryBytes + b.ids.count * 40 + b.slotOf.count * 40 + b.tiles.memoryBytes
                + b.stations.dockOf.count * 4 + b.fences.inParking.count * 8
        }
    }

    /// A reader for request bodies and files, with this service's area and limits.
    public var reader: BikeReportReader {
        BikeReportReader(area: area, marginMetres: settings.areaMarginMetres, futureTolerance: settings.futureToleranceSeconds,
                         maxItems: settings.maxBatch)
    }

    static func seed(_ bikes: inout LiveBikes, from layer: LayerSnapshot?) {
        var touched: [Int32] = []
        // Bikes of a replaced layer go (unless a report has taken them over).
        let stale = (0..<bikes.ids.count).filter { bikes.observed[$0] == LiveBikes.imported && bikes.grid.contains(Int32($0)) }
        for s in stale { bikes.remove(Int32(s), touched: &touched) }
        bikes.bikeLayerIdentity = layer?.identity ?? -1
        guard let layer, case .points(let t, let slot) = layer.geometry else { return }
        // Two keys of each of a city's million bikes: read without parsing whole objects.
        let keys = [Array("bike_id".utf8), Array("operator".utf8)]
        for i in 0..<layer.count {
            let v = layer.properties.texts(i, keys: keys)
            guard let id = v[0], !id.isEmpty else { continue }
            let s = Int(slot[i])
            bikes.seed(id: id, operatorName: v[1] ?? "", at: Coordinate(t.leaves[2 * s], t.leaves[2 * s + 1]), touched: &touched)
        }
    }

    /// Follows reloads of the bike, station and fence layers (a cheap identity
    /// check on every use; a rebuild when one changed).
    func sync(_ b: inout LiveBikes, _ snapshot: CitySnapshot) {
        let bikeLayer = snapshot.layer(role: .bike), stations = snapshot.layer(role: .bikeStation)
        let fences = snapshot.layer(role: .bikeFence)
        var recount = false
        if (bikeLayer?.identity ?? -1) != b.bikeLayerIdentity {
            Self.seed(&b, from: bikeLayer)
            recount = true
        }
        if recount || (stations?.identity ?? -1) != b.stations.identity { b.rebuildStations(stations) }
        if recount || (fences?.identity ?? -1) != b.fences.identity { b.rebuildFences(fences) }
    }

    // MARK: ingest

    /// Reads and ingests a body or file (JSON array or NDJSON). Throws `CityOpsError`
    /// for a body that cannot be read as a whole (not JSON, too many reports) or
    /// when the store fails (nothing of the batch is then applied).
    public func ingest(bytes: [UInt8]) async throws(CityOpsError) -> BikeIngestResult {
        try await ingest(try reader.read(bytes, now: clock.now()))
    }

    /// Stores the reports newer than each bike's last and applies them. Reports
    /// older than (or as old as) the bike's last are ignored, not stored.
    public func ingest(_ batch: BikeReportBatch) async throws(CityOpsError) -> BikeIngestResult {
        let now = clock.now()
        let snapshot = state.snapshot
        var hints: [Int32] = []
        let fresh: [BikePosition] = live.withLock { b in
            sync(&b, snapshot)
            var out: [BikePosition] = []
            out.reserveCapacity(batch.positions.count)
            hints.reserveCapacity(batch.positions.count)
            for item in batch.positions {
                let slot = b.slotOf[item.position.bikeID]
                if let s = slot, b.observed[Int(s)] != LiveBikes.imported, b.observed[Int(s)] >= item.position.observedAt { continue }
                out.append(item.position)
                hints.append(slot ?? -1)
            }
            return out
        }
        if let store, !fresh.isEmpty {
            do { try await store.storeBikePositions(fresh, receivedAt: Int64(now.timeIntervalSince1970 * 1000)) } catch {
                throw CityOpsError(.storage, "bike positions could not be stored: \(error.message)")
            }
        }
        let (applied, changes) = await apply(fresh, hints: hints, snapshot)
        return BikeIngestResult(received: batch.received, applied: applied, ignoredOlder: batch.positions.count - applied,
                                rejected: batch.rejected, stationChanges: changes)
    }

    /// Applies positions in chunks (each newer than its bike's last; the others are
    /// skipped), then publishes station changes and sends fence violations. Returns
    /// (applied, stations whose status changed). `hints`: each position's slot, or -1.
    func apply(_ fresh: [BikePosition], hints: [Int32]?, _ snapshot: CitySnapshot) async -> (applied: Int, stationChanges: Int) {
        var applied = 0
        var changes: [StationChange] = []
        var violations = FenceFindings()
        let chunk = max(1, settings.chunk)
        var start = 0
        while start < fresh.count {
            let end = min(start + chunk, fresh.count)
            live.withLock { b in
                sync(&b, snapshot)
                var touched: [Int32] = []
                for k in start..<end where b.apply(fresh[k], activityMinute: fresh[k].observedAt / 60_000, touched: &touched,
                                                   slotHint: hints?[k] ?? -1) { applied += 1 }
                collectChanges(&b, touched, into: &changes)
                drainFenceViolations(&b, snapshot, into: &violations)
            }
            start = end
        }
        publish(changes)
        await sendFenceViolations(violations)
        return (applied, changes.count)
    }

    /// Applies the positions other processes stored since the last call (`citytwin bikes
    /// ingest`, another server on the same operational database), oldest first, at most
    /// `limit` per call, as an ingest would (a report not newer than the bike's last is
    /// skipped). Returns how many were read: `limit` means more may be waiting.
    @discardableResult
    public func followStore(limit: Int = 100_000) async throws(StorageError) -> Int {
        guard let store else { return 0 }
        let page = try await store.bikePositions(storedElsewhereAfter: storeCursor.withLock { $0 }, limit: limit)
        storeCursor.withLock { $0 = page.cursor }
        if !page.positions.isEmpty { _ = await apply(page.positions, hints: nil, state.snapshot) }
        return page.positions.count
    }

    // MARK: upkeep

    /// Drops bikes not heard from for `expirySeconds` (imported ones stay).
    /// Returns how many dropped.
    @discardableResult
    public func expire() -> Int {
        let cutoff = Int64((clock.now().timeIntervalSince1970 - settings.expirySeconds) * 1000)
        var dropped = 0
        var changes: [StationChange] = []
        var slot = 0
        // In chunks, so an expiry sweep over a million bikes never holds readers long.
        while true {
            let done = live.withLock { b -> Bool in
                var touched: [Int32] = []
                let end = min(slot + 50_000, b.ids.count)
                for s in slot..<end {
                    let o = b.observed[s]
                    if o != LiveBikes.imported, o < cutoff, b.grid.contains(Int32(s)) {
                        b.remove(Int32(s), touched: &touched)
                        dropped += 1
                    }
                }
                collectChanges(&b, touched, into: &changes)
                slot = end
                return end >= b.ids.count
            }
            if done { break }
        }
        publish(changes)
        return dropped
    }

    /// Deletes stored history older than the retention period, and stored latest
    /// positions that have expired. Returns (history, latest) rows deleted.
    @discardableResult
    public func applyRetention() async throws(StorageError) -> (history: Int, latest: Int) {
        guard let store else { return (0, 0) }
        let now = clock.now().timeIntervalSince1970
        return try await store.purgeBikePositions(receivedBefore: Int64((now - settings.retentionDays * 86400) * 1000),
                                                  latestBefore: Int64((now - settings.expirySeconds) * 1000))
    }

    // MARK: queries

    func bike(_ b: LiveBikes, _ s: Int32, distance: Double) -> LiveBike {
        let p = b.grid.point(s) ?? Coordinate(0, 0)
        let o = b.observed[Int(s)]
        return LiveBike(bikeID: b.ids[Int(s)], operatorName: b.operators[Int(b.operatorOf[Int(s)])],
                        status: BikeStatus(code: b.status[Int(s)]) ?? .parked, observedAt: o == LiveBikes.imported ? nil : o,
                        position: p, distance: distance)
    }

    /// Bikes within `radius` metres, nearest first (ties by id), at most `limit`; `count` is the full number.
    public func within(lon: Double, lat: Double, radius: Double, limit: Int) -> (count: Int, bikes: [LiveBike]) {
        live.withLock { b -> (count: Int, bikes: [LiveBike]) in
            var hits: [Neighbor] = []
            b.grid.forEachWithin(lon: lon, lat: lat, radius: radius) { s, h in hits.append(Neighbor(id: s, distance: h)) }
            guard limit > 0 else { return (hits.count, []) }
            var out: [LiveBike] = []
            out.reserveCapacity(hits.count)
            for n in hits { out.append(bike(b, n.id, distance: SphericalBounds.metres(n.distance))) }
            out.sort { (x: LiveBike, y: LiveBike) -> Bool in x.distance < y.distance || (x.distance == y.distance && x.bikeID < y.bikeID) }
            return (hits.count, Array(out.prefix(limit)))
        }
    }

    /// Exact k nearest bikes, optionally of one operator.
    public func nearest(lon: Double, lat: Double, k: Int, maxDistance: Double, operatorName: String? = nil) -> [LiveBike] {
        live.withLock { b in
            var filter: ((Int32) -> Bool)?
            if let operatorName {
                guard let code = b.operatorCode[operatorName] else { return [] }
                let operators = b.operatorOf
                filter = { operators[Int($0)] == code }
            }
            return b.grid.nearest(lon: lon, lat: lat, k: k, maxDistance: maxDistance, filter: filter).map { bike(b, $0.id, distance: $0.distance) }
        }
    }

    /// Counts within `radius` of each centre, in input order.
    /// Positions are copied under the lock and counted outside it (many centres at a
    /// large radius must not hold ingest), whole grid cells at a time.
    public func countWithin(centers: [Coordinate], radius: Double) -> [Int] {
        // A few small circles: counted in place (bounded work, no copy of every position).
        if centers.count <= 64 && radius <= 1_000 {
            return live.withLock { b in
                centers.map { c in
                    var n = 0
                    b.grid.forEachWithin(lon: c.x, lat: c.y, radius: radius) { _, _ in n += 1 }
                    return n
                }
            }
        }
        let points = live.withLock { b in
            var out: [Coordinate] = []
            out.reserveCapacity(b.grid.count)
            for s in 0..<b.ids.count { if let p = b.grid.point(Int32(s)) { out.append(p) } }
            return out
        }
        let grid = PointCountGrid(points: points)
        return centers.map { grid.count(lon: $0.x, lat: $0.y, radius: radius) }
    }

    /// One bike by id, or nil.
    public func bike(id: String) -> LiveBike? {
        live.withLock { b in b.slotOf[id].map { bike(b, $0, distance: 0) } }
    }
}
