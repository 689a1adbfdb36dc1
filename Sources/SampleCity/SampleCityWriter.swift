import Foundation
import Geo
import GeometryOps
import Importer

/// Writes the sample city the way real sources deliver it, so loading it
/// exercises every importer path:
/// - admin areas, roads, stations, flood points, handlers: GeoJSON (WGS84);
/// - handlers: newline-delimited GeoJSON;
/// - POIs: an Amap-style export in GCJ-02;
/// - buildings and pipes: Shapefiles in CGCS2000 / Gauss-Kruger CM 105E
///   (EPSG:4544) with GBK-encoded DBFs (pipes with Chinese field names);
/// - addresses, bikes and pipe nodes: CSV with lon/lat columns.
public enum SampleCityWriter {
    public struct WriteError: Error, CustomStringConvertible {
        public let description: String
    }

    public static func write(_ city: SampleCityData, to directory: String) throws -> GeoDataManifest {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        func path(_ f: String) -> String { (directory as NSString).appendingPathComponent(f) }
        var entries: [GeoDataManifest.Entry] = []

        for name in ["district", "streets", "communities", "grids", "roads", "bike_stations", "flood_points"] {
            let role = city.layers.first { $0.name == name }!.role
            let features = city.features(name)
            try writeCollection(features, to: path("\(name).geojson"), precision: 7)
            entries.append(.init(file: "\(name).geojson", layer: name, role: role, count: features.count))
        }

        let handlers = city.features("handlers")
        try writeLines(handlers, to: path("handlers.geojsonl"), precision: 7)
        entries.append(.init(file: "handlers.geojsonl", layer: "handlers", role: .handler, count: handlers.count,
                             note: "newline-delimited GeoJSON"))

        let addresses = city.features("addresses")
        try writeCSV(addresses, columns: ["road", "number", "full"], to: path("addresses.csv"))
        entries.append(.init(file: "addresses.csv", layer: "addresses", role: .address, count: addresses.count))

        let pois = city.features("pois").map { f -> Feature in
            var g = f
            g.geometry = f.geometry?.mapCoordinates(ChinaCRS.wgs84ToGCJ02)
            return g
        }
        try writeCollection(pois, to: path("pois_amap_gcj02.geojson"), precision: 6)
        entries.append(.init(file: "pois_amap_gcj02.geojson", layer: "pois", role: .poi, srs: "gcj02", count: pois.count,
                             note: "Amap-style POI export, GCJ-02 coordinates"))

        let toGK = try Reprojector(source: "EPSG:4326", target: "EPSG:4544")
        let prj = try CRSDefinition.esriWKT("EPSG:4544")
        let buildings = try city.features("buildings").map { ($0.properties, try toGK.transform($0.geometry!)) }
        try ShapefileWriter(fields: [.init("height_m", .number(length: 6, decimals: 1)), .init("floors", .number(length: 3, decimals: 0)),
                                     .init("cim_level", .number(length: 1, decimals: 0)), .init("use", .text(length: 12)),
                                     .init("address", .text(length: 48))],
                            encoding: .gbk, writeCPG: false)
            .write(basePath: path("buildings_cgcs2000_gk105"), features: buildings, prj: prj)
        entries.append(.init(file: "buildings_cgcs2000_gk105.shp", layer: "buildings", role: .building, count: buildings.count,
                             note: "Shapefile, EPSG:4544 from .prj, GBK from the DBF language driver (no .cpg)"))

        let pipeFields: [(String, String)] = [("管线编号", "pipe_id"), ("管网类型", "network"), ("管径", "diameter_mm"), ("材质", "material"),
                                              ("起点编号", "from_node"), ("终点编号", "to_node"), ("长度", "length_m"), ("埋设年份", "install_year")]
        let pipes = try city.features("pipes").map { f -> (JSONObject, Geometry) in
            var p = JSONObject()
            for (cn, en) in pipeFields { p[cn] = f.properties[en] }
            return (p, try toGK.transform(f.geometry!))
        }
        try ShapefileWriter(fields: [.init("管线编号", .text(length: 14)), .init("管网类型", .text(length: 10)),
                                     .init("管径", .number(length: 5, decimals: 0)), .init("材质", .text(length: 20)),
                                     .init("起点编号", .text(length: 10)), .init("终点编号", .text(length: 10)),
                                     .init("长度", .number(length: 7, decimals: 1)), .init("埋设年份", .number(length: 4, decimals: 0))],
                            encoding: .gbk)
            .write(basePath: path("pipes_cgcs2000_gk105"), features: pipes, prj: prj)
        var pipeEntry = GeoDataManifest.Entry(file: "pipes_cgcs2000_gk105.shp", layer: "pipes", role: .pipe, count: pipes.count,
                                              note: "Shapefile, EPSG:4544, GBK .cpg, Chinese field names mapped to role properties")
        pipeEntry.fieldMap = Dictionary(uniqueKeysWithValues: pipeFields)
        entries.append(pipeEntry)

        try writeCSV(city.features("pipe_nodes"), columns: ["node_id", "kind", "network", "state", "name"], to: path("pipe_nodes.csv"))
        entries.append(.init(file: "pipe_nodes.csv", layer: "pipe_nodes", role: .pipeNode, count: city.features("pipe_nodes").count))
        try writeCSV(city.features("bikes"), columns: ["bike_id", "operator"], to: path("bikes.csv"))
        entries.append(.init(file: "bikes.csv", layer: "bikes", role: .bike, count: city.features("bikes").count))

        // Keep the catalog order of the generator (admin first).
        let order = city.layers.map(\.name)
        entries.sort { order.firstIndex(of: $0.layer)! < order.firstIndex(of: $1.layer)! }

        try writeCollection(city.workOrders, to: path("work_orders_12345.geojson"), precision: 7)
        let place = city.districts > 1 ? "\(city.profile.cityName) \(city.districts)-district" : city.profile.districtName
        let manifest = GeoDataManifest(
            name: "\(place) sample city (synthetic, \(city.profile.locationNote))", seed: city.seed, scale: city.scale, layers: entries,
            reference: [.init(file: "work_orders_12345.geojson",
                              description: "12345 hotline work orders: free-text addresses in colloquial forms with their true WGS84 location (geocoder evaluation)",
                              count: city.workOrders.count)])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try encoder.encode(manifest).write(to: URL(fileURLWithPath: path("manifest.json")))
        return manifest
    }

