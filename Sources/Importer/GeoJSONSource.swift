import Geo

/// GeoJSON FeatureCollection, Feature, GeoJSON text sequence or
/// newline-delimited GeoJSON, read streaming (see `GeoJSONFeatureReader`).
public final class GeoJSONSource: FeatureSource {
    let reader: GeoJSONFeatureReader
    let path: String

    public init(path: String) throws(ImportError) {
        self.path = path
        do { reader = try GeoJSONFeatureReader(path: path) } catch {
            throw ImportError(.io, error.message, file: path)
        }
    }

    public func next() throws(ImportError) -> SourceRecord? {
        let r: GeoJSONFeatureReader.Record?
        do { r = try reader.next() } catch { throw ImportError(.format, error.description, file: path) }
        guard let r else { return nil }
        switch r.feature {
        case .success(let f): return SourceRecord(index: r.index, feature: .success(f), rawText: r.rawText)
        case .failure(let e): return SourceRecord(index: r.index, feature: .failure(RejectReason(e.message)), rawText: r.rawText)
        }
    }

    public var bytesRead: Int64 { reader.bytesRead }
    public var totalBytes: Int64? { reader.totalBytes }

    public var declaredCRS: CRS? {
        get throws(ImportError) {
            guard let name = reader.declaredCRS else { return nil }
            return try CRS.declared(name, by: "the GeoJSON crs member \(InputText.quoted(name, limit: 80))", file: path)
        }
    }
}
