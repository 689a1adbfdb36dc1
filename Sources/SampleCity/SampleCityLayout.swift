import Geo
import Geocoder

/// Where one district of an N-district city sits: its place in a row-major
/// grid of districts, the lattice offset of its block, and which neighbours
/// exist. Districts come south-west first, so a district's west and south
/// neighbours are always generated before it and own the shared edges.
struct DistrictSlot: Sendable {
    let index: Int
    let column: Int, row: Int
    /// Lattice offset (vertices) of the district's block in the city lattice.
    let oi: Int, oj: Int
    let seed: UInt64
    let west: Bool, south: Bool, east: Bool, north: Bool

    /// Empty for the first district (so one district keeps today's ids), else
    /// the two-digit index that keeps ids unique across the city.
    var tag: String { index == 0 ? "" : String(format: "%02d", index) }
}

/// The vertices and bent edge midpoints of the whole city's lattice, in metres
/// of the city frame. Adjacent districts read the same boundary values, so
/// their polygons share vertices exactly.
struct CityLattice: Sendable {
    var width = 0, height = 0  // cells
    var vertices: [Point2] = []
    var hMids: [Point2] = []
    var vMids: [Point2] = []
}

/// The names one district's layout uses: two-character road stems (also
/// lanes', parks' and streets' names outside the first district) and street names.
struct DistrictNames: Sendable {
    var roadStems: [String]
    var laneStems: [String]
    var streets: [String]
    /// Lanes named from lane stems (the first district) or as numbered lanes off road stems.
    var ownLaneStems: Bool

    static let standard = DistrictNames(roadStems: ChineseNames.roadStems, laneStems: ChineseNames.laneStems,
                                        streets: ChineseNames.streets, ownLaneStems: true)
}

/// The layout of an N-district city: slots, lattice, per-district profiles and names.
struct CityLayout: Sendable {
    static let maxDistricts = 25

    let columns: Int, rows: Int
    let slots: [DistrictSlot]
    var lattice = CityLattice()
    let profiles: [SampleCityProfile]
    let names: [DistrictNames]

    init(districts n: Int, seed: UInt64, profile: SampleCityProfile) {
        let C = SampleCityGenerator.columns, R = SampleCityGenerator.rows
        columns = Int(Double(n).squareRoot().rounded(.up))
        rows = (n + columns - 1) / columns
        var slots: [DistrictSlot] = []
        for k in 0..<n {
            let c = k % columns, r = k / columns
            // District 0 keeps the city's seed, so one district is today's sample.
            var mix = SeededRandom(seed: seed ^ (UInt64(k) &* 0xD1B5_4A32_D192_ED03))
            let s = k == 0 ? seed : mix.next()
            slots.append(DistrictSlot(index: k, column: c, row: r, oi: c * C, oj: r * R, seed: s,
                                      west: c > 0, south: r > 0, east: c + 1 < columns && k + 1 < n, north: k + columns < n))
        }
        self.slots = slots
        (profiles, names) = Self.districtProfiles(n, seed: seed, profile: profile)
        lattice = buildLattice()
    }

    /// Each district's block is jittered from its own seed in the same order
    /// as the single-district lattice; a vertex or midpoint already set by an
    /// earlier neighbour keeps that value (the draws still happen, so a
    /// district's stream does not depend on its neighbours).
    func buildLattice() -> CityLattice {
        let C = SampleCityGenerator.columns, R = SampleCityGenerator.rows
        let cw = SampleCityGenerator.cellWidth, ch = SampleCityGenerator.cellHeight
        var l = CityLattice(width: columns * C, height: rows * R)
        let W = l.width, H = l.height
        l.vertices = Array(repeating: Point2(0, 0), count: (W + 1) * (H + 1))
        l.hMids = Array(repeating: Point2(0, 0), count: (H + 1) * W)
        l.vMids = Array(repeating: Point2(0, 0), count: H * (W + 1))
        var vSet = [Bool](repeating: false, count: l.vertices.count)
        var hSet = [Bool](repeating: false, count: l.hMids.count)
        var mSet = [Bool](repeating: false, count: l.vMids.count)
        for s in slots {
            var rng = SeededRandom(seed: s.seed)
            var r = rng.fork(1)
            // The city is centred on the profile's centre; one district sits exactly on it.
            let dx = (Double(s.column) - Double(columns - 1) / 2) * Double(C) * cw
            let dy = (Double(s.row) - Double(rows - 1) / 2) * Double(R) * ch
            let x0 = -Double(C) * cw / 2 + dx, y0 = -Double(R) * ch / 2 + dy
            for j in 0...R {
                for i in 0...C {
                    let edgeX = i == 0 || i == C, edgeY = j == 0 || j == R
                    let jx = edgeX ? r.uniform(-60, 60) : r.uniform(-40, 40)
                    let jy = edgeY ? r.uniform(-60, 60) : r.uniform(-50, 50)
                    let g = (j + s.oj) * (W + 1) + i + s.oi
                    if !vSet[g] { vSet[g] = true; l.vertices[g] = Point2(x0 + Double(i) * cw + jx, y0 + Double(j) * ch + jy) }
                }
            }
            func v(_ i: Int, _ j: Int) -> Point2 { l.vertices[(j + s.oj) * (W + 1) + i + s.oi] }
            for j in 0...R {
                for i in 0..<C {
                    let a = v(i, j), b = v(i + 1, j)
                    let m = (a + b) * 0.5 + (b - a).unit.leftNormal * r.uniform(-12, 12)
                    let g = (j + s.oj) * W + i + s.oi
                    if !hSet[g] { hSet[g] = true; l.hMids[g] = m }
                }
            }
            for j in 0..<R {
                for i in 0...C {
                    let a = v(i, j), b = v(i, j + 1)
                    let m = (a + b) * 0.5 + (b - a).unit.leftNormal * r.uniform(-12, 12)
                    let g = (j + s.oj) * (W + 1) + i + s.oi
                    if !mSet[g] { mSet[g] = true; l.vMids[g] = m }
                }
            }
        }
        return l
    }

