import Foundation
import Geo
import SpatialIndex
import Storage

/// Kind of an electronic fence (电子围栏).
public enum FenceKind: String, Sendable {
    /// 停放区: bikes should be parked inside.
    case parking
    /// 禁停区: no bike may be parked inside.
    case noParking = "no_parking"
}

/// Parked bikes against the `bike_fence` layer, kept by delta on every move:
/// the parking fence each parked bike stands in (-1: outside every one: 违停)
/// and the no-parking fence it stands in, and per fence its parked bikes.
/// Where parking fences overlap, a bike counts for the lowest-positioned one.
struct FenceState {
    var identity = -1
    var parking: PolygonIndex?
    var noParking: PolygonIndex?
    /// Layer position of each polygon of `parking` / `noParking`.
    var parkingFence: [Int32] = []
    var noParkingFence: [Int32] = []
    var kinds: [FenceKind] = []
    var capacity: [Int?] = []
    /// Per bike slot; -2 for a slot never placed.
    var inParking: [Int32] = []
    var inNoParking: [Int32] = []
    var count: [Int32] = []

    var fenceCount: Int { kinds.count }

    mutating func enter(_ s: Int32, at p: Coordinate) {
        guard !kinds.isEmpty else { return }
        if Int(s) >= inParking.count {
            inParking += repeatElement(-2, count: Int(s) + 1 - inParking.count)
            inNoParking += repeatElement(-2, count: Int(s) + 1 - inNoParking.count)
        }
        let a = parking?.locate(x: p.x, y: p.y).map { parkingFence[Int($0)] } ?? -1
        let b = noParking?.locate(x: p.x, y: p.y).map { noParkingFence[Int($0)] } ?? -1
        inParking[Int(s)] = a
        inNoParking[Int(s)] = b
        if a >= 0 { count[Int(a)] += 1 }
        if b >= 0 { count[Int(b)] += 1 }
    }

    mutating func leave(_ s: Int32) {
        guard Int(s) < inParking.count else { return }
        let a = inParking[Int(s)], b = inNoParking[Int(s)]
        if a >= 0 { count[Int(a)] -= 1 }
        if b >= 0 { count[Int(b)] -= 1 }
        inParking[Int(s)] = -2
        inNoParking[Int(s)] = -2
    }
}

extension LiveBikes {
    /// Takes the fences of `layer` (nil: none) and places every parked bike anew.
    mutating func rebuildFences(_ layer: LayerSnapshot?) {
        var f = FenceState()
        f.identity = layer?.identity ?? -1
        if let layer {
            var parkingParts: [[[[Coordinate]]]] = [], noParkingParts: [[[[Coordinate]]]] = []
            for i in 0..<layer.count {
                let p = layer.properties.object(i)
                let kind = FenceKind(rawValue: p["kind"]?.stringValue ?? "") ?? .parking
                f.kinds.append(kind)
                f.capacity.append(wholeNumber(p["capacity"]))
                let polygons: [[[Coordinate]]] = switch layer.geometry.geometry(i) {
                case .polygon(let poly): [poly]
                case .multiPolygon(let ps): ps
                default: []
                }
                if kind == .parking {
                    parkingParts.append(polygons)
                    f.parkingFence.append(Int32(i))
                } else {
                    noParkingParts.append(polygons)
                    f.noParkingFence.append(Int32(i))
                }
            }
            if !parkingParts.isEmpty { f.parking = PolygonIndex(polygons: parkingParts) }
            if !noParkingParts.isEmpty { f.noParking = PolygonIndex(polygons: noParkingParts) }
            f.count = [Int32](repeating: 0, count: layer.count)
            for s in 0..<ids.count {
                let slot = Int32(s)
                if let p = grid.point(slot), isParked(slot) { f.enter(slot, at: p) }
            }
        }
        fences = f
        generation += 1
    }
}
