import CityOps
import Foundation
import Geo
import VectorTiles

/// Low-zoom report for `citytwin-bench tiles --zoom-report`: every tile of
/// each zoom over the layers' extent, cut uncached, with its size and time.
/// `--replicate N` copies each layer on an N×N grid of the city's extent, a
/// stand-in for a city of N² districts; `--no-thinning` cuts the same tiles
/// without the base-zoom thinning (what lowering a minzoom alone gives).
extension TileBench {
    /// Each layer's features shifted onto an n×n grid of steps the size of `box`.
    static func replicated(_ names: [String], snapshot: CitySnapshot, service: TileService, n: Int,
                           box: BoundingBox) -> [TileLayerInput] {
        let dx = box.maxX - box.minX, dy = box.maxY - box.minY
        return names.compactMap { name in
            guard let l = snapshot.layers[name] else { return nil }
            var geometries: [Geometry] = [], props: [JSONObject] = []
            geometries.reserveCapacity(l.count * n * n)
            for gy in 0..<n {
                for gx in 0..<n {
                    let ox = Double(gx) * dx, oy = Double(gy) * dy
                    for i in 0..<l.count {
                        geometries.append(shifted(l.geometry.geometry(i), ox, oy))
                        props.append(l.properties.object(i))
                    }
                }
            }
            let copy = LayerSnapshot.make(name: name, role: l.info.role, geometries: geometries, properties: props)
            let config = service.config(for: l)
            let table = TilePropertyTable(count: copy.count, keys: config.properties, properties: copy.tileProperties)
            return TileLayerInput(name: name, source: copy, config: config, properties: table)
        }
    }

    static func shifted(_ g: Geometry, _ ox: Double, _ oy: Double) -> Geometry {
        func s(_ c: Coordinate) -> Coordinate { Coordinate(c.x + ox, c.y + oy) }
        switch g {
        case .point(let c): return .point(s(c))
        case .multiPoint(let cs): return .multiPoint(cs.map(s))
        case .lineString(let l): return .lineString(l.map(s))
        case .multiLineString(let ls): return .multiLineString(ls.map { $0.map(s) })
        case .polygon(let p): return .polygon(p.map { $0.map(s) })
        case .multiPolygon(let ps): return .multiPolygon(ps.map { $0.map { $0.map(s) } })
        }
    }

    /// The inputs with thinning switched off (base zoom cleared).
    static func unthinned(_ inputs: [TileLayerInput]) -> [TileLayerInput] {
        inputs.map { i in
            var c = i.config
            c.baseZoom = nil
            return TileLayerInput(name: i.name, source: i.source, config: c, properties: i.properties)
        }
    }

    /// Per zoom: tiles, largest tile (raw and gzipped), p50 and slowest cut, features written, truncated tiles.
    static func zoomReport(_ zooms: [Int], box: BoundingBox, inputs: [TileLayerInput], settings: TileSettings, json: Bool) {
        let builder = TileBuilder(settings: settings)
        var rows: [JSONValue] = []
        if !json { print("zoom  tiles  max KiB  max gz KiB  p50 ms  max ms  features  truncated") }
        for z in zooms {
            let r = WebMercator.tileRange(box, z: z)
            var ms: [Double] = [], maxBytes = 0, maxGz = 0, features = 0, truncated = 0
            for x in r.minX...r.maxX {
                for y in r.minY...r.maxY {
                    let t0 = DispatchTime.now().uptimeNanoseconds
                    let tile = builder.build(TileID(z: z, x: x, y: y), layers: inputs)
                    ms.append(Double(DispatchTime.now().uptimeNanoseconds - t0) / 1e6)
                    maxBytes = max(maxBytes, tile.bytes.count)
                    maxGz = max(maxGz, (try? Gzip.compress(tile.bytes).count) ?? 0)
                    features += tile.featureCounts.values.reduce(0, +)
                    if tile.truncated { truncated += 1 }
                }
            }
            ms.sort()
            let p50 = ms[ms.count / 2], slowest = ms[ms.count - 1]
            if json {
                rows.append(.object(JSONObject([("z", .number(Double(z))), ("tiles", .number(Double(ms.count))),
                                                ("max_bytes", .number(Double(maxBytes))), ("max_gzip_bytes", .number(Double(maxGz))),
                                                ("p50_ms", .number(p50)), ("max_ms", .number(slowest)),
                                                ("features", .number(Double(features))), ("truncated", .number(Double(truncated)))])))
            } else {
                print(String(format: "z%-3d %6d  %7.1f  %10.1f  %6.1f  %6.1f  %8d  %9d", z, ms.count, Double(maxBytes) / 1024,
                             Double(maxGz) / 1024, p50, slowest, features, truncated))
            }
        }
        if json { print(JSONWriter.string(.array(rows))) }
    }
}
