import Geo

extension SampleCityGenerator {
    /// About 1,500 POIs: malls, schools, hospitals, parks, metro stations
    /// and chain shops, each at (a few metres from) a real address.
    func makePOIs(roads: [SampleRoad], addresses: [SampleAddress], admin: AdminAreas) -> [Feature] {
        var r = SeededRandom(seed: seed ^ 0x9015)
        var out: [Feature] = []
        var used = Set<Int>()
        func address() -> SampleAddress {
            while true {
                let k = r.int(0...(addresses.count - 1))
                if used.insert(k).inserted { return addresses[k] }
            }
        }
        func poi(_ name: String, _ category: String, _ aliases: [String], _ at: Point2, _ addr: String, _ amapType: String) {
            out.append(Feature(properties: JSONObject([
                "name": .s(name), "category": .s(category), "aliases": .array(aliases.map { .s($0) }),
                "address": .s(addr), "amap_type": .s(amapType)]), geometry: .point(frame.lonLat(at))))
        }
        func stem(_ road: String) -> String {
            var s = road
            for suffix in ["一段", "二段", "三段", "北段", "中段", "南段", "大道", "大街", "北路", "中路", "南路", "路", "巷", "街"] where s.hasSuffix(suffix) {
                s = String(s.dropLast(suffix.count))
            }
            return s
        }
        for (name, aliases) in ChineseNames.malls {
            let a = address()
            let road = roads[a.road].name
            poi("\(name)(\(road)店)", "商场", [name] + aliases, a.point + a.direction.leftNormal * (a.side * 30), a.full, "购物服务;商场;购物中心")
        }
        var schoolNames = Set<String>()
        while schoolNames.count < 60 {
            let a = address()
            let s = stem(roads[a.road].name)
            let kind = r.pick(["小学", "中学", "实验学校", "幼儿园"])
            let name = "\(profile.districtName)\(s)\(kind)"
            guard schoolNames.insert(name).inserted else { continue }
            let short = kind == "中学" ? "\(s)中学" : (kind == "小学" ? "\(s)小学" : "\(s)\(kind)")
            poi(name, "学校", [short, "\(s)\(kind.prefix(1))"], a.point + a.direction.leftNormal * (a.side * 35), a.full, "科教文化服务;学校")
        }
        let d = profile.districtName
        let hospitals = [("\(d)人民医院", ["区医院", "区人民医院"]), ("\(d)中医医院", ["区中医院"]), ("\(d)妇幼保健院", ["妇幼"]),
                         ("\(profile.cityName)第八人民医院", ["八医院", "市八医院"]), ("\(d)第二人民医院", ["区二医院"])]
            // The city's own hospital stands in one district only.
            .filter { slot.index == 0 || !$0.0.hasPrefix(profile.cityName) }
        for (name, aliases) in hospitals {
            let a = address()
            poi(name, "医院", aliases, a.point + a.direction.leftNormal * (a.side * 40), a.full, "医疗保健服务;综合医院")
        }
        for c in admin.communityInfo.prefix(20) {
            let a = address()
            let short = String(c.name.dropLast(2))
            poi("\(c.name)卫生服务中心", "医院", ["\(short)卫生院", "\(short)社区医院"], a.point + a.direction.leftNormal * (a.side * 30), a.full, "医疗保健服务;诊所")
        }
        for k in 0..<30 {
            let cell = r.int(0...(Self.columns * Self.rows - 1))
            let i = cell % Self.columns, j = cell / Self.columns
            let p = pointInCell(i, j, r.uniform(0.35, 0.65), r.uniform(0.3, 0.45))
            let name = names.laneStems[(k * 7) % names.laneStems.count] + "公园"
            poi(name, "公园", [String(name.dropLast(2)) + "园"], p, "", "风景名胜;公园广场;公园")
        }
        // Two metro lines: along lattice column 20 and row 12, a station every second vertex.
        for k in stride(from: 1, to: Self.rows, by: 2) {
            let road = roads.first { $0.vertical == true && $0.fixed == 20 && $0.span.contains(k) }!
            let name = "\(road.name)站"
            poi(name, "地铁站", ["\(road.name)地铁站", "地铁\(road.name)站"], v(20, k) + Point2(12, 0), "", "交通设施服务;地铁站")
        }
        for k in stride(from: 1, to: Self.columns, by: 2) where k != 19 && k != 21 {
            let road = roads.first { $0.vertical == false && $0.fixed == 12 && $0.span.contains(k) }!
            let cross = roads.first { $0.vertical == true && $0.fixed == k && $0.span.contains(12) }!
            let name = "\(stem(cross.name))站"
            poi(name, "地铁站", ["\(name.dropLast())地铁站", "地铁\(name)"], v(k, 12) + Point2(0, -12), road.name, "交通设施服务;地铁站")
        }
        while out.count < 1500 {
            var (brand, category, aliases) = r.pick(ChineseNames.chains)
            brand = brand.replacingOccurrences(of: ChineseNames.cityPlaceholder, with: profile.cityShort)
            let a = address()
            let branch = stem(roads[a.road].name)
            poi("\(brand)(\(branch)店)", category, aliases + [brand], a.point + a.direction.leftNormal * (a.side * 4), a.full, category)
        }
        return out
    }

