import ArgumentParser
import CLISupport
import Foundation
import Geo
import Importer
import Storage

struct ImportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import",
        abstract: "Import GeoJSON, GeoJSON sequences, CSV, Shapefiles or any vector format GDAL reads into a layer.",
        discussion: "Either everything lands (catalog updated, spatial index built) or the database is left as it was.")

    @Argument(help: "Input files (.geojson/.json/.geojsonl/.ndjson, .csv/.tsv, .shp; .gpkg, .gdb, .tab/.mif, .dxf, .kml, .fgb, .gml, .xlsx/.ods, .gpx, .osm.pbf, … through GDAL)") var files: [String]
    @Option(help: "Layer name (lower-case letters, digits, _)") var layer: String
    @Option(help: "Layer role: \(LayerRole.allCases.filter { $0 != .event }.map(\.rawValue).joined(separator: ", ")) (not with --preset)") var role: String?
    @Option(help: "pipe-survey: point and line survey tables (物探点号, X, Y … / 起点号, 终点号 …) → layers <layer>_nodes and <layer>") var preset: String?
    @Option(help: "Source CRS: EPSG:n, gcj02, bd09 (default: .prj / GeoJSON crs / WGS84)") var srs: String?
    @Option(help: "Attribute encoding: utf-8, gbk, gb18030 (default: .cpg / DBF language driver / utf-8)") var encoding: String?
    @Option(name: .customLong("id-field"), help: "Property holding the feature's external id") var idField: String?
    @Option(name: .customLong("lon-field"), help: "CSV longitude column") var lonField: String?
    @Option(name: .customLong("lat-field"), help: "CSV latitude column") var latField: String?
    @Option(name: .customLong("wkt-field"), help: "CSV WKT geometry column") var wktField: String?
    @Option(name: .customLong("field-map"), help: "Rename source fields: SRC=DST[,SRC=DST…] (e.g. 管径=diameter_mm)") var fieldMap: [String] = []
    @Option(help: "replace or append") var mode: String = "replace"
    @Option(help: "SpatiaLite database") var db: String = "citytwin.sqlite"
    @Option(help: "Store instead of --db: a SpatiaLite path or postgres://USER@HOST:PORT/DATABASE (password from PGPASSWORD or --password-file)")
    var store: String?
    @Option(name: .customLong("password-file"), help: "File whose first line is the PostgreSQL password (else PGPASSWORD)")
    var passwordFile: String?
    @Option(help: "Reject file (default <layer>.rejects.geojsonl)") var rejects: String?
    @Option(name: .customLong("source-layer"), help: "Layer of a multi-layer source (GeoPackage, File Geodatabase, GPX, OSM, …)") var sourceLayer: String?
    @Option(help: "Reader: auto (by content: own readers for GeoJSON/CSV/Shapefile, GDAL for the rest), own or gdal") var reader: String = "auto"

    func run() throws {
        if let preset, preset != "pipe-survey" { throw fail("unknown --preset \(InputText.quoted(preset)) (expected pipe-survey)") }
        let roleName = role ?? (preset != nil ? LayerRole.pipe.rawValue : "")
        guard let role = LayerRole(rawValue: roleName), role != .event else {
            throw fail("\(self.role == nil ? "missing --role" : "unknown role \(InputText.quoted(roleName))") (expected one of \(LayerRole.allCases.filter { $0 != .event }.map(\.rawValue).joined(separator: ", ")))")
        }
        guard let mode = ImportMode(rawValue: mode) else { throw fail("--mode must be replace or append, not \(InputText.quoted(self.mode))") }
        var options = ImportOptions(layer: layer, role: role)
        options.mode = mode
        options.idField = idField
        options.lonField = lonField
        options.latField = latField
        options.wktField = wktField
        options.rejectsPath = rejects
        options.sourceLayer = sourceLayer
        guard let choice = ReaderChoice(rawValue: reader) else { throw fail("--reader must be auto, own or gdal, not \(InputText.quoted(reader))") }
        options.reader = choice
        for pair in fieldMap.flatMap({ $0.split(separator: ",") }) {
            let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty, !parts[1].isEmpty else { throw fail("--field-map expects SRC=DST, got \(InputText.quoted(pair))") }
            options.fieldMap[parts[0]] = parts[1]
        }
        do {
            if let srs { options.srs = try CRS.importOption(srs) }
            if let encoding {
                guard let e = TextEncoding(name: encoding) else { throw fail("unknown --encoding \(InputText.quoted(encoding)) (expected utf-8, gbk or gb18030)") }
                options.encoding = e
            }
            let location = StoreLocation(self.store ?? db, passwordFile: passwordFile)
            let store = try openFeatureStore(location)
            defer { (store as? PostGISStore)?.close() }
            if preset != nil {
                let outcome = try PipeSurvey.run(files: files, options: options, store: store)
                note("  \(outcome.reading)")
                for s in [outcome.nodes, outcome.pipes] where s.layer != nil {
                    note("  \(s.layer?.name ?? "?") read by \(s.readers.joined(separator: "; "))")
                    for r in s.firstRejectReasons { note("  rejected \(r)") }
                    print(s.line)
                }
                return
            }
            let bar = ProgressBar()
            let summary = try LayerImporter.run(files: files, options: options, store: store, progress: bar.update)
            bar.finish()
            for (file, r) in zip(files, summary.readers) { note("  \(InputText.controlsEscaped(file)): \(r)") }
            for r in summary.firstRejectReasons { note("  rejected \(r)") }
            print(summary.line)
        } catch let e as ImportError {
            throw fail(e.description)
        } catch let e as StorageError {
            throw fail(e.message)
        }
    }
}

/// A one-line progress display on a terminal: features, rate, percent, ETA.
/// Silent when stderr is not a terminal (CI logs get only the summary).
final class ProgressBar {
    let enabled = isatty(2) == 1
    var shown = false

    func update(_ p: ImportProgress) {
        guard enabled else { return }
        let rate = p.elapsed > 0 ? Double(p.features) / p.elapsed : 0
        var line = String(format: "\r  %9d features  %8.0f/s", p.features, rate)
        if let total = p.totalBytes, total > 0 {
            let fraction = min(1, Double(p.bytesRead) / Double(total))
            let width = 24
            let filled = Int(fraction * Double(width))
            line += "  [" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "]"
            line += String(format: " %3.0f%%", fraction * 100)
            if fraction > 0.01 { line += String(format: "  ETA %4.0fs", p.elapsed * (1 - fraction) / fraction) }
        }
        FileHandle.standardError.write(Data(line.utf8))
        shown = true
    }

    func finish() {
        if shown { FileHandle.standardError.write(Data("\r\u{1B}[K".utf8)) }
    }
}
