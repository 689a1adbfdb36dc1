import Foundation
import Geo
import Geocoder
import SpatialIndex

extension CitySnapshot {
    /// Admin codes of the areas owning a point (grid, community, street, district).
    public func adminCodes(lon: Double, lat: Double) -> AdminCodes {
        let found = locate(lon: lon, lat: lat)
        func code(_ role: LayerRole) -> String? {
            found[role].flatMap { $0.0.properties.object($0.1)["code"]?.textValue }
        }
        return AdminCodes(district: code(.district), street: code(.street), community: code(.community), grid: code(.grid))
    }

    /// The identities of the layers `makeGazetteer` reads: equal keys, equal gazetteers.
    /// In order: district, street, community, grid, road, address, building, POI.
    public var gazetteerKey: [Int] {
        [LayerRole.district, .street, .community, .grid, .road, .address, .building, .poi].map { layer(role: $0)?.identity ?? -1 }
    }

    /// The geocoder's gazetteer from the admin, road, address, building and POI layers.
    public func makeGazetteer() -> Gazetteer {
        let codes = AdminCodeLocator(self)
        return Gazetteer(admin: makeAdminPart(), roads: makeRoadPart(codes), addresses: makeAddressPart(codes), pois: makePOIPart(codes))
    }

    /// The admin areas: from the district, street, community and grid layers.
    public func makeAdminPart() -> AdminPart {
        var admins: [AdminEntry] = []
        for (role, level) in [(LayerRole.district, AdminLevel.district), (.street, .street), (.community, .community), (.grid, .grid)] {
            guard let l = layer(role: role) else { continue }
            for i in 0..<l.count {
                let p = l.properties.object(i)
                guard let code = p["code"]?.textValue, let name = p["name"]?.stringValue else { continue }
                admins.append(AdminEntry(level: level, code: code, name: name, parentCode: p["parent_code"]?.textValue,
                                         point: labelPoint(l, i)))
            }
        }
        return AdminPart(admins)
    }

    /// The named roads: from the road layer, with the codes of the admin areas they cross.
    public func makeRoadPart(_ codes: AdminCodeLocator) -> RoadPart {
        var roads: [RoadEntry] = []
        if let l = layer(role: .road) {
            for i in 0..<l.count {
                guard let name = l.properties.object(i)["name"]?.stringValue else { continue }
                let g = l.geometry.geometry(i)
                let lines: [[Coordinate]]
                switch g {
                case .lineString(let cs): lines = [cs]
                case .multiLineString(let ls): lines = ls
                default: continue
                }
                var crossed = Set<String>()
                for line in lines {
                    for (a, b) in zip(line, line.dropFirst()) {
                        for t in [0.0, 0.5] {
                            let c = codes.codes(lon: a.x + (b.x - a.x) * t, lat: a.y + (b.y - a.y) * t)
                            for v in [c.district, c.street, c.community, c.grid] { if let v { crossed.insert(v) } }
                        }
                    }
                }
                roads.append(RoadEntry(name: name, lines: lines, adminCodes: crossed))
            }
        }
        return RoadPart(roads)
    }

    /// House numbers: from the address layer, then building footprints with an
    /// address the address layer lacks (one part: which buildings count depends on both).
    public func makeAddressPart(_ codes: AdminCodeLocator) -> AddressPart {
        var addresses: [AddressEntry] = []
        if let l = layer(role: .address), case .points(let t, let slot) = l.geometry {
            for i in 0..<l.count {
                let p = l.properties.object(i)
                guard let road = p["road"]?.stringValue, let full = p["full"]?.stringValue,
                      let number = wholeNumber(p["number"], integralOnly: true) else { continue }
                let s = Int(slot[i])
                let c = Coordinate(t.leaves[2 * s], t.leaves[2 * s + 1])
                addresses.append(AddressEntry(road: road, number: number, full: full, point: c, admin: codes.codes(lon: c.x, lat: c.y)))
            }
        }
        // Building footprints with an address the address layer lacks add a 门址 at the footprint's label point.
        if let l = layer(role: .building) {
            let known = Set(addresses.map(\.full))
            for i in 0..<l.count {
                guard let full = l.properties.object(i)["address"]?.stringValue, !known.contains(full),
                      let m = full.firstMatch(of: /^(.+?)(\d+)号$/), let number = Int(m.2) else { continue }
                let c = labelPoint(l, i)
                addresses.append(AddressEntry(road: String(m.1), number: number, full: full, point: c, admin: codes.codes(lon: c.x, lat: c.y)))
            }
        }
        return AddressPart(addresses)
    }