    /// Drainage, sewage and water networks. Drainage and sewage are random
    /// spanning trees of the lattice draining by gravity, drainage to three
    /// outfalls on the west edge (a catchment each, joined by two cross-links),
    /// sewage to one;
    /// the water network is a spanning tree plus a fifth of the other lattice
    /// edges (loops), fed by three sources (two plants and a booster station),
    /// with a valve on all but one branch at every junction of three or more
    /// mains and on every source outlet (a few broken, inaccessible or closed).
    /// Edges are split into ~70 m segments between manholes, valves or
    /// junctions whose ids the segments reference. Each network is offset a
    /// few metres from the road centre line so the three do not coincide.
    ///
    /// In a city of several districts, the edges on a boundary with an earlier
    /// neighbour are that neighbour's, and the nodes on it keep the neighbour's
    /// ids (`nodeIDs`), so each network is one graph across the city.
    func makePipes(_ nodeIDs: inout SharedPipeNodes) -> ([Feature], [Feature]) {
        let C = Self.columns, R = Self.rows
        let nv = (C + 1) * (R + 1)
        var edges: [(Int, Int)] = []
        for j in 0...R where !(j == 0 && slot.south) { for i in 0..<C { edges.append((j * (C + 1) + i, j * (C + 1) + i + 1)) } }
        for j in 0..<R { for i in 0...C where !(i == 0 && slot.west) { edges.append((j * (C + 1) + i, (j + 1) * (C + 1) + i)) } }
        func vertex(_ a: Int) -> Point2 { v(a % (C + 1), a / (C + 1)) }
        func edgeLine(_ a: Int, _ b: Int) -> [Point2] {
            let (ai, aj, bi, bj) = (a % (C + 1), a / (C + 1), b % (C + 1), b / (C + 1))
            let mid = aj == bj ? hMid(min(ai, bi), aj) : vMid(ai, min(aj, bj))
            return [vertex(a), mid, vertex(b)]
        }
        let networks: [(String, String, Int, Point2)] = [
            ("drainage", "YS" + slot.tag, 12 * (C + 1), Point2(4, 4)),
            ("sewage", "WS" + slot.tag, 5 * (C + 1) + C, Point2(-4, -4)),
            ("water", "JS" + slot.tag, R * (C + 1) + 20, Point2(7, -7))]
        var pipes: [Feature] = [], nodes: [Feature] = []
        for (n, (network, prefix, root, offset)) in networks.enumerated() {
            var r = SeededRandom(seed: seed ^ UInt64(0x919E + n))
            // Kruskal over shuffled edges → a uniform-ish random spanning tree.
            var order = edges
            for k in stride(from: order.count - 1, to: 0, by: -1) { order.swapAt(k, r.int(0...k)) }
            var parent = Array(0..<nv)
            func find(_ x: Int) -> Int { var x = x; while parent[x] != x { parent[x] = parent[parent[x]]; x = parent[x] }; return x }
            var adj = [[Int]](repeating: [], count: nv)
            var nonTree: [(Int, Int)] = []
            for (a, b) in order {
                let ra = find(a), rb = find(b)
                if ra != rb { parent[ra] = rb; adj[a].append(b); adj[b].append(a) } else { nonTree.append((a, b)) }
            }
            let water = network == "water"
            // Water: loops, several sources, valves (drawn from their own stream so the
            // gravity networks stay as they were).
            var wr = SeededRandom(seed: seed ^ 0x3A7E5)
            // Drainage discharges at three outfalls along the west edge (one catchment each, the
            // spanning tree's k - 1 edges between catchments left as cross-links that split the flow);
            // sewage goes to one plant inlet.
            let sources: [(vertex: Int, name: String)] = water
                ? [(root, "第一水厂"), (8 * (C + 1), "第二水厂"), (18 * (C + 1) + C, "东区加压站")]
                : network == "drainage" ? [(3 * (C + 1), ""), (root, ""), (21 * (C + 1), "")] : [(root, "")]
            let outfalls = Set(sources.map(\.vertex))
            var loops: [(Int, Int)] = []
            if water {
                for (a, b) in nonTree where wr.uniform(0, 1) < 0.2 {
                    adj[a].append(b)
                    adj[b].append(a)
                    loops.append((a, b))
                }
            }
            // Orient from the roots (breadth first); subtree sizes size the pipes.
            var up = [Int](repeating: -1, count: nv), bfs = sources.map(\.vertex), seen = [Bool](repeating: false, count: nv)
            var depth = [Int](repeating: 0, count: nv)
            for x in bfs { seen[x] = true }
            var q = 0
            while q < bfs.count {
                let x = bfs[q]
                q += 1
                for y in adj[x] where !seen[y] { seen[y] = true; up[y] = x; depth[y] = depth[x] + 1; bfs.append(y) }
            }
            var subtree = [Int](repeating: 1, count: nv)
            for x in bfs.reversed() where up[x] >= 0 { subtree[up[x]] += subtree[x] }
            // A valve on (x, y) sits on the main from x towards y, next to x: every branch but one
            // at junctions of three or more mains (N-1 placement), every outlet of a source.
            var valveNear = Set<Int>()
            var sourceName: [Int: String] = [:]
            for src in sources where water { sourceName[src.vertex] = src.name }
            if water {
                for x in 0..<nv where adj[x].count >= 3 || sourceName[x] != nil {
                    let skip = sourceName[x] != nil ? -1 : wr.int(0...(adj[x].count - 1))
                    for (k, y) in adj[x].enumerated() where k != skip { valveNear.insert(x * nv + y) }
                }
            }
            var counter = 0
            func nodeID() -> String { counter += 1; return prefix + String(format: "%06d", counter) }
            var vertexNode = [String](repeating: "", count: nv)
            var shared = nodeIDs.ids[network, default: [:]]
            func addNode(_ id: String, _ kind: String, _ p: Point2, extra: KeyValuePairs<String, JSONValue> = [:]) {
                var props = JSONObject(["node_id": .s(id), "kind": .s(kind), "network": .s(network)])
                for (k, v) in extra { props[k] = v }
                nodes.append(Feature(properties: props, geometry: .point(frame.lonLat(p + offset))))
            }
            for x in bfs {
                let gx = globalVertex(x % (C + 1), x / (C + 1))
                if let id = shared[gx] { vertexNode[x] = id; continue }
                let id = nodeID()
                vertexNode[x] = id
                shared[gx] = id
                if water {
                    if let name = sourceName[x] { addNode(id, "source", vertex(x), extra: ["name": .s(name)]) } else { addNode(id, "junction", vertex(x)) }
                } else {
                    addNode(id, outfalls.contains(x) ? "outfall" : (adj[x].count >= 3 ? "junction" : "manhole"), vertex(x))
                }
            }
            nodeIDs.ids[network] = shared
            let treeEdges = bfs.filter { up[$0] >= 0 }.map { (up[$0], $0) }
            let bfsTree = Set(treeEdges.map { $0.0 * nv + $0.1 })
            // Every other edge of a looped network (loops, and tree edges the breadth-first
            // search reached another way), oriented away from the sources.
            let otherEdges: [(Int, Int)] = (0..<nv).flatMap { a in
                adj[a].compactMap { b -> (Int, Int)? in
                    guard a < b, !bfsTree.contains(a * nv + b), !bfsTree.contains(b * nv + a) else { return nil }
                    return depth[a] <= depth[b] ? (a, b) : (b, a)
                }
            }
            for (par, child) in treeEdges + otherEdges {
                let line = Polyline2(edgeLine(par, child))
                let segments = max(1, Int((line.length / 70).rounded()))
                var ids = [vertexNode[par]]
                var pts = [line.at(0).0]
                for k in 1..<segments {
                    let p = line.at(line.length * Double(k) / Double(segments)).0
                    let id = nodeID()
                    if water && ((k == 1 && valveNear.contains(par * nv + child)) || (k == segments - 1 && valveNear.contains(child * nv + par))) {
                        let roll = wr.uniform(0, 1)
                        let state = roll < 0.03 ? "broken" : roll < 0.05 ? "inaccessible" : roll < 0.06 ? "closed" : "open"
                        addNode(id, "valve", p, extra: ["state": .s(state)])
                    } else {
                        addNode(id, water ? "junction" : "manhole", p)
                    }
                    ids.append(id); pts.append(p)
                }
                ids.append(vertexNode[child]); pts.append(line.at(line.length).0)
                let s = up[child] == par ? subtree[child] : 1
                let diameter: Int = switch network {
                case "drainage": s < 5 ? 300 : s < 20 ? 400 : s < 80 ? 600 : s < 300 ? 800 : s < 600 ? 1000 : 1200
                case "sewage": s < 5 ? 300 : s < 30 ? 400 : s < 150 ? 500 : s < 500 ? 600 : 800
                default: s < 5 ? 100 : s < 30 ? 150 : s < 150 ? 200 : s < 500 ? 300 : 600
                }
                let material = r.pick(ChineseNames.materials[network]!)
                let year = r.int(1995...2023)
                for k in 0..<(pts.count - 1) {
                    // Gravity networks flow towards the root; water flows out from it.
                    // Each pipe is drawn in its flow direction, from its from_node to its to_node.
                    let (from, to) = network == "water" ? (ids[k], ids[k + 1]) : (ids[k + 1], ids[k])
                    let (a, b) = network == "water" ? (pts[k] + offset, pts[k + 1] + offset) : (pts[k + 1] + offset, pts[k] + offset)
                    pipes.append(Feature(properties: JSONObject([
                        "pipe_id": .s("\(prefix)G\(String(format: "%06d", pipes.count + 1))"), "network": .s(network),
                        "diameter_mm": .i(diameter), "material": .s(material), "from_node": .s(from), "to_node": .s(to),
                        "length_m": .n(((b - a).length * 10).rounded() / 10), "install_year": .i(year)]),
                                         geometry: .lineString([frame.lonLat(a), frame.lonLat(b)])))
                }
            }
        }
        return (pipes, nodes)
    }

