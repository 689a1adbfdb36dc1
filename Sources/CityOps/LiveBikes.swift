import Foundation
import Geo
import SpatialIndex
import Storage

/// Settings of live bikes (`bikes:` in the server config).
public struct LiveBikeSettings: Sendable {
    /// A bike not heard from for this long drops out (parked bikes report at least every 4 h).
    public var expirySeconds = 6.0 * 3600
    /// Position history is kept this long (by receipt time).
    public var retentionDays = 7.0
    /// A report later than now by more than this is rejected (clock skew of the senders).
    public var futureToleranceSeconds = 300.0
    /// A report farther than this outside the city's area (all layers' bbox) is rejected.
    public var areaMarginMetres = 5_000.0
    /// Reports per request at most (more: 413).
    public var maxBatch = 100_000
    /// Radius of the counts kept live per station (the balance's default radius) and of
    /// the station a parked bike belongs to (activity).
    public var stationRadius = 100.0
    /// Balance status: `deficit` below this × capacity, `surplus` above `surplusAbove` × capacity.
    public var deficitBelow = 0.35
    public var surplusAbove = 1.2
    /// Activity window (arrivals and departures per station), minutes; at most 120.
    public var activityWindowMinutes = 15.0
    /// No-parking violations raised as events of this type (nil: not raised).
    public var fenceEventType: String?
    /// At most one such event per fence in this many minutes (and one per outside-parking cell).
    public var fenceEventWindowMinutes = 60.0
    /// Bikes parked outside every parking fence (违停) raised as events of this type (nil: not raised).
    public var outsideParkingEventType: String?
    /// Outside-parking events: at most one per square cell of this side (metres) per window…
    public var outsideParkingCellMetres = 250.0
    /// …and at most this many in the whole city per window (a city has many such bikes).
    public var outsideParkingEventsPerWindow = 100
    /// How often a server reads the positions other processes stored (`citytwin bikes ingest`).
    public var storePollSeconds = 1.0
    /// Reports applied per hold of the lock: readers wait at most one chunk.
    public var chunk = 1_000
    public init() {}
}

/// Station status of the live balance.
public enum StationStatus: UInt8, Sendable {
    case ok = 0, deficit, surplus
    public var name: String { ["ok", "deficit", "surplus"][Int(rawValue)] }

    static func classify(count: Int, capacity: Int, low: Double, high: Double) -> StationStatus {
        Double(count) < low * Double(capacity) ? .deficit : (Double(count) > high * Double(capacity) ? .surplus : .ok)
    }
}

/// Everything live about bikes, changed in place under `LiveBikeService`'s lock:
/// bikes by dense slot (flat columns), their grid, per-station counts and
/// activity, fence membership and per-tile change counters.
struct LiveBikes {
    var grid: LivePointGrid
    var slotOf: [String: Int32] = [:]
    var ids: [String] = []
    var operatorOf: [UInt16] = []
    /// Observation time in ms; `LiveBikes.imported` for bikes from the imported layer (never expire).
    var observed: [Int64] = []
    var status: [UInt8] = []
    var free: [Int32] = []
    var operators: [String] = []
    var operatorCode: [String: UInt16] = [:]
    /// The last operator looked up: reports come in runs of one operator, and a string
    /// comparison is cheaper than hashing.
    var lastOperator: (name: String, code: UInt16)?
    /// Identity of the imported bike layer the static bikes came from (-1: none yet).
    var bikeLayerIdentity = -1
    var stations: StationState
    var fences = FenceState()
    var tiles: TileStampGrid
    /// Change counters per tile for the station layer's live counts: a station whose
    /// count may have changed bumps the tiles around it (`LiveStationTiles.tileStamp`).
    var stationTiles: TileStampGrid
    /// Bumped by every rebuild of the stations (their counts recomputed from the grid).
    var stationRebuilds = 0
    /// (no-parking fence position, bike slot) for bikes that came to stand in a no-parking
    /// fence they were not in before; drained by the service after each chunk.
    var newNoParking: [(fence: Int32, slot: Int32)] = []
    /// Slots of bikes that came to stand outside every parking fence (违停), having been
    /// inside one, riding or new before; drained like `newNoParking`.
    var newOutsideParking: [Int32] = []
    /// Bumped by every change (tests and the tile source's snapshot checks).
    var generation = 0

    static let imported = Int64.min

    init(area: BoundingBox, settings: LiveBikeSettings) {
        grid = LivePointGrid(bounds: area)
        stations = StationState(area: area, settings: settings)
        tiles = TileStampGrid(area: area)
        stationTiles = TileStampGrid(area: area)
    }

    var count: Int { grid.count }

    func isParked(_ s: Int32) -> Bool { status[Int(s)] == BikeStatus.parked.code }

