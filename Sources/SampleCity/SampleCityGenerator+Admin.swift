import Geo

/// The admin hierarchy as generated, with lattice extents kept for lookups.
struct AdminAreas {
    struct Grid { let code: String; let name: String; let i: Int; let j: Int; let communityIndex: Int }
    struct Community { let code: String; let name: String; let i0: Int; let j0: Int; let i1: Int; let j1: Int; let streetIndex: Int }
    var district: [Feature] = []
    var streets: [Feature] = []
    var communities: [Feature] = []
    var grids: [Feature] = []
    var streetNames: [String] = []
    var communityInfo: [Community] = []
    var gridInfo: [Grid] = []
    /// Grid index by cell (j * columns + i).
    var gridOfCell: [Int] = []
}

extension SampleCityGenerator {
    func makeAdmin() -> AdminAreas {
        var a = AdminAreas()
        let C = Self.columns, R = Self.rows
        a.district = [Feature(id: .s(profile.districtCode), properties: JSONObject([
            "code": .s(profile.districtCode), "name": .s(profile.districtName), "parent_code": .s(profile.cityCode),
            "level": .s("区县")]), geometry: .polygon([ring(0, 0, C, R)]))]

        // Community row starts in cells.
        var rowStart = [0]
        for s in Self.communityRowSizes { rowStart.append(rowStart.last! + s) }
        var names = Set<String>()
        var nameRng = SeededRandom(seed: seed ^ 0xC0FFEE)
        func communityName() -> String {
            while true {
                let n = nameRng.pick(ChineseNames.communityFirst) + nameRng.pick(ChineseNames.communitySecond) + "社区"
                if n.count == 4, !names.contains(n), Array(n)[0] != Array(n)[1] { names.insert(n); return n }
            }
        }
        a.gridOfCell = Array(repeating: -1, count: C * R)
        var bandStart = 0
        var streetIndex = 0
        for (b, width) in Self.streetBands.enumerated() {
            for part in 0..<2 {
                let cr0 = part == 0 ? 0 : Self.streetSplits[b], cr1 = part == 0 ? Self.streetSplits[b] : 10
                let streetCode = profile.districtCode + String(format: "%03d", streetIndex + 1)
                let streetName = self.names.streets[streetIndex]
                a.streetNames.append(streetName)
                a.streets.append(Feature(id: .s(streetCode), properties: JSONObject([
                    "code": .s(streetCode), "name": .s(streetName), "parent_code": .s(profile.districtCode), "level": .s("街道")]),
                    geometry: .polygon([ring(bandStart * 4, rowStart[cr0], (bandStart + width) * 4, rowStart[cr1])])))
                var communityNumber = 0
                for cr in cr0..<cr1 {
                    for cc in bandStart..<(bandStart + width) {
                        communityNumber += 1
                        let code = streetCode + String(format: "%03d", communityNumber)
                        let name = communityName()
                        let (i0, j0, i1, j1) = (cc * 4, rowStart[cr], cc * 4 + 4, rowStart[cr + 1])
                        a.communityInfo.append(.init(code: code, name: name, i0: i0, j0: j0, i1: i1, j1: j1, streetIndex: streetIndex))
                        a.communities.append(Feature(id: .s(code), properties: JSONObject([
                            "code": .s(code), "name": .s(name), "parent_code": .s(streetCode), "street": .s(streetName), "level": .s("社区")]),
                            geometry: .polygon([ring(i0, j0, i1, j1)])))
                        var gridNumber = 0
                        for j in j0..<j1 {
                            for i in i0..<i1 {
                                gridNumber += 1
                                let gcode = code + String(format: "%03d", gridNumber)
                                let gname = "\(name)第\(gridNumber)网格"
                                a.gridOfCell[j * C + i] = a.gridInfo.count
                                a.gridInfo.append(.init(code: gcode, name: gname, i: i, j: j, communityIndex: a.communityInfo.count - 1))
                                a.grids.append(Feature(id: .s(gcode), properties: JSONObject([
                                    "code": .s(gcode), "name": .s(gname), "parent_code": .s(code),
                                    "community": .s(name), "street": .s(streetName), "level": .s("网格")]),
                                    geometry: .polygon([ring(i, j, i + 1, j + 1)])))
                            }
                        }
                    }
                }
                streetIndex += 1
            }
            bandStart += width
        }
        return a
    }
}
