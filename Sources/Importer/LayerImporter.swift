import Foundation
import Geo
import GeometryOps
import Storage

/// Options of one `citytwin import` run (DESIGN.md §4).
public struct ImportOptions: Sendable {
    public var layer: String
    public var role: LayerRole
    public var srs: CRS?
    public var encoding: TextEncoding?
    public var idField: String?
    public var lonField: String?
    public var latField: String?
    public var wktField: String?
    public var mode: ImportMode = .replace
    /// Renames source fields before validation (e.g. 管径 → diameter_mm), like ogr2ogr's field maps.
    public var fieldMap: [String: String] = [:]
    /// Where rejected features go; default "<layer>.rejects.geojsonl" in the current directory.
    public var rejectsPath: String?
    /// Which reader opens the files (by content unless forced).
    public var reader: ReaderChoice = .auto
    /// The layer of a multi-layer source (GeoPackage, File Geodatabase, GPX, OSM, …) read by GDAL.
    public var sourceLayer: String?

    public init(layer: String, role: LayerRole) {
        self.layer = layer
        self.role = role
    }
}

/// Counts for the one-line summary.
public struct ImportSummary: Sendable {
    public var read = 0
    public var imported = 0
    public var repaired: [String: Int] = [:]
    public var rejected = 0
    public var firstRejectReasons: [String] = []
    public var rejectsPath: String?
    public var layer: LayerInfo?
    public var seconds = 0.0
    /// The reader of each file, in order ("own Shapefile reader", "GDAL GPKG driver, layer …").
    public var readers: [String] = []

    public var repairedCount: Int { repaired.values.reduce(0, +) }

    public var line: String {
        var s = "\(layer?.name ?? "?"): read \(read), imported \(imported), repaired \(repairedCount)"
        if !repaired.isEmpty {
            s += " (" + repaired.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + ")"
        }
        s += ", rejected \(rejected)"
        if rejected > 0, let rejectsPath { s += " → \(rejectsPath)" }
        s += String(format: " in %.1f s", seconds)
        return s
    }
}

/// Progress as the importer sees it.
public struct ImportProgress: Sendable {
    public var features: Int
    public var bytesRead: Int64
    public var totalBytes: Int64?
    public var elapsed: Double
}

/// Reads files, validates and repairs features, and writes them to the
/// store in one transaction: all of it lands, or none of it.
public enum LayerImporter {
    public static func makeSource(path: String, options: ImportOptions) throws(ImportError) -> any FeatureSource {
        guard FileManager.default.fileExists(atPath: path) else { throw ImportError(.io, "no such file", file: path) }
        let format: SourceFormat
        switch options.reader {
        case .gdal:
            format = .gdal
        case .own:
            guard let f = SourceFormat(path: path) else {
                throw ImportError(.format, "the own readers take .geojson, .geojsonl, .json, .csv, .tsv or .shp", file: path)
            }
            format = f
        case .auto:
            guard let f = SourceFormat(contentOf: path) else {
                throw ImportError(.format, "unknown file type: neither GeoJSON, CSV, Shapefile nor a vector format GDAL reads", file: path)
            }
            format = f
        }
        if options.sourceLayer != nil && format != .gdal {
            throw ImportError(.options, "--source-layer is for multi-layer sources read by GDAL; this file has one layer", file: path)
        }
        switch format {
        case .geojson: return try GeoJSONSource(path: path)
        case .csv:
            return try CSVSource(path: path, options: .init(lonField: options.lonField, latField: options.latField,
                                                            wktField: options.wktField, encoding: options.encoding ?? .utf8))
        case .shapefile: return try ShapefileSource(path: path, encoding: options.encoding)
        case .gdal:
            return try GDALSource(path: path, options: .init(layer: options.sourceLayer, encoding: options.encoding,
                                                             lonField: options.lonField, latField: options.latField))
        }
    }

    public static func run(files: [String], options: ImportOptions, store: any FeatureStore,
                           progress: ((ImportProgress) -> Void)? = nil) throws(ImportError) -> ImportSummary {
        guard !files.isEmpty else { throw ImportError(.options, "no input files") }
        try check(options)
        // Open every source first: a bad second file fails before anything is written.
        var sources: [(String, any FeatureSource)] = []
        for f in files { sources.append((f, try makeSource(path: f, options: options))) }
        return try run(sources: sources, options: options, store: store, progress: progress)
    }

