import Foundation
import Geo
import SampleCity

/// Seeded benchmark inputs: bike points and building-like polygons spread
/// over the sample district, so every run and every peer sees the same file.
public enum BenchData {
    public enum Kind { case points, polygons }

    public static func write(_ kind: Kind, count: Int, seed: UInt64, to path: String) throws {
        var r = SeededRandom(seed: seed ^ (kind == .points ? 1 : 2))
        let frame = LocalFrame(origin: SampleCityGenerator.centre)
        let out = try TextFile(path: path)
        out.write("{\"type\":\"FeatureCollection\",\"features\":[\n")
        for i in 0..<count {
            let x = r.uniform(-5500, 5500), y = r.uniform(-5000, 5000)
            var f: Feature
            switch kind {
            case .points:
                f = Feature(properties: JSONObject([(key: "bike_id", value: .string("B\(String(format: "%07d", i))")),
                                                    (key: "operator", value: .string(r.pick(["美团", "哈啰", "青桔"])))]),
                            geometry: .point(frame.lonLat(x, y)))
            case .polygons:
                let w = r.uniform(10, 40), h = r.uniform(10, 40), a = r.uniform(0, Double.pi)
                let (c, s) = (cos(a), sin(a))
                var ring = [(-w, -h), (w, -h), (w, h), (0, h * 1.3), (-w, h)].map { (u, v) in
                    frame.lonLat(x + (u * c - v * s) / 2, y + (u * s + v * c) / 2)
                }
                ring.append(ring[0])
                let floors = r.int(1...30)
                f = Feature(properties: JSONObject([(key: "height_m", value: .number(Double(floors) * 3.1)),
                                                    (key: "floors", value: .number(Double(floors))),
                                                    (key: "cim_level", value: .number(2)), (key: "use", value: .string("住宅"))]),
                            geometry: .polygon([ring]))
            }
            out.write(GeoJSON.string(f, precision: 7) + (i + 1 < count ? ",\n" : "\n"))
        }
        out.write("]}\n")
        try out.close()
    }
}
