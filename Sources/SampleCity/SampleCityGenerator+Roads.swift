import Geo

/// A generated road: its polyline in metres, the chainages of its
/// intersections (where addresses and buildings keep clear) and its feature.
struct SampleRoad {
    let name: String
    let line: Polyline2
    let intersections: [Double]
    let feature: Feature
    /// For lattice roads: vertical (i fixed) or horizontal (j fixed), and the lattice span.
    let vertical: Bool?
    let fixed: Int
    let span: Range<Int>
    /// A neighbour's road reaching into this district: looked up, not written.
    var borrowed = false
}

struct SampleAddress {
    let road: Int
    let number: Int
    let point: Point2
    let roadPoint: Point2
    let direction: Point2
    let side: Double
    let feature: Feature
    var full: String { feature.properties["full"]?.stringValue ?? "" }
}

extension SampleCityGenerator {
    /// Roads along every lattice line in three sections each, plus lanes. In a
    /// city of several districts a boundary line is the earlier (west or south)
    /// district's, and a main road's last section runs on 13 cells (east) or 8
    /// cells (north) into the next district, whose first section it replaces;
    /// that district keeps the road as `borrowed` (for its intersections, metro
    /// stations and flood points) but writes no feature or addresses for it.
    func makeRoads() -> [SampleRoad] {
        var roads: [SampleRoad] = []
        let C = Self.columns, R = Self.rows
        let vSections = [0..<8, 8..<17, 17..<R], vNames = ["南", "中", "北"]
        let hSections = [0..<13, 13..<27, 27..<C], hNames = ["一段", "二段", "三段"]
        func feature(_ name: String, _ pts: [Point2], _ kind: String, _ extra: JSONObject = JSONObject()) -> Feature {
            var p = JSONObject(["name": .s(name), "kind": .s(kind)])
            for m in extra.members { p[m.key] = m.value }
            return Feature(properties: p, geometry: .lineString(pts.map { frame.lonLat($0) }))
        }
        func vertical(_ i: Int, _ k: Int, _ sec: Range<Int>, stems: [String], borrowed: Bool = false) -> SampleRoad {
            let major = i % 5 == 0
            var pts: [Point2] = [], inter: [Double] = []
            for j in sec { pts.append(v(i, j)); pts.append(vMid(i, j)) }
            pts.append(v(i, sec.upperBound))
            let line = Polyline2(pts)
            for q in stride(from: 0, to: pts.count, by: 2) { inter.append(line.cumulative[q]) }
            let name = major ? "\(stems[i])大道\(vNames[k])段" : "\(stems[i])\(vNames[k])路"
            return SampleRoad(name: name, line: line, intersections: inter, feature: feature(name, pts, major ? "主干路" : "次干路"),
                              vertical: true, fixed: i, span: sec, borrowed: borrowed)
        }
        func horizontal(_ j: Int, _ k: Int, _ sec: Range<Int>, stems: [String], borrowed: Bool = false) -> SampleRoad {
            let major = j % 5 == 0
            var pts: [Point2] = [], inter: [Double] = []
            for i in sec { pts.append(v(i, j)); pts.append(hMid(i, j)) }
            pts.append(v(sec.upperBound, j))
            let line = Polyline2(pts)
            for q in stride(from: 0, to: pts.count, by: 2) { inter.append(line.cumulative[q]) }
            let stem = stems[(C + 1 + j) % stems.count]
            let name = major ? "\(stem)大街\(hNames[k])" : "\(stem)路\(hNames[k])"
            return SampleRoad(name: name, line: line, intersections: inter, feature: feature(name, pts, major ? "主干路" : "次干路"),
                              vertical: false, fixed: j, span: sec, borrowed: borrowed)
        }
        var borrowed: [SampleRoad] = []
        for i in 0...C where !(i == 0 && slot.west) {
            let major = i % 5 == 0
            for (k, sec) in vSections.enumerated() {
                if major && k == 0 && slot.south {
                    let south = cityNames[slot.index - (lattice.width / C)]
                    borrowed.append(vertical(i, 2, (vSections[2].lowerBound - R)..<sec.upperBound, stems: south.roadStems, borrowed: true))
                    continue
                }
                let span = major && k == 2 && slot.north ? sec.lowerBound..<(R + vSections[0].upperBound) : sec
                roads.append(vertical(i, k, span, stems: names.roadStems))
            }
        }
        for j in 0...R where !(j == 0 && slot.south) {
            let major = j % 5 == 0
            for (k, sec) in hSections.enumerated() {
                if major && k == 0 && slot.west {
                    let west = cityNames[slot.index - 1]
                    borrowed.append(horizontal(j, 2, (hSections[2].lowerBound - C)..<sec.upperBound, stems: west.roadStems, borrowed: true))
                    continue
                }
                let span = major && k == 2 && slot.east ? sec.lowerBound..<(C + hSections[0].upperBound) : sec
                roads.append(horizontal(j, k, span, stems: names.roadStems))
            }
        }
        // About 100 lanes (巷/街) crossing single cells west to east at mid-height.
        var r = SeededRandom(seed: seed ^ 0x1A4E)
        var cells = Set<Int>()
        while cells.count < 100 { cells.insert(r.int(0...(C * R - 1))) }
        let lanes = names.laneStems
        for (k, cell) in cells.sorted().enumerated() {
            let i = cell % C, j = cell / C
            let mid = pointInCell(i, j, r.uniform(0.4, 0.6), r.uniform(0.45, 0.55))
            let pts = [vMid(i, j), mid, vMid(i + 1, j)]
            let line = Polyline2(pts)
            let name = names.ownLaneStems
                ? lanes[k % lanes.count] + (k < lanes.count ? "巷" : "街")
                : lanes[k % lanes.count] + ChineseNumerals.string(k / lanes.count + 1) + "巷"  // 青溪一巷, as lanes off a road are named
            roads.append(SampleRoad(name: name, line: line, intersections: [0, line.length],
                                    feature: feature(name, pts, "支路"), vertical: nil, fixed: cell, span: 0..<0))
        }
        // Borrowed roads last, so addresses' road indices are the same in both lists.
        return roads + borrowed
    }

