import Foundation
import Geo
import Storage
import Synchronization

/// A parked bike that came to stand where it must not: inside a no-parking fence
/// (禁停区), or outside every parking fence (违停).
public struct FenceViolation: Sendable {
    public enum Kind: Sendable, Hashable {
        case noParking, outsideParking
    }
    public var kind: Kind
    public var bikeID: String
    /// The no-parking fence (nil for outside-parking).
    public var fenceFeatureID: Int64?
    public var fenceID: String?
    public var position: Coordinate
    /// ms since 1970.
    public var observedAt: Int64
    /// Suppression cell of an outside-parking violation (see `LiveBikeSettings.outsideParkingCellMetres`).
    var cell: Int64 = 0
}

/// Where fence violations go, and when each fence (no-parking) or cell
/// (outside-parking) last raised one.
final class FenceEventSink: Sendable {
    struct Target {
        var kinds: Set<FenceViolation.Kind>
        var send: @Sendable ([FenceViolation]) async -> Void
    }
    struct Raised {
        var fences: [Int64: Date] = [:]
        /// Only cells raised within the window are kept, so its size is the city-wide count per window.
        var cells: [Int64: Date] = [:]
    }
    let target = Mutex<Target?>(nil)
    let raised = Mutex(Raised())
}

/// What one batch found, bounded: outside-parking bikes at most one per cell and
/// no more cells than may be raised in a window.
struct FenceFindings {
    var violations: [FenceViolation] = []
    var outsideCells: Set<Int64> = []
}

extension LiveBikeService {
    /// Calls `sink` after each ingest with the bikes that came to stand in violation, for the
    /// `kinds` asked for. Duplicate suppression: no-parking, at most one per fence per
    /// `settings.fenceEventWindowMinutes` (one work order per fence and window, not one per
    /// bike); outside-parking, at most one per `outsideParkingCellMetres` cell per window and
    /// `outsideParkingEventsPerWindow` in the city per window.
    public func onFenceViolations(_ kinds: Set<FenceViolation.Kind>, _ sink: @escaping @Sendable ([FenceViolation]) async -> Void) {
        fenceEvents.target.withLock { $0 = kinds.isEmpty ? nil : FenceEventSink.Target(kinds: kinds, send: sink) }
    }

    /// No-parking violations only, as events of `type` (see `raiseFenceEvents`).
    public func raiseNoParkingEvents(into hub: EventService, type: String, geocoding: GeocodingService, floodWarningRatio: Double) {
        raiseFenceEvents(into: hub, noParkingType: type, outsideParkingType: nil, geocoding: geocoding, floodWarningRatio: floodWarningRatio)
    }

    /// Raises each violation as an event of its kind's type (nil: that kind is not raised)
    /// through the event hub (its own duplicate check also applies). Intake failures are
    /// skipped: a violation is not worth failing a position batch for.
    public func raiseFenceEvents(into hub: EventService, noParkingType: String?, outsideParkingType: String?,
                                 geocoding: GeocodingService, floodWarningRatio: Double) {
        let state = self.state
        var kinds: Set<FenceViolation.Kind> = []
        if noParkingType != nil { kinds.insert(.noParking) }
        if outsideParkingType != nil { kinds.insert(.outsideParking) }
        onFenceViolations(kinds) { list in
            let snapshot = state.snapshot
            for v in list {
                let type: String, text: String
                switch v.kind {
                case .noParking:
                    type = noParkingType ?? ""
                    text = "共享单车 \(v.bikeID) 停放在禁停区 \(v.fenceID ?? "#\(v.fenceFeatureID ?? 0)")"
                case .outsideParking:
                    type = outsideParkingType ?? ""
                    text = "共享单车 \(v.bikeID) 停放在停放区外（违停）"
                }
                let r = EventRequest(type: type, description: text, address: nil, point: v.position, source: "bikes",
                                     reportedAt: Date(timeIntervalSince1970: Double(v.observedAt) / 1000), reportedAtText: nil)
                _ = try? await hub.intake(r, snapshot: snapshot, geocoding: geocoding, floodWarningRatio: floodWarningRatio)
            }
        }
    }

    /// Suppression cell of a position: squares of `outsideParkingCellMetres` on a local
    /// equirectangular grid (metres east at the area's middle latitude).
    func outsideParkingCell(_ p: Coordinate) -> Int64 {
        let side = max(settings.outsideParkingCellMetres, 1)
        let midLat = (area.minY + area.maxY) / 2 * .pi / 180
        let x = Int64((p.x * 111_195 * cos(midLat) / side).rounded(.down))
        let y = Int64((p.y * 111_195 / side).rounded(.down))
        return (y << 32) | (x & 0xFFFF_FFFF)
    }

    /// Takes the new violations out of the live state (cleared whether or not anyone listens).
    func drainFenceViolations(_ b: inout LiveBikes, _ snapshot: CitySnapshot, into out: inout FenceFindings) {
        defer {
            b.newNoParking.removeAll(keepingCapacity: true)
            b.newOutsideParking.removeAll(keepingCapacity: true)
        }
        guard !b.newNoParking.isEmpty || !b.newOutsideParking.isEmpty, let kinds = fenceEvents.target.withLock({ $0?.kinds }),
              let layer = snapshot.layer(role: .bikeFence), layer.identity == b.fences.identity else { return }
        if kinds.contains(.noParking) {
            for (fence, slot) in b.newNoParking {
                guard let p = b.grid.point(slot), Int(fence) < layer.count else { continue }
                out.violations.append(FenceViolation(kind: .noParking, bikeID: b.ids[Int(slot)], fenceFeatureID: layer.featureIDs[Int(fence)],
                                                     fenceID: layer.properties.object(Int(fence))["fence_id"]?.textValue, position: p,
                                                     observedAt: b.observed[Int(slot)]))
            }
        }
        if kinds.contains(.outsideParking) {
            // Never more candidates than one window may raise: the rest would be dropped anyway.
            let cap = max(0, settings.outsideParkingEventsPerWindow)
            for slot in b.newOutsideParking where out.outsideCells.count < cap {
                guard let p = b.grid.point(slot) else { continue }
                let cell = outsideParkingCell(p)
                guard out.outsideCells.insert(cell).inserted else { continue }
                out.violations.append(FenceViolation(kind: .outsideParking, bikeID: b.ids[Int(slot)], fenceFeatureID: nil, fenceID: nil,
                                                     position: p, observedAt: b.observed[Int(slot)], cell: cell))
            }
        }
    }

    /// Sends the violations not suppressed (see `onFenceViolations`).
    func sendFenceViolations(_ found: FenceFindings) async {
        guard !found.violations.isEmpty, let send = fenceEvents.target.withLock({ $0?.send }) else { return }
        let now = clock.now(), window = settings.fenceEventWindowMinutes * 60
        let cap = settings.outsideParkingEventsPerWindow
        let due = fenceEvents.raised.withLock { r -> [FenceViolation] in
            r.cells = r.cells.filter { now.timeIntervalSince($0.value) < window }
            var out: [FenceViolation] = []
            for v in found.violations {
                switch v.kind {
                case .noParking:
                    guard let f = v.fenceFeatureID, r.fences[f].map({ now.timeIntervalSince($0) >= window }) ?? true else { continue }
                    r.fences[f] = now
                case .outsideParking:
                    guard r.cells[v.cell] == nil, r.cells.count < cap else { continue }
                    r.cells[v.cell] = now
                }
                out.append(v)
            }
            return out
        }
        if !due.isEmpty { await send(due) }
    }
}