    /// 6,120 parking points along the roads and bikes clustered around them
    /// (some points short of bikes, some overflowing), plus strays.
    func makeBikes(_ roads: [SampleRoad]) -> ([Feature], [Feature]) {
        var r = SeededRandom(seed: seed ^ 0xB1CE)
        var stations: [Feature] = [], bikes: [Feature] = []
        let total = roads.reduce(0) { $0 + $1.line.length }
        var bikeNumber = 0
        func bike(_ p: Point2) {
            bikeNumber += 1
            let op = r.pick(ChineseNames.operators)
            let prefix = op == "美团" ? "MT" : op == "哈啰" ? "HL" : "QJ"
            bikes.append(Feature(properties: JSONObject(["bike_id": .s("\(prefix)\(slot.tag)\(String(format: "%08d", bikeNumber))"), "operator": .s(op)]),
                                 geometry: .point(frame.lonLat(p))))
        }
        func randomRoadPoint() -> (SampleRoad, Point2, Point2, Double) {
            var s = r.uniform(0, total)
            for road in roads {
                if s <= road.line.length {
                    let (p, d) = road.line.at(s)
                    return (road, p, d, s)
                }
                s -= road.line.length
            }
            let last = roads[roads.count - 1]
            let (p, d) = last.line.at(last.line.length)
            return (last, p, d, last.line.length)
        }
        for k in 0..<6120 {
            let (road, p, d, _) = randomRoadPoint()
            let side: Double = r.chance(0.5) ? 1 : -1
            let at = p + d.leftNormal * (side * 9)
            let capacity = r.int(5...20)
            stations.append(Feature(properties: JSONObject([
                "station_id": .s("P\(slot.tag)\(String(format: "%05d", k + 1))"), "capacity": .i(capacity),
                "road": .s(road.name)]), geometry: .point(frame.lonLat(at))))
            let roll = r.uniform(0, 1)
            let ratio = roll < 0.2 ? r.uniform(0, 0.3) : roll < 0.4 ? r.uniform(1.3, 2.0) : r.uniform(0.4, 0.8)
            let n = Int((Double(capacity) * ratio * Double(scale)).rounded())
            for _ in 0..<n { bike(at + Point2(r.gaussian() * 12, r.gaussian() * 12)) }
        }
        let strays = 5000 * scale
        for _ in 0..<strays {
            let (_, p, d, _) = randomRoadPoint()
            bike(p + d.leftNormal * r.uniform(-15, 15))
        }
        return (stations, bikes)
    }

