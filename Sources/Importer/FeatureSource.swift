import Geo

/// One feature read from a source, or the reason it could not be read.
public struct SourceRecord {
    /// 0-based position in the source (record number − 1 for a shapefile, data row for CSV).
    public let index: Int
    public let feature: Result<Feature, RejectReason>
    /// The feature's text in the source, when the format has one (GeoJSON, CSV line).
    public let rawText: String?

    public init(index: Int, feature: Result<Feature, RejectReason>, rawText: String? = nil) {
        self.index = index
        self.feature = feature
        self.rawText = rawText
    }
}

/// Why one feature was not imported, as written to the reject file.
public struct RejectReason: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public init(_ message: String) { self.message = message }
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
}

public enum SourceFormat: String, Sendable {
    case geojson, csv, shapefile

    /// From the file name: .geojson/.json/.geojsonl/.geojsons/.ndjson, .csv/.tsv, .shp.
    public init?(path: String) {
        let lower = path.lowercased()
        if lower.hasSuffix(".shp") { self = .shapefile }
        else if lower.hasSuffix(".csv") || lower.hasSuffix(".tsv") || lower.hasSuffix(".txt") { self = .csv }
        else if [".geojson", ".json", ".geojsonl", ".geojsons", ".geojsonseq", ".ndjson", ".jsonl"].contains(where: { lower.hasSuffix($0) }) { self = .geojson }
        else { return nil }
    }
}
