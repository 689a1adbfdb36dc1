import Foundation
import Geo
import Storage

/// Parked bikes against the electronic fences (`bike_fence` layer).
public struct FenceReport: Sendable {
    public struct Fence: Sendable {
        /// Store id of the fence feature.
        public var featureID: Int64
        public var fenceID: String?
        public var kind: FenceKind
        public var capacity: Int?
        /// Parked bikes inside.
        public var count: Int
        /// Parking fence with more bikes than its capacity.
        public var overCapacity: Bool { kind == .parking && capacity.map { count > $0 } ?? false }
    }
    public struct Violation: Sendable {
        public var bike: LiveBike
        /// The no-parking fence it stands in (nil: outside every parking fence).
        public var fenceFeatureID: Int64?
    }
    public var fences: [Fence]
    /// Parked bikes inside no-parking fences (all of them, up to `limit`).
    public var inNoParking: [Violation]
    public var inNoParkingCount: Int
    /// Parked bikes outside every parking fence (违停), up to `limit`.
    public var outsideParking: [Violation]
    public var outsideParkingCount: Int
}

extension LiveBikeService {
    /// Fence counts and violations from the live state (kept by delta on every move).
    /// Lists hold at most `limit` bikes each (the first found), sorted by bike id. Throws `CityOpsError` when
    /// there is no `bike_fence` layer.
    public func fences(limit: Int) throws(CityOpsError) -> FenceReport {
        let snapshot = state.snapshot
        guard let layer = snapshot.layer(role: .bikeFence) else { throw CityOpsError(.unknownLayer, "no layer with role bike_fence") }
        return live.withLock { b in
            sync(&b, snapshot)
            let f = b.fences
            var fences: [FenceReport.Fence] = []
            for i in 0..<f.fenceCount {
                fences.append(FenceReport.Fence(featureID: layer.featureIDs[i], fenceID: layer.properties.object(i)["fence_id"]?.textValue,
                                                kind: f.kinds[i], capacity: f.capacity[i], count: Int(f.count[i])))
            }
            var noParking: [Int32] = [], outside: [Int32] = []
            let hasParking = f.parking != nil
            for s in 0..<min(b.ids.count, f.inParking.count) {
                let slot = Int32(s)
                guard b.grid.contains(slot), b.isParked(slot) else { continue }
                if f.inNoParking[s] >= 0 { noParking.append(slot) }
                if hasParking, f.inParking[s] == -1 { outside.append(slot) }
            }
            func list(_ slots: [Int32]) -> [FenceReport.Violation] {
                slots.prefix(limit).map { s in
                    FenceReport.Violation(bike: bike(b, s, distance: 0),
                                          fenceFeatureID: f.inNoParking[Int(s)] >= 0 ? layer.featureIDs[Int(f.inNoParking[Int(s)])] : nil)
                }.sorted { $0.bike.bikeID < $1.bike.bikeID }
            }
            return FenceReport(fences: fences, inNoParking: list(noParking), inNoParkingCount: noParking.count,
                               outsideParking: list(outside), outsideParkingCount: outside.count)
        }
    }
}