    /// House numbers on both sides of every road: odd on the left, even on
    /// the right, every ~36 m, clear of intersections.
    func makeAddresses(_ roads: [SampleRoad]) -> [SampleAddress] {
        var out: [SampleAddress] = []
        var r = SeededRandom(seed: seed ^ 0xADD4)
        let clearance = 90.0
        for (ri, road) in roads.enumerated() where !road.borrowed {
            var odd = 1, even = 2
            var s = 20.0
            while s < road.line.length - 20 {
                let nearCrossing = road.intersections.contains { abs($0 - s) < clearance }
                if !nearCrossing {
                    let (p, dir) = road.line.at(s)
                    for side in [1.0, -1.0] {
                        let number = side > 0 ? odd : even
                        let point = p + dir.leftNormal * (side * 18)
                        let full = "\(road.name)\(number)号"
                        out.append(SampleAddress(road: ri, number: number, point: point, roadPoint: p, direction: dir, side: side,
                                                 feature: Feature(properties: JSONObject([
                                                    "road": .s(road.name), "number": .s(String(number)), "full": .s(full)]),
                                                                  geometry: .point(frame.lonLat(point)))))
                    }
                }
                // Numbers advance with distance even across skipped stretches, as on real streets.
                odd += 2; even += 2
                s += r.uniform(33, 39)
            }
        }
        return out
    }

    /// One footprint behind each address, aligned with its road.
    func makeBuildings(_ addresses: [SampleAddress]) -> [Feature] {
        var r = SeededRandom(seed: seed ^ 0xB11D)
        var out: [Feature] = []
        out.reserveCapacity(addresses.count)
        for a in addresses {
            let w = r.uniform(12, 26), d = r.uniform(12, 30), setback = r.uniform(22, 27)
            let n = a.direction.leftNormal * a.side
            let front = a.roadPoint + n * setback, back = a.roadPoint + n * (setback + d)
            let half = a.direction * (w / 2)
            var ring = [front - half, front + half, back + half, back - half]
            if a.side < 0 { ring.reverse() } // keep counter-clockwise
            ring.append(ring[0])
            var roll = r.uniform(0, 1)
            var use = "住宅"
            for (u, p) in ChineseNames.buildingUses { if roll < p { use = u; break }; roll -= p }
            let tall = use == "住宅" || use == "办公"
            let floors = tall ? r.int(6...33) : r.int(1...8)
            let height = (Double(floors) * r.uniform(2.9, 3.4) * 10).rounded() / 10
            let cim = r.chance(0.7) ? 2 : (r.chance(0.6) ? 3 : r.int(1...6))
            out.append(Feature(properties: JSONObject([
                "height_m": .n(height), "floors": .i(floors), "cim_level": .i(cim), "use": .s(use), "address": .s(a.full)]),
                               geometry: .polygon([ring.map { frame.lonLat($0) }])))
        }
        return out
    }
}
