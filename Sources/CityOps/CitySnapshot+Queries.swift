import Foundation
import Geo
import SpatialIndex
import Storage

/// A feature found by a query: its layer position and distance.
public struct Hit: Sendable {
    public var position: Int
    public var distance: Double
}

extension CitySnapshot {
    /// The admin areas owning a point: grid, community, street, district.
    public func locate(lon: Double, lat: Double) -> [LayerRole: (LayerSnapshot, Int)] {
        var out: [LayerRole: (LayerSnapshot, Int)] = [:]
        for role in [LayerRole.grid, .community, .street, .district] {
            guard let l = layer(role: role), case .polygons(let idx) = l.geometry else { continue }
            if let p = idx.locate(x: lon, y: lat) { out[role] = (l, Int(p)) }
        }
        return out
    }

    /// Exact k nearest features of a layer by great-circle distance, ties by position.
    public func nearest(_ l: LayerSnapshot, lon: Double, lat: Double, k: Int, maxDistance: Double,
                        filter: ((Int) -> Bool)?) -> [Hit] {
        let f: ((Int32) -> Bool)? = filter.map { pred in { pred(Int($0)) } }
        let itemH: ((Int32) -> Double)?
        if case .points = l.geometry { itemH = nil } else { itemH = { l.h(Int($0), lon: lon, lat: lat) } }
        return l.geometry.tree.nearest(lon: lon, lat: lat, k: k, maxDistance: maxDistance, filter: f, itemH: itemH)
            .map { Hit(position: Int($0.id), distance: $0.distance) }
    }

    /// Features within `radius` metres, nearest first; `count` is the full number.
    public func within(_ l: LayerSnapshot, lon: Double, lat: Double, radius: Double, limit: Int) -> (count: Int, hits: [Hit]) {
        if case .points(let tree, _) = l.geometry {
            let total = tree.countWithin(lon: lon, lat: lat, radius: radius)
            let hits = limit == 0 ? [] : tree.within(lon: lon, lat: lat, radius: radius, limit: limit).map { Hit(position: Int($0.id), distance: $0.distance) }
            return (total, hits)
        }
        let all = nearest(l, lon: lon, lat: lat, k: .max, maxDistance: radius, filter: nil)
        return (all.count, Array(all.prefix(limit)))
    }

    /// Counts within `radius` of each centre, in input order.
    public func countWithin(_ l: LayerSnapshot, centers: [Coordinate], radius: Double) -> [Int] {
        if case .points(let tree, _) = l.geometry {
            return centers.map { tree.countWithin(lon: $0.x, lat: $0.y, radius: radius) }
        }
        return centers.map { within(l, lon: $0.x, lat: $0.y, radius: radius, limit: 0).count }
    }

    /// Representative point of each feature (the point itself, or its box centre).
    public func centers(of l: LayerSnapshot) -> [Coordinate] {
        (0..<l.count).map { i in
            if case .points(let t, let slot) = l.geometry {
                let s = Int(slot[i])
                return Coordinate(t.leaves[2 * s], t.leaves[2 * s + 1])
            }
            let b = l.geometry.geometry(i).boundingBox
            return Coordinate((b.minX + b.maxX) / 2, (b.minY + b.maxY) / 2)
        }
    }

    /// Features whose bounding box intersects `bbox`, in store order.
    public func features(_ l: LayerSnapshot, bbox: BoundingBox?) -> [Int] {
        guard let bbox else { return Array(0..<l.count) }
        var out = l.geometry.tree.search(minX: bbox.minX, minY: bbox.minY, maxX: bbox.maxX, maxY: bbox.maxY).map { Int($0) }
        out.sort()
        return out
    }

    /// The building whose footprint contains the point (lowest id if several).
    public func building(at lon: Double, lat: Double) -> (LayerSnapshot, Int)? {
        guard let l = layer(role: .building), case .polygons(let idx) = l.geometry, let p = idx.locate(x: lon, y: lat) else { return nil }
        return (l, Int(p))
    }
}