    /// Fictional district names for districts after the first (none is a
    /// county of the national table).
    static let districtNames = ["青枫", "凤栖", "松涛", "碧泉", "兰亭", "翠微", "云锦", "金桥", "桂溪", "玉带", "明湖", "棠湖",
                                "望川", "锦澜", "朝晖", "柳溪", "梧桐", "枫林", "鹤鸣", "清漪", "霁月", "星河", "紫荆", "映月"]
    static let stemFirst = Array("金银玉翠碧青红紫白丹朱明光华荣兴盛昌隆安宁康泰顺祥瑞福嘉佳秀雅静馨芳兰桂松柏竹梅荷菊桃杏枫").map(String.init)
    static let stemSecond = Array("山川河湖溪泉塘池江港湾洲峰岭坡坪坝园林苑庭阁台亭桥门坊村庄堡城关营州源田阳岗滨渡井垭屏堰").map(String.init)

    /// District 0 is the profile itself; the others get the next free codes
    /// under the same city (counting down from xx99, skipping codes of the
    /// national table) and names from `districtNames`, each with its own road
    /// stems drawn from a shuffled pool so road, lane and street names do not
    /// repeat across the city.
    static func districtProfiles(_ n: Int, seed: UInt64, profile: SampleCityProfile,
                                 table: AdminDivisionTable = .national) -> ([SampleCityProfile], [DistrictNames]) {
        var profiles = [profile], names = [DistrictNames.standard]
        guard n > 1 else { return (profiles, names) }
        var usedCodes: Set<String> = [profile.districtCode]
        var tableNames = Set<String>()
        for d in table.divisions {
            tableNames.insert(d.name)
            if !d.short.isEmpty { tableNames.insert(d.short) }
            if d.name.count > 2 { tableNames.insert(String(d.name.dropLast())) }
        }
        let shorts = districtNames.filter { !tableNames.contains($0) && !tableNames.contains($0 + "区") && $0 != profile.districtShort }
        var codeNumber = 99
        for k in 1..<n {
            var code = ""
            repeat {
                code = String(profile.cityCode.prefix(4)) + String(format: "%02d", codeNumber)
                codeNumber -= 1
            } while usedCodes.contains(code) || table.division(code: code) != nil
            usedCodes.insert(code)
            var p = profile
            p.districtCode = code
            p.districtShort = shorts[k - 1]
            p.districtName = shorts[k - 1] + "区"
            profiles.append(p)
        }
        // Road stems: every pairing of the two lists not already used by the first district nor a place name.
        var taken = Set(ChineseNames.roadStems + ChineseNames.laneStems + shorts)
        var pool: [String] = []
        for a in stemFirst { for b in stemSecond where a != b {
            let s = a + b
            if !taken.contains(s) && !tableNames.contains(s) { pool.append(s); taken.insert(s) }
        } }
        var r = SeededRandom(seed: seed ^ 0x57E4_5000)
        for k in stride(from: pool.count - 1, to: 0, by: -1) { pool.swapAt(k, r.int(0...k)) }
        let perDistrict = ChineseNames.roadStems.count
        for k in 1..<n {
            // The pool holds 24 districts' stems; past that (never, with maxDistricts) names would repeat.
            let stems = (0..<perDistrict).map { pool[((k - 1) * perDistrict + $0) % pool.count] }
            // Streets take the names of roads, as 建设路街道 does.
            let streets = (0..<ChineseNames.streets.count).map { stems[($0 * 4 + 1) % stems.count] + "街道" }
            names.append(DistrictNames(roadStems: stems, laneStems: stems, streets: streets, ownLaneStems: false))
        }
        return (profiles, names)
    }
}
