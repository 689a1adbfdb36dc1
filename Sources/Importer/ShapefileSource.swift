import Foundation
import Geo

/// ESRI Shapefile: .shp geometry (Point, PolyLine, Polygon, MultiPoint and
/// their Z/M variants, MultiPatch; extra ordinates dropped), .dbf attributes, .prj CRS
/// (as WKT, handed to PROJ) and .cpg code page.
///
/// Attribute encoding, first match wins: `--encoding`, the .cpg, the DBF
/// language driver id (0x4D/0x7A → GBK), else UTF-8. Decoding is strict.
/// Polygon rings follow the shapefile rule (outer rings clockwise, holes
/// counter-clockwise); a hole is given to the outer ring containing it.
public final class ShapefileSource: FeatureSource {
    let shp: ChunkedByteReader
    let dbf: DBFReader?
    let path: String
    public let shapeType: Int
    public let encoding: TextEncoding
    public let encodingSource: String
    public private(set) var declaredCRS: CRS?
    var index = 0

    public init(path: String, encoding explicit: TextEncoding?) throws(ImportError) {
        self.path = path
        let base = String(path.dropLast(4))
        func sibling(_ ext: String) -> String? {
            for e in [ext, ext.uppercased()] where FileManager.default.fileExists(atPath: base + e) { return base + e }
            return nil
        }
        do { shp = try ChunkedByteReader(path: path) } catch { throw ImportError(.io, error.message, file: path) }
        var header: [UInt8] = []
        for i in 0..<100 {
            guard let b = try? shp.peek(i) else { throw ImportError(.format, "not a shapefile: header shorter than 100 bytes", file: path) }
            header.append(b)
        }
        shp.pos = 100
        guard header[0] == 0, header[1] == 0, header[2] == 0x27, header[3] == 0x0A else {
            throw ImportError(.format, "not a shapefile: bad file code (expected 9994)", file: path)
        }
        shapeType = Int(header[32]) | Int(header[33]) << 8
        if let prj = sibling(".prj"), let text = try? String(contentsOfFile: prj, encoding: .utf8),
           case let wkt = text.trimmingCharacters(in: CharacterSet(charactersIn: "\u{FEFF}").union(.whitespacesAndNewlines)), !wkt.isEmpty {
            declaredCRS = try CRS.declared(wkt, by: ".prj", file: prj)
        }
        var enc: TextEncoding = .utf8
        var from = "default"
        var dbfReader: DBFReader?
        if let dbfPath = sibling(".dbf") {
            let raw = try DBFReader.open(path: dbfPath)
            if let explicit { enc = explicit; from = "--encoding" }
            else if let cpg = sibling(".cpg"), let text = try? String(contentsOfFile: cpg, encoding: .utf8) {
                guard let e = TextEncoding(name: text) else {
                    throw ImportError(.encoding, "unsupported code page \(InputText.quoted(text.trimmingCharacters(in: .whitespacesAndNewlines))) in .cpg; give --encoding", file: cpg)
                }
                enc = e; from = ".cpg"
            } else if let e = TextEncoding(dbfLanguageDriver: raw.languageDriver) { enc = e; from = "DBF language driver" }
            raw.encoding = enc
            dbfReader = raw
        } else if let explicit {
            enc = explicit
        }
        encoding = enc
        encodingSource = from
        dbf = dbfReader
    }

    public var bytesRead: Int64 { shp.bytesRead }
    public var totalBytes: Int64? { shp.totalBytes }

    func bytes(_ n: Int) throws(ImportError) -> [UInt8]? {
        do {
            guard try shp.peek(n - 1) != nil else { return nil }
        } catch { throw ImportError(.io, error.message, file: path) }
        let out = Array(shp.window[shp.pos..<(shp.pos + n)])
        shp.pos += n
        return out
    }

    public func next() throws(ImportError) -> SourceRecord? {
        while true {
            guard let head = try bytes(8) else {
                if let dbf, let extra = try dbf.nextRecord(), !extra.isDeleted {
                    throw ImportError(.format, ".dbf has more records than .shp (\(dbf.recordCount) vs \(index))", file: path)
                }
                return nil
            }
            let length = (Int(head[4]) << 24 | Int(head[5]) << 16 | Int(head[6]) << 8 | Int(head[7])) * 2
            guard length >= 4, length < 1 << 30, let content = try bytes(length) else {
                throw ImportError(.format, "record \(index + 1) is truncated or has an impossible length \(length)", file: path)
            }
            var attributes = JSONObject()
            if let dbf {
                guard let rec = try dbf.nextRecord() else {
                    throw ImportError(.format, ".dbf has fewer records than .shp (record \(index + 1) has no attributes)", file: path)
                }
                switch rec {
                case .attributes(let a): attributes = a
                // Deleted in the .dbf: skip the shape too, like GDAL (a loop, so many deleted rows cannot exhaust the stack).
                case .deleted: index += 1; continue
                case .fault(let reason):
                    defer { index += 1 }
                    return SourceRecord(index: index, feature: .failure(reason))
                }
            }
            return record(content, attributes)
        }
    }

    func record(_ content: [UInt8], _ attributes: JSONObject) -> SourceRecord {
        defer { index += 1 }
        do {
            let g = try Self.decodeShape(content)
            return SourceRecord(index: index, feature: .success(Feature(properties: attributes, geometry: g)))
        } catch {
            return SourceRecord(index: index, feature: .failure(RejectReason("record \(index + 1): \(error.message)")))
        }
    }