    static func writeCollection(_ features: [Feature], to path: String, precision: Int) throws {
        let out = try TextFile(path: path)
        out.write("{\"type\":\"FeatureCollection\",\"features\":[\n")
        for (i, f) in features.enumerated() {
            out.write(GeoJSON.string(f, precision: precision) + (i + 1 < features.count ? ",\n" : "\n"))
        }
        out.write("]}\n")
        try out.close()
    }

    static func writeLines(_ features: [Feature], to path: String, precision: Int) throws {
        let out = try TextFile(path: path)
        for f in features { out.write(GeoJSON.string(f, precision: precision) + "\n") }
        try out.close()
    }

    static func writeCSV(_ features: [Feature], columns: [String], to path: String) throws {
        let out = try TextFile(path: path)
        out.write((columns + ["lon", "lat"]).joined(separator: ",") + "\n")
        for f in features {
            guard case .point(let c)? = f.geometry else { continue }
            let values = columns.map { f.properties[$0]?.textValue ?? "" }
            out.write((values + [GeoJSON.formatCoordinate(c.lon, 6), GeoJSON.formatCoordinate(c.lat, 6)]).joined(separator: ",") + "\n")
        }
        try out.close()
    }
}

/// Buffered text output.
public final class TextFile {
    let handle: FileHandle
    var buffer = ""

    public init(path: String) throws {
        guard FileManager.default.createFile(atPath: path, contents: nil), let h = FileHandle(forWritingAtPath: path) else {
            throw SampleCityWriter.WriteError(description: "cannot create \(path)")
        }
        handle = h
    }

    public func write(_ s: String) {
        buffer += s
        if buffer.utf8.count > 1 << 20 { try? flush() }
    }

    public func flush() throws {
        try handle.write(contentsOf: Data(buffer.utf8))
        buffer = ""
    }

    public func close() throws {
        try flush()
        try handle.close()
    }
}