    /// 18 flood points: 3 underpasses, 4 road sections, 11 intersections.
    func makeFloodPoints(_ roads: [SampleRoad]) -> [Feature] {
        var r = SeededRandom(seed: seed ^ 0xF100D)
        var out: [Feature] = []
        func road(vertical: Bool, fixed: Int, at k: Int) -> SampleRoad {
            roads.first { $0.vertical == vertical && $0.fixed == fixed && ($0.span.contains(k) || $0.span.upperBound == k) }!
        }
        func add(_ kind: String, _ name: String, _ p: Point2, _ threshold: Int, _ roadName: String) {
            let n = out.count + 1
            out.append(Feature(properties: JSONObject([
                "kind": .s(kind), "name": .s(name), "sensor_id": .s("WL-\(slot.tag)\(String(format: "%03d", n))"),
                "threshold_cm": .i(threshold), "road": .s(roadName)]), geometry: .point(frame.lonLat(p))))
        }
        // Underpasses where two major roads cross.
        for (i, j) in [(10, 5), (25, 15), (35, 20)] {
            let a = road(vertical: true, fixed: i, at: j), b = road(vertical: false, fixed: j, at: i)
            add("underpass", "\(a.name)-\(b.name)下穿隧道", v(i, j), 30, a.name)
        }
        for (i, j) in [(7, 3), (18, 9), (31, 17), (4, 22)] {
            let a = road(vertical: true, fixed: i, at: j)
            let from = road(vertical: false, fixed: j, at: i), to = road(vertical: false, fixed: j + 1, at: i)
            add("road", "\(a.name)(\(from.name)至\(to.name)段)", vMid(i, j), 20, a.name)
        }
        var picked = Set<Int>()
        while out.count < 18 {
            let i = r.int(1...(Self.columns - 1)), j = r.int(1...(Self.rows - 1))
            guard picked.insert(j * 100 + i).inserted else { continue }
            let a = road(vertical: true, fixed: i, at: j), b = road(vertical: false, fixed: j, at: i)
            add("intersection", "\(a.name)与\(b.name)交叉口", v(i, j), 15, a.name)
        }
        return out
    }

