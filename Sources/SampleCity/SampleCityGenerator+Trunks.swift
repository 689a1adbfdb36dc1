import Geo

/// Pipe node ids by network and city-lattice vertex, filled district by
/// district so a later district reuses the ids on the edges it shares.
struct SharedPipeNodes {
    var ids: [String: [Int: String]] = [:]
}

extension SampleCityGenerator {
    /// Trunk mains across every district boundary: a water transmission main
    /// and a sewage interceptor under the main road at lattice row 10 (east–west
    /// boundaries) and column 20 (south–north), each from the node one vertex
    /// inside one district to the node one vertex inside the other. Water flows
    /// east and north, sewage west and south (towards the first district).
    func trunkMains(_ layout: CityLayout, _ nodeIDs: SharedPipeNodes) -> [Feature] {
        let C = Self.columns, R = Self.rows
        let l = layout.lattice
        func vertex(_ gi: Int, _ gj: Int) -> Point2 { l.vertices[gj * (l.width + 1) + gi] }
        // Global lattice paths: a, mid, boundary vertex, mid, b.
        var paths: [(a: (Int, Int), b: (Int, Int), points: [Point2])] = []
        for s in layout.slots {
            if s.east {
                let j = s.oj + 10, i = s.oi + C
                paths.append(((i - 1, j), (i + 1, j), [vertex(i - 1, j), l.hMids[j * l.width + i - 1], vertex(i, j),
                                                       l.hMids[j * l.width + i], vertex(i + 1, j)]))
            }
            if s.north {
                let i = s.oi + 20, j = s.oj + R
                paths.append(((i, j - 1), (i, j + 1), [vertex(i, j - 1), l.vMids[(j - 1) * (l.width + 1) + i], vertex(i, j),
                                                       l.vMids[j * (l.width + 1) + i], vertex(i, j + 1)]))
            }
        }
        var out: [Feature] = []
        for (network, prefix, offset, diameter, material) in [("water", "JS", Point2(7, -7), 1000, "球墨铸铁"),
                                                               ("sewage", "WS", Point2(-4, -4), 1200, "钢筋混凝土")] {
            let ids = nodeIDs.ids[network] ?? [:]
            for (k, p) in paths.enumerated() {
                guard let a = ids[p.a.1 * (l.width + 1) + p.a.0], let b = ids[p.b.1 * (l.width + 1) + p.b.0] else { continue }
                var pts = p.points.map { $0 + offset }
                var (from, to) = (a, b)
                if network == "sewage" { pts.reverse(); (from, to) = (b, a) }
                let length = zip(pts, pts.dropFirst()).reduce(0.0) { $0 + ($1.1 - $1.0).length }
                out.append(Feature(properties: JSONObject([
                    "pipe_id": .s("\(prefix)T\(String(format: "%05d", k + 1))"), "network": .s(network),
                    "diameter_mm": .i(diameter), "material": .s(material), "from_node": .s(from), "to_node": .s(to),
                    "length_m": .n((length * 10).rounded() / 10), "install_year": .i(2012), "trunk": .bool(true)]),
                                   geometry: .lineString(pts.map { frame.lonLat($0) })))
            }
        }
        return out
    }
}
