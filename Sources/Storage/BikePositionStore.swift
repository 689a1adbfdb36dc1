import Foundation
import Geo

/// What a bike is doing when it reports (the regulator's feeds: at least every
/// 4 h when parked, every 2 min when riding).
public enum BikeStatus: String, Sendable, CaseIterable {
    case parked, riding, disabled

    public var code: UInt8 {
        switch self {
        case .parked: 0
        case .riding: 1
        case .disabled: 2
        }
    }

    public init?(code: UInt8) {
        switch code {
        case 0: self = .parked
        case 1: self = .riding
        case 2: self = .disabled
        default: return nil
        }
    }
}

/// One position report: WGS84 lon/lat, observation time in milliseconds since 1970.
public struct BikePosition: Sendable, Equatable {
    public var bikeID: String
    public var operatorName: String
    public var lon: Double
    public var lat: Double
    public var observedAt: Int64
    public var status: BikeStatus

    public init(bikeID: String, operatorName: String, lon: Double, lat: Double, observedAt: Int64, status: BikeStatus) {
        self.bikeID = bikeID; self.operatorName = operatorName; self.lon = lon; self.lat = lat
        self.observedAt = observedAt; self.status = status
    }
}

/// Live bike positions in the operational database: every accepted report
/// (history, kept for a retention period by receipt time) and the latest per
/// bike (what a restarted server loads). Same rules as `OperationalStore`:
/// async, off the cooperative pool, short transactions.
public protocol BikePositionStore: Sendable {
    /// Creates the bike tables when missing (idempotent).
    func prepareBikeTables() async throws(StorageError)
    /// Appends `positions` to the history and makes each the bike's latest when
    /// it is newer than the stored one, in one transaction; `receivedAt` in ms.
    /// Returns how many became a bike's latest.
    @discardableResult
    func storeBikePositions(_ positions: [BikePosition], receivedAt: Int64) async throws(StorageError) -> Int
    /// The latest position of every bike observed at or after `since` (ms; nil: all).
    func latestBikePositions(since: Int64?) async throws(StorageError) -> [BikePosition]
    /// Deletes history received before `receivedBefore` (ms) and latest positions
    /// observed before `latestBefore` (nil: keep); returns (history, latest) rows deleted.
    func purgeBikePositions(receivedBefore: Int64, latestBefore: Int64?) async throws(StorageError) -> (history: Int, latest: Int)
    /// Rows in the history (benchmarks and checks).
    func bikePositionCount() async throws(StorageError) -> Int
    /// Where the history ends now: a cursor for `bikePositions(storedElsewhereAfter:limit:)`.
    func bikePositionCursor() async throws(StorageError) -> Int64
    /// History written after `cursor` by other writers (another process, another store on the
    /// same file), oldest first, at most `limit` rows; this store's own batches are skipped.
    func bikePositions(storedElsewhereAfter cursor: Int64, limit: Int) async throws(StorageError) -> StoredBikePositions
}

/// Positions read from the history, and the cursor to read on from.
public struct StoredBikePositions: Sendable {
    public var positions: [BikePosition]
    public var cursor: Int64

    public init(positions: [BikePosition], cursor: Int64) {
        self.positions = positions
        self.cursor = cursor
    }
}