    static func check(_ options: ImportOptions) throws(ImportError) {
        guard LayerInfo.isValidName(options.layer) else {
            throw ImportError(.options, "invalid layer name \"\(options.layer)\": use lower-case letters, digits and _, starting with a letter")
        }
        guard options.role != .event else { throw ImportError(.options, "role event is managed by the server (POST /v1/events)") }
    }

    /// Imports sources already open (named for messages and the reject file), in one transaction.
    static func run(sources: [(String, any FeatureSource)], options: ImportOptions, store: any FeatureStore,
                    progress: ((ImportProgress) -> Void)? = nil) throws(ImportError) -> ImportSummary {
        try check(options)
        let files = sources.map(\.0)
        var summary0 = ImportSummary()
        summary0.readers = sources.map { $0.1.readerName }

        let start = Date()
        var summary = summary0
        let rejectsPath = options.rejectsPath ?? "\(options.layer).rejects.geojsonl"
        let rejects = RejectWriter(path: rejectsPath)
        do {
            let (_, commit) = try store.importLayer(LayerSpec(name: options.layer, role: options.role, source: files.joined(separator: ",")),
                                                    mode: options.mode) { writer in
                var lastReport = Date.distantPast
                for (file, source) in sources {
                    // A GeoJSON `crs` member is only known once reading has begun.
                    var pending = try source.next()
                    // --srs overrides what the file declares, so an unreadable declaration then does no harm.
                    let crs = try options.srs ?? source.declaredCRS ?? .wgs84
                    let transform: CRSTransform
                    do throws(GeometryOpsError) { transform = try CRSTransform(crs) } catch {
                        throw ImportError(.crs, "CRS \(crs): \(error.message)")
                    }
                    let validator = FeatureValidator(role: options.role, transform: transform)
                    while let record = pending {
                        summary.read += 1
                        let outcome: Result<FeatureValidator.Accepted, RejectReason>
                        let feature: Feature?
                        switch record.feature {
                        case .success(var f):
                            if !options.fieldMap.isEmpty {
                                f.properties = JSONObject(f.properties.members.map { (key: options.fieldMap[$0.key] ?? $0.key, value: $0.value) })
                            }
                            feature = f
                            outcome = validator.validate(f)
                        case .failure(let r):
                            feature = nil
                            outcome = .failure(r)
                        }
                        switch outcome {
                        case .success(let ok):
                            let extID = options.idField.flatMap { ok.properties[$0]?.textValue } ?? feature?.id?.textValue
                            try writer.insert(extID: extID, properties: ok.properties, geometry: ok.geometry)
                            summary.imported += 1
                            for r in ok.repairs { summary.repaired[r, default: 0] += 1 }
                        case .failure(let reason):
                            summary.rejected += 1
                            let label = sources.count > 1 ? "\(file) feature \(record.index)" : "feature \(record.index)"
                            if summary.firstRejectReasons.count < 5 { summary.firstRejectReasons.append("\(label): \(reason.message)") }
                            try rejects.write(index: record.index, file: file, reason: reason.message, feature: feature, rawText: record.rawText)
                        }
                        if let progress, summary.read % 1024 == 0, Date().timeIntervalSince(lastReport) > 0.2 {
                            lastReport = Date()
                            progress(ImportProgress(features: summary.read, bytesRead: source.bytesRead,
                                                    totalBytes: source.totalBytes, elapsed: lastReport.timeIntervalSince(start)))
                        }
                        pending = try source.next()
                    }
                }
                if summary.imported == 0 {
                    let first = summary.firstRejectReasons.first.map { "; first: \($0)" } ?? ""
                    throw ImportError(.nothingImported, "no feature could be imported (read \(summary.read), rejected \(summary.rejected))\(first)")
                }
            }
            summary.layer = commit.layer
        } catch let e as ImportError {
            try? rejects.close()
            throw e
        } catch let e as StorageError {
            try? rejects.close()
            throw ImportError(.storage, e.message)
        } catch {
            try? rejects.close()
            throw ImportError(.storage, "\(error)")
        }
        try rejects.close()
        summary.rejectsPath = summary.rejected > 0 ? rejectsPath : nil
        summary.seconds = Date().timeIntervalSince(start)
        return summary
    }
}