    /// Decodes one record's content; nil geometry for a Null shape.
    static func decodeShape(_ c: [UInt8]) throws(GeoError) -> Geometry? {
        let r: Result<Geometry?, GeoError> = c.withUnsafeBytes { raw in
            var r = ByteReader(raw)
            do throws(GeoError) {
                let type = Int(try r.u32(.malformedBlob))
                switch type {
                case 0: return .success(nil)
                case 1, 11, 21: return .success(.point(Coordinate(try r.f64(.malformedBlob), try r.f64(.malformedBlob))))
                case 8, 18, 28:
                    r.pos += 32
                    let n = Int(try r.u32(.malformedBlob))
                    guard n * 16 <= r.remaining else { throw GeoError(.malformedBlob, "point count \(n) exceeds the record") }
                    var pts: [Coordinate] = []
                    for _ in 0..<n { pts.append(Coordinate(try r.f64(.malformedBlob), try r.f64(.malformedBlob))) }
                    return .success(.multiPoint(pts))
                case 3, 13, 23, 5, 15, 25:
                    r.pos += 32
                    let nParts = Int(try r.u32(.malformedBlob)), nPoints = Int(try r.u32(.malformedBlob))
                    guard nParts > 0, nParts * 4 + nPoints * 16 <= r.remaining else {
                        throw GeoError(.malformedBlob, "part/point counts (\(nParts)/\(nPoints)) exceed the record")
                    }
                    var starts: [Int] = []
                    for _ in 0..<nParts { starts.append(Int(try r.u32(.malformedBlob))) }
                    var pts: [Coordinate] = []
                    pts.reserveCapacity(nPoints)
                    for _ in 0..<nPoints { pts.append(Coordinate(try r.f64(.malformedBlob), try r.f64(.malformedBlob))) }
                    var parts: [[Coordinate]] = []
                    for (i, s) in starts.enumerated() {
                        let e = i + 1 < starts.count ? starts[i + 1] : nPoints
                        guard s >= 0, s <= e, e <= nPoints else { throw GeoError(.malformedBlob, "invalid part index") }
                        parts.append(Array(pts[s..<e]))
                    }
                    if type % 10 == 3 {
                        return .success(parts.count == 1 ? .lineString(parts[0]) : .multiLineString(parts))
                    }
                    return .success(assemblePolygons(parts))
                case 31:
                    return .success(try decodeMultiPatch(&r))
                default:
                    throw GeoError(.unsupportedGeometry, "shape type \(type) is not supported")
                }
            } catch { return .failure(error) }
        }
        return try r.get()
    }

    /// A MultiPatch (31) read as GDAL reads it: triangle strips and fans become one
    /// polygon per triangle, outer/first/plain rings start a polygon, inner rings are
    /// holes of the polygon before them; Z is dropped like every other ordinate beyond XY.
    static func decodeMultiPatch(_ r: inout ByteReader) throws(GeoError) -> Geometry {
        r.pos += 32
        let nParts = Int(try r.u32(.malformedBlob)), nPoints = Int(try r.u32(.malformedBlob))
        guard nParts > 0, nParts * 8 + nPoints * 16 <= r.remaining else {
            throw GeoError(.malformedBlob, "part/point counts (\(nParts)/\(nPoints)) exceed the record")
        }
        var starts: [Int] = []
        for _ in 0..<nParts { starts.append(Int(try r.u32(.malformedBlob))) }
        var kinds: [Int] = []
        for _ in 0..<nParts { kinds.append(Int(try r.u32(.malformedBlob))) }
        var pts: [Coordinate] = []
        for _ in 0..<nPoints { pts.append(Coordinate(try r.f64(.malformedBlob), try r.f64(.malformedBlob))) }
        var polygons: [[[Coordinate]]] = []
        for (i, s) in starts.enumerated() {
            let e = i + 1 < starts.count ? starts[i + 1] : nPoints
            guard s >= 0, s <= e, e <= nPoints else { throw GeoError(.malformedBlob, "invalid part index") }
            let part = Array(pts[s..<e])
            switch kinds[i] {
            case 0, 1: // triangle strip, triangle fan
                guard part.count >= 3 else { continue }
                for k in 2..<part.count {
                    let a = kinds[i] == 0 ? part[k - 2] : part[0]
                    polygons.append([[a, part[k - 1], part[k], a]])
                }
            case 3: // inner ring
                if polygons.isEmpty { polygons.append([part]) } else { polygons[polygons.count - 1].append(part) }
            case 2, 4, 5: // outer, first, ring
                polygons.append([part])
            default:
                throw GeoError(.malformedBlob, "unknown multipatch part type \(kinds[i])")
            }
        }
        guard !polygons.isEmpty else { throw GeoError(.malformedBlob, "multipatch without a polygon") }
        return polygons.count == 1 ? .polygon(polygons[0]) : .multiPolygon(polygons)
    }

    static func assemblePolygons(_ rings: [[Coordinate]]) -> Geometry {
        var outers: [[[Coordinate]]] = []
        var holes: [[Coordinate]] = []
        for r in rings {
            if Ring.signedArea(r) <= 0 { outers.append([r]) } else { holes.append(r) }
        }
        // A file whose rings are all counter-clockwise was written carelessly: treat them as outers.
        if outers.isEmpty { return rings.count == 1 ? .polygon(rings) : .multiPolygon(rings.map { [$0] }) }
        for h in holes {
            let probe = h.first ?? Coordinate(0, 0)
            if let i = outers.firstIndex(where: { Ring.contains($0[0], probe) }) { outers[i].append(h) }
            else { outers.append([h]) } // orphan hole: keep it as a polygon (as GDAL does)
        }
        return outers.count == 1 ? .polygon(outers[0]) : .multiPolygon(outers)
    }
}