    /// POIs: from the POI layer.
    public func makePOIPart(_ codes: AdminCodeLocator) -> POIPart {
        var pois: [POIEntry] = []
        if let l = layer(role: .poi), case .points(let t, let slot) = l.geometry {
            for i in 0..<l.count {
                let p = l.properties.object(i)
                guard let name = p["name"]?.stringValue else { continue }
                let s = Int(slot[i])
                let c = Coordinate(t.leaves[2 * s], t.leaves[2 * s + 1])
                pois.append(POIEntry(name: name, aliases: p["aliases"]?.arrayValue?.compactMap(\.stringValue) ?? [],
                                     category: p["category"]?.textValue ?? "", point: c, admin: codes.codes(lon: c.x, lat: c.y)))
            }
        }
        return POIPart(pois)
    }

    /// A point inside polygon feature i: `Ring.labelPoint` of its largest part,
    /// the centroid tested against the layer's own polygon index.
    func labelPoint(_ l: LayerSnapshot, _ i: Int) -> Coordinate {
        let g = l.geometry.geometry(i)
        let parts: [[[Coordinate]]]
        switch g {
        case .polygon(let p): parts = [p]
        case .multiPolygon(let ps): parts = ps
        default: return g.boundingBox.isEmpty ? Coordinate(0, 0) : Coordinate(g.boundingBox.minX, g.boundingBox.minY)
        }
        guard let part = parts.max(by: { abs(Ring.signedArea($0.first ?? [])) < abs(Ring.signedArea($1.first ?? [])) }) else {
            return Coordinate(0, 0)
        }
        let isInside: (Coordinate) -> Bool
        if case .polygons(let idx) = l.geometry { isInside = { idx.contains(i, x: $0.x, y: $0.y) } } else { isInside = { _ in false } }
        return Ring.labelPoint(part, isInside: isInside) ?? Coordinate(0, 0)
    }
}

/// `CitySnapshot.adminCodes` for many points: each admin layer's codes read
/// once (reading them per point parsed the feature's properties every time).
public struct AdminCodeLocator: Sendable {
    let layers: [(level: AdminLevel, index: PolygonIndex, codes: [String?])]

    public init(_ snapshot: CitySnapshot) {
        var layers: [(level: AdminLevel, index: PolygonIndex, codes: [String?])] = []
        for (role, level) in [(LayerRole.district, AdminLevel.district), (.street, .street), (.community, .community), (.grid, .grid)] {
            guard let l = snapshot.layer(role: role), case .polygons(let idx) = l.geometry else { continue }
            layers.append((level, idx, (0..<l.count).map { l.properties.object($0)["code"]?.textValue }))
        }
        self.layers = layers
    }

    /// The same codes as `CitySnapshot.adminCodes(lon:lat:)`.
    public func codes(lon: Double, lat: Double) -> AdminCodes {
        var out = AdminCodes()
        for l in layers {
            guard let p = l.index.locate(x: lon, y: lat), let code = l.codes[Int(p)] else { continue }
            switch l.level {
            case .district: out.district = code
            case .street: out.street = code
            case .community: out.community = code
            case .grid: out.grid = code
            }
        }
        return out
    }
}
