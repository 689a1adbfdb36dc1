import Foundation
import Geo

/// One feature read from a source, or the reason it could not be read.
public struct SourceRecord {
    /// 0-based position in the source (record number − 1 for a shapefile, data row for CSV).
    public let index: Int
    public let feature: Result<Feature, RejectReason>
    /// The feature's text in the source, when the format has one (GeoJSON, CSV line).
    /// A CSV line is joined from its fields only when asked for (a reject), not per row.
    public var rawText: String? {
        switch raw {
        case .none: nil
        case .text(let t): t
        case .fields(let values, let separator): values.joined(separator: separator)
        }
    }
    private let raw: RawText

    private enum RawText {
        case none
        case text(String)
        case fields([String], separator: String)
    }

    public init(index: Int, feature: Result<Feature, RejectReason>, rawText: String? = nil) {
        self.index = index
        self.feature = feature
        raw = rawText.map { .text($0) } ?? .none
    }

    /// A record whose source text is the fields joined by `separator` (a CSV line).
    public init(index: Int, feature: Result<Feature, RejectReason>, fields: [String], separator: String) {
        self.index = index
        self.feature = feature
        raw = .fields(fields, separator: separator)
    }
}

/// Why one feature was not imported, as written to the reject file.
public struct RejectReason: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = InputText.controlsEscaped(message) }
    public var description: String { message }
}

/// A streaming reader of one input file. Fatal problems (unreadable file,
/// broken syntax, text not in the declared encoding) are thrown; problems
/// of a single feature come back as a failed record.
public protocol FeatureSource: AnyObject {
    func next() throws(ImportError) -> SourceRecord?
    /// Bytes consumed and total, for progress and ETA.
    var bytesRead: Int64 { get }
    var totalBytes: Int64? { get }
    /// The CRS the file declares (.prj, GeoJSON `crs`), if any. Throws `.crs` when PROJ
    /// cannot read it: a fault of the whole file.
    var declaredCRS: CRS? { get throws(ImportError) }
    /// Which reader this is, for the import summary ("own Shapefile reader", "GDAL GPKG driver, layer …").
    var readerName: String { get }
}

extension GeoJSONSource { public var readerName: String { "own GeoJSON reader" } }
extension CSVSource { public var readerName: String { "own CSV reader" } }
extension ShapefileSource { public var readerName: String { "own Shapefile reader" } }

/// Which reader `import` uses: by content (`auto`), or forced.
public enum ReaderChoice: String, Sendable, CaseIterable {
    /// The own reader for GeoJSON, CSV and Shapefile content (faster, see the README), GDAL for the rest.
    case auto
    case own
    case gdal
}

public enum SourceFormat: String, Sendable {
    case geojson, csv, shapefile, gdal

    /// From the file name: .geojson/.json/.geojsonl/.geojsons/.ndjson, .csv/.tsv, .shp; nil for others.
    public init?(path: String) {
        let lower = path.lowercased()
        if lower.hasSuffix(".shp") { self = .shapefile }
        else if lower.hasSuffix(".csv") || lower.hasSuffix(".tsv") || lower.hasSuffix(".txt") { self = .csv }
        else if [".geojson", ".json", ".geojsonl", ".geojsons", ".geojsonseq", ".ndjson", ".jsonl"].contains(where: { lower.hasSuffix($0) }) { self = .geojson }
        else { return nil }
    }

    /// By content: the own readers for what they read (the name's format when the first
    /// bytes agree with it; a JSON object or a shapefile header under any name), else
    /// GDAL when a GDAL driver identifies the file (or folder, as a File Geodatabase is);
    /// nil when nothing reads it.
    public init?(contentOf path: String) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            guard GDALSource.driverName(for: path) != nil else { return nil }
            self = .gdal
            return
        }
        let head = Self.head(path)
        let start = TextStart(head)
        let text = head.dropFirst(start.skip).drop { $0 == 0x20 || $0 == 0x0A || $0 == 0x0D || $0 == 0x09 }
        let looksJSON = text.first == UInt8(ascii: "{") || text.first == 0x1E
        let looksShapefile = head.starts(with: [0x00, 0x00, 0x27, 0x0A])
        switch SourceFormat(path: path) {
        case .geojson? where looksJSON || start.refusal != nil: self = .geojson
        case .shapefile? where looksShapefile: self = .shapefile
        case .csv? where !looksJSON && GDALSource.driverName(for: path).map({ $0 == "CSV" }) != false: self = .csv
        default:
            if let driver = GDALSource.driverName(for: path) {
                // GDAL's GeoJSON, CSV and Shapefile drivers read what the own readers read faster.
                switch driver {
                case "GeoJSON", "GeoJSONSeq": self = .geojson
                case "ESRI Shapefile" where looksShapefile: self = .shapefile
                default: self = .gdal
                }
            } else if looksJSON {
                self = .geojson
            } else if let byName = SourceFormat(path: path) {
                self = byName // the own reader then says what is wrong with the content
            } else {
                return nil
            }
        }
    }

    static func head(_ path: String) -> [UInt8] {
        guard let h = FileHandle(forReadingAtPath: path) else { return [] }
        defer { try? h.close() }
        return [UInt8]((try? h.read(upToCount: 64)) ?? Data())
    }
}