    /// A grid worker in every grid, plus urban management, police, fire,
    /// water and drainage crews placed in random grids.
    func makeHandlers(_ admin: AdminAreas) -> [Feature] {
        var r = SeededRandom(seed: seed ^ 0x4A1D)
        var out: [Feature] = []
        func person() -> String { r.pick(ChineseNames.surnames) + r.pick(ChineseNames.givenChars) + (r.chance(0.6) ? r.pick(ChineseNames.givenChars) : "") }
        func add(_ type: String, _ grid: AdminAreas.Grid, _ name: String) {
            let p = pointInCell(grid.i, grid.j, r.uniform(0.15, 0.85), r.uniform(0.15, 0.85))
            out.append(Feature(properties: JSONObject([
                "handler_id": .s("H\(slot.tag)\(String(format: "%05d", out.count + 1))"), "type": .s(type), "name": .s(name),
                "grid_code": .s(grid.code), "phone": .s("138\(String(format: "%02d", slot.index))28\(String(format: "%04d", out.count + 1))")]),
                               geometry: .point(frame.lonLat(p))))
        }
        for g in admin.gridInfo { add("grid_worker", g, person()) }
        for (type, count, unit) in [("urban_management", 120, "城管队员"), ("police", 80, "民警"), ("fire", 20, "消防站"),
                                    ("water", 40, "供水抢修"), ("drainage", 40, "排水抢修")] {
            for k in 0..<count {
                let g = r.pick(admin.gridInfo)
                add(type, g, type == "fire" ? "\(profile.districtName)\(k + 1)号\(unit)" : "\(unit)\(person())")
            }
        }
        return out
    }
}
