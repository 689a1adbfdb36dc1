import Foundation
import Geo
import Storage
import Synchronization

/// A parked bike that came to stand inside a no-parking fence (禁停区).
public struct NoParkingViolation: Sendable {
    public var bikeID: String
    public var fenceFeatureID: Int64
    public var fenceID: String?
    public var position: Coordinate
    /// ms since 1970.
    public var observedAt: Int64
}

/// Where no-parking violations go, and when each fence last raised one.
final class FenceEventSink: Sendable {
    let sink = Mutex<(@Sendable ([NoParkingViolation]) async -> Void)?>(nil)
    let lastRaised = Mutex<[Int64: Date]>([:])
}

extension LiveBikeService {
    /// Calls `sink` after each ingest with the bikes that came to stand in a no-parking
    /// fence, at most one per fence per `settings.fenceEventWindowMinutes` (duplicate
    /// suppression: one work order per fence and window, not one per bike).
    public func onNoParking(_ sink: @escaping @Sendable ([NoParkingViolation]) async -> Void) {
        fenceEvents.sink.withLock { $0 = sink }
    }

    /// Raises each violation as an event of `type` through the event hub (its own
    /// duplicate check also applies). Intake failures are skipped: a violation is not
    /// worth failing a position batch for.
    public func raiseNoParkingEvents(into hub: EventService, type: String, geocoding: GeocodingService, floodWarningRatio: Double) {
        let state = self.state
        onNoParking { list in
            let snapshot = state.snapshot
            for v in list {
                let fence = v.fenceID ?? "#\(v.fenceFeatureID)"
                let r = EventRequest(type: type, description: "共享单车 \(v.bikeID) 停放在禁停区 \(fence)", address: nil, point: v.position,
                                     source: "bikes", reportedAt: Date(timeIntervalSince1970: Double(v.observedAt) / 1000), reportedAtText: nil)
                _ = try? await hub.intake(r, snapshot: snapshot, geocoding: geocoding, floodWarningRatio: floodWarningRatio)
            }
        }
    }

    /// Takes the new no-parking entries out of the live state as violations.
    func drainNoParking(_ b: inout LiveBikes, _ snapshot: CitySnapshot, into out: inout [NoParkingViolation]) {
        defer { b.newNoParking.removeAll(keepingCapacity: true) }
        guard !b.newNoParking.isEmpty, fenceEvents.sink.withLock({ $0 != nil }), let layer = snapshot.layer(role: .bikeFence),
              layer.identity == b.fences.identity else { return }
        for (fence, slot) in b.newNoParking {
            guard let p = b.grid.point(slot), Int(fence) < layer.count else { continue }
            out.append(NoParkingViolation(bikeID: b.ids[Int(slot)], fenceFeatureID: layer.featureIDs[Int(fence)],
                                          fenceID: layer.properties.object(Int(fence))["fence_id"]?.textValue, position: p,
                                          observedAt: b.observed[Int(slot)]))
        }
    }

    /// Sends the violations whose fence has not raised one within the window.
    func sendNoParking(_ found: [NoParkingViolation]) async {
        guard !found.isEmpty, let sink = fenceEvents.sink.withLock({ $0 }) else { return }
        let now = clock.now(), window = settings.fenceEventWindowMinutes * 60
        let due = fenceEvents.lastRaised.withLock { last -> [NoParkingViolation] in
            var out: [NoParkingViolation] = []
            for v in found where last[v.fenceFeatureID].map({ now.timeIntervalSince($0) >= window }) ?? true {
                last[v.fenceFeatureID] = now
                out.append(v)
            }
            return out
        }
        if !due.isEmpty { await sink(due) }
    }
}