    mutating func code(ofOperator name: String) -> UInt16 {
        if let last = lastOperator, last.name == name { return last.code }
        if let c = operatorCode[name] {
            lastOperator = (name, c)
            return c
        }
        let c = UInt16(truncatingIfNeeded: operators.count)
        operators.append(name)
        operatorCode[name] = c
        return c
    }

    mutating func newSlot(for id: String) -> Int32 {
        let s: Int32
        if let f = free.popLast() {
            s = f
            ids[Int(s)] = id
        } else {
            s = Int32(ids.count)
            ids.append(id)
            operatorOf.append(0)
            observed.append(0)
            status.append(0)
        }
        slotOf[id] = s
        return s
    }

    /// Applies one position when it is newer than the bike's last (or the bike is
    /// new or only imported). Returns false when it was older and ignored. With an
    /// `activityMinute`, a change of the station the bike is parked at counts as a
    /// departure and an arrival in that minute.
    @discardableResult
    mutating func apply(_ p: BikePosition, activityMinute: Int64?, touched: inout [Int32], slotHint: Int32 = -1) -> Bool {
        let s: Int32
        var oldDock: Int32 = -1, oldNoParking: Int32 = -2, oldParking: Int32 = -2
        // The slot found when the batch was screened, if it still holds this bike (one hash less).
        let hinted: Int32? = slotHint >= 0 && Int(slotHint) < ids.count && ids[Int(slotHint)] == p.bikeID ? slotHint : nil
        if let e = hinted ?? slotOf[p.bikeID] {
            s = e
            if observed[Int(s)] != Self.imported, observed[Int(s)] >= p.observedAt { return false }
            oldDock = stations.dock(of: s)
            oldNoParking = Int(s) < fences.inNoParking.count ? fences.inNoParking[Int(s)] : -2
            oldParking = Int(s) < fences.inParking.count ? fences.inParking[Int(s)] : -2
            leave(s, touched: &touched)
        } else {
            s = newSlot(for: p.bikeID)
        }
        operatorOf[Int(s)] = code(ofOperator: p.operatorName)
        observed[Int(s)] = p.observedAt
        status[Int(s)] = p.status.code
        grid.set(s, x: p.lon, y: p.lat)
        let newDock = enter(s, touched: &touched)
        if Int(s) < fences.inNoParking.count, fences.inNoParking[Int(s)] >= 0, fences.inNoParking[Int(s)] != oldNoParking {
            newNoParking.append((fences.inNoParking[Int(s)], s))
        }
        // Only a change to "outside" counts: a bike moving about outside is not a new violation.
        if fences.parking != nil, Int(s) < fences.inParking.count, fences.inParking[Int(s)] == -1, oldParking != -1 {
            newOutsideParking.append(s)
        }
        if let m = activityMinute, oldDock != newDock { stations.recordMove(from: oldDock, to: newDock, minute: m) }
        generation += 1
        return true
    }

    /// Adds an imported bike (from the bike layer), unless a live report already placed it.
    mutating func seed(id: String, operatorName: String, at c: Coordinate, touched: inout [Int32]) {
        guard slotOf[id] == nil else { return }
        let s = newSlot(for: id)
        operatorOf[Int(s)] = code(ofOperator: operatorName)
        observed[Int(s)] = Self.imported
        status[Int(s)] = BikeStatus.parked.code
        grid.set(s, x: c.x, y: c.y)
        enter(s, touched: &touched)
        generation += 1
    }

    /// Takes a bike out (expired, or its imported layer replaced); no departure is counted.
    mutating func remove(_ s: Int32, touched: inout [Int32]) {
        guard grid.contains(s) else { return }
        leave(s, touched: &touched)
        grid.remove(s)
        slotOf[ids[Int(s)]] = nil
        ids[Int(s)] = ""
        free.append(s)
        generation += 1
    }

    /// Undoes a bike's contributions at its current position (before a move or removal).
    mutating func leave(_ s: Int32, touched: inout [Int32]) {
        guard let p = grid.point(s) else { return }
        tiles.touch(lon: p.x, lat: p.y)
        if isParked(s) {
            stations.add(-1, near: p, touched: &touched)
            fences.leave(s)
        }
        stations.setDock(s, -1)
    }

    /// Adds a bike's contributions at its (new) position; returns its station (-1: none).
    @discardableResult
    mutating func enter(_ s: Int32, touched: inout [Int32]) -> Int32 {
        guard let p = grid.point(s) else { return -1 }
        tiles.touch(lon: p.x, lat: p.y)
        guard isParked(s) else { return -1 }
        let dock = stations.add(1, near: p, touched: &touched)
        fences.enter(s, at: p)
        stations.setDock(s, dock)
        return dock
    }
}
