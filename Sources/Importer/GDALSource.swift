import CGDAL
import Foundation
import Geo

/// Every vector format GDAL/OGR reads (GeoPackage, OpenFileGDB, MapInfo TAB/MIF,
/// DXF, DWG where the build has it, KML, FlatGeobuf, GML, XLSX/ODS, GPX, OSM
/// PBF/XML, …), read through GDAL's C API one feature at a time.
///
/// - Layer: `--source-layer` names one; a source with one layer needs none; a
///   source with several and no choice is refused with the list of their names.
/// - Spreadsheets (XLSX, ODS): the first row is the header, always.
/// - Encoding: `--encoding` goes to the driver's `ENCODING` open option when it has
///   one (Shapefile, MapInfo, …). Text of a layer GDAL does not give as UTF-8 is
///   decoded strictly in `--encoding` (default UTF-8), as the own readers do.
/// - CRS: the layer's own, as "EPSG:n" when it has an EPSG authority, else as WKT.
/// - Geometry: curves are linearised, Z and M dropped, TINs and polyhedral surfaces
///   become multipolygons, the first geometry field only. A layer without geometry
///   (a spreadsheet) takes points from lon/lat columns (`--lon-field`/`--lat-field`
///   or the names the CSV reader knows, X/Y as surveyors' tables name them included).
/// - Values: integers and reals as numbers (a non-finite real rejects its feature),
///   booleans as booleans, dates as YYYY-MM-DD, date-times as ISO 8601, lists as arrays.
///
/// Owns its dataset handle (closed in deinit); not `Sendable`: one thread at a time.
public final class GDALSource: FeatureSource {
    public struct Options: Sendable {
        public var layer: String?
        public var encoding: TextEncoding?
        public var lonField: String?
        public var latField: String?
        public init(layer: String? = nil, encoding: TextEncoding? = nil, lonField: String? = nil, latField: String? = nil) {
            self.layer = layer
            self.encoding = encoding
            self.lonField = lonField
            self.latField = latField
        }
    }

    /// GDAL registers its drivers once per process; errors are read back, never printed.
    static let registered: Void = {
        CPLSetErrorHandler(CPLQuietErrorHandler)
        GDALAllRegister()
    }()

    let dataset: GDALDatasetH
    let layer: OGRLayerH
    let path: String
    /// The driver's short name ("GPKG", "OpenFileGDB", "MapInfo File", …).
    public let driver: String
    public let layerName: String
    let fieldCount: Int32
    let fieldNames: [String]
    let fieldTypes: [OGRFieldType]
    let fieldSubtypes: [OGRFieldSubType]
    let utf8: Bool
    let decoder: TextDecoder
    let lonIndex: Int32?
    let latIndex: Int32?
    let hasGeometryField: Bool
    public let declaredCRS: CRS?
    let featureCount: Int64
    public let totalBytes: Int64?
    var index = 0

    /// The GDAL driver that would open `path` as vector data, or nil.
    public static func driverName(for path: String) -> String? {
        _ = registered
        guard let d = GDALIdentifyDriverEx(path, UInt32(GDAL_OF_VECTOR), nil, nil) else { return nil }
        return String(cString: GDALGetDriverShortName(d))
    }

    static func lastError(_ fallback: String) -> String {
        // GDAL's messages may run over several lines: one line here.
        let msg = (CPLGetLastErrorMsg().map { String(cString: $0) } ?? "")
            .split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }.joined(separator: " ")
        return InputText.escaped(msg.isEmpty ? fallback : msg, limit: 200)
    }

    /// Why a DWG does not open, and the way out, or nil for other files. GDAL reads DWG
    /// through its CAD driver (libopencad), R2000 (AC1015) only; newer DWG needs a GDAL built
    /// with the ODA (Teigha) libraries, which are proprietary and not in Debian.
    static func dwgRefusal(_ path: String) -> String? {
        let head = SourceFormat.head(path)
        guard head.starts(with: Array("AC10".utf8)) || path.lowercased().hasSuffix(".dwg") else { return nil }
        let version = String(decoding: head.prefix(6).filter { $0 >= 0x20 && $0 < 0x7F }, as: UTF8.self)
        let releases = ["AC1012": "R13", "AC1014": "R14", "AC1015": "2000", "AC1018": "2004", "AC1021": "2007",
                        "AC1024": "2010", "AC1027": "2013", "AC1032": "2018"]
        let named = releases[version].map { "DWG \(version) (AutoCAD \($0))" } ?? "DWG \(InputText.quoted(version))"
        let way = "save the drawing as DXF in the CAD program (or convert it with the ODA File Converter) and import the .dxf"
        if version == "AC1015" { return "\(named) that GDAL's CAD driver cannot read (\(lastError("unknown error"))): \(way)" }
        return "\(named): this GDAL reads DWG as R2000 (AC1015) only, through its CAD driver; newer DWG needs GDAL built with "
            + "the proprietary ODA libraries, not in Debian: \(way)"
    }

    public init(path: String, options: Options) throws(ImportError) {
        _ = Self.registered
        self.path = path
        CPLErrorReset()
        guard let identified = GDALIdentifyDriverEx(path, UInt32(GDAL_OF_VECTOR), nil, nil) else {
            throw ImportError(.format, Self.dwgRefusal(path) ?? "no GDAL driver reads this file as vector data", file: path)
        }
        driver = String(cString: GDALGetDriverShortName(identified))
        // ENCODING only where the driver declares it: others would warn and ignore it.
        let optionList = GDALGetMetadataItem(identified, GDAL_DMD_OPENOPTIONLIST, nil).map { String(cString: $0) } ?? ""
        var openOptions: [String] = []
        if let e = options.encoding, optionList.contains("name='ENCODING'") { openOptions.append("ENCODING=\(e.gdalName)") }
        // Sheets to import have a header row; GDAL's guess misses it when every cell is text
        // (survey tables often store numbers as text). GDAL 3.6 takes this as a config option,
        // set for this thread while the layer's fields are read, then cleared.
        let headerOptions = ["OGR_XLSX_HEADERS", "OGR_ODS_HEADERS"]
        for o in headerOptions { CPLSetThreadLocalConfigOption(o, "FORCE") }
        defer { for o in headerOptions { CPLSetThreadLocalConfigOption(o, nil) } }
        let cOptions = openOptions.map { strdup($0) } + [nil]
        defer { for p in cOptions { free(p) } }
        let opened: GDALDatasetH? = cOptions.withUnsafeBufferPointer { buf in
            buf.withMemoryRebound(to: UnsafePointer<CChar>?.self) { opts in
                GDALOpenEx(path, UInt32(GDAL_OF_VECTOR | GDAL_OF_READONLY), nil, opts.baseAddress, nil)
            }
        }
        guard let ds = opened else {
            throw ImportError(.format, Self.dwgRefusal(path) ?? "GDAL (\(driver)) cannot open it: \(Self.lastError("unknown error"))", file: path)
        }
        dataset = ds
        var chosen: OGRLayerH?
        let count = GDALDatasetGetLayerCount(ds)
        var names: [String] = []
        for i in 0..<count {
            if let l = GDALDatasetGetLayer(ds, i) { names.append(String(cString: OGR_L_GetName(l))) }
        }
        if let wanted = options.layer {
            chosen = GDALDatasetGetLayerByName(ds, wanted)
            if chosen == nil {
                GDALClose(ds)
                throw ImportError(.options, "--source-layer \(InputText.quoted(wanted)): no such layer; layers are \(names.map { InputText.quoted($0) }.joined(separator: ", "))", file: path)
            }
        } else if count == 1 {
            chosen = GDALDatasetGetLayer(ds, 0)
        } else {
            GDALClose(ds)
            throw ImportError(.options, count == 0 ? "no layers in this source"
                : "\(count) layers (\(names.map { InputText.quoted($0) }.joined(separator: ", "))): pick one with --source-layer", file: path)
        }
        guard let layer = chosen else { GDALClose(ds); throw ImportError(.format, "layer missing", file: path) }
        self.layer = layer
        layerName = String(cString: OGR_L_GetName(layer))
        utf8 = OGR_L_TestCapability(layer, OLCStringsAsUTF8) != 0
        let encoding = options.encoding ?? .utf8
        decoder = TextDecoder(utf8 ? .utf8 : encoding)
        let defn = OGR_L_GetLayerDefn(layer)
        fieldCount = OGR_FD_GetFieldCount(defn)
        var fieldNames: [String] = [], types: [OGRFieldType] = [], subtypes: [OGRFieldSubType] = []
        for i in 0..<fieldCount {
            let f = OGR_FD_GetFieldDefn(defn, i)
            guard let name = decoder.decode(Self.bytes(OGR_Fld_GetNameRef(f))) else {
                GDALClose(ds)
                throw ImportError(.encoding, "field name \(i + 1) is not valid \(decoder.encoding.rawValue) text (try --encoding gbk)", file: path)
            }
            fieldNames.append(name)
            types.append(OGR_Fld_GetType(f))
            subtypes.append(OGR_Fld_GetSubType(f))
        }
        self.fieldNames = fieldNames
        fieldTypes = types
        fieldSubtypes = subtypes
        hasGeometryField = OGR_FD_GetGeomFieldCount(defn) > 0
        func find(_ explicit: String?, _ known: [String], _ flag: String) throws(ImportError) -> Int32? {
            if let explicit {
                guard let i = fieldNames.firstIndex(of: explicit) else {
                    GDALClose(ds)
                    throw ImportError(.options, "\(flag) \(explicit): no such field; fields are \(fieldNames.map { InputText.quoted($0) }.joined(separator: ", "))", file: path)
                }
                return Int32(i)
            }
            return fieldNames.firstIndex { known.contains($0.lowercased()) }.map(Int32.init)
        }
        if !hasGeometryField || options.lonField != nil {
            lonIndex = try find(options.lonField, CSVSource.lonNames, "--lon-field")
            latIndex = try find(options.latField, CSVSource.latNames, "--lat-field")
        } else {
            lonIndex = nil
            latIndex = nil
        }
        declaredCRS = Self.crs(of: OGR_L_GetSpatialRef(layer))
        featureCount = OGR_L_GetFeatureCount(layer, 0)
        totalBytes = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.int64Value
        OGR_L_ResetReading(layer)
    }

    deinit { GDALClose(dataset) }

    public var readerName: String { "GDAL \(driver) driver, layer \(InputText.quoted(layerName))" }

    /// Progress estimated from features read when the driver knows its count cheaply.
    public var bytesRead: Int64 {
        guard let total = totalBytes, featureCount > 0 else { return 0 }
        return min(total, total * Int64(index) / featureCount)
    }

    static func crs(of srs: OGRSpatialReferenceH?) -> CRS? {
        guard let srs else { return nil }
        if let auth = OSRGetAuthorityName(srs, nil), String(cString: auth) == "EPSG", let code = OSRGetAuthorityCode(srs, nil) {
            return CRS(definition: "EPSG:" + String(cString: code))
        }
        var wkt: UnsafeMutablePointer<CChar>?
        guard OSRExportToWkt(srs, &wkt) == OGRERR_NONE, let wkt else { return nil }
        defer { VSIFree(wkt) }
        return CRS(definition: String(cString: wkt))
    }

    public func next() throws(ImportError) -> SourceRecord? {
        CPLErrorReset()
        guard let f = OGR_L_GetNextFeature(layer) else {
            if CPLGetLastErrorType() == CE_Failure || CPLGetLastErrorType() == CE_Fatal {
                throw ImportError(.format, "GDAL (\(driver)) failed after \(index) features: \(Self.lastError("read error"))", file: path)
            }
            return nil
        }
        defer {
            OGR_F_Destroy(f)
            index += 1
        }
        var props = JSONObject()
        for i in 0..<fieldCount where i != lonIndex && i != latIndex {
            switch try value(f, i) {
            case .success(let v): props[fieldNames[Int(i)]] = v
            case .failure(let r): return SourceRecord(index: index, feature: .failure(r))
            }
        }
        let fid = OGR_F_GetFID(f)
        let id: JSONValue? = fid >= 0 ? .number(Double(fid)) : nil
        let geometry: Geometry?
        if let lo = lonIndex, let la = latIndex {
            let a = String(cString: OGR_F_GetFieldAsString(f, lo)).trimmingCharacters(in: .whitespaces)
            let b = String(cString: OGR_F_GetFieldAsString(f, la)).trimmingCharacters(in: .whitespaces)
            guard let x = Double(a), let y = Double(b) else {
                let bad = Double(a) == nil ? "\(InputText.escaped(fieldNames[Int(lo)]))=\(InputText.quoted(a))"
                    : "\(InputText.escaped(fieldNames[Int(la)]))=\(InputText.quoted(b))"
                return SourceRecord(index: index, feature: .failure(RejectReason("feature \(index): coordinate is not a number (\(bad))")))
            }
            geometry = .point(Coordinate(x, y))
        } else {
            switch Self.geometry(OGR_F_GetGeometryRef(f)) {
            case .success(let g): geometry = g
            case .failure(let r): return SourceRecord(index: index, feature: .failure(RejectReason("feature \(index): \(r.message)")))
            }
        }
        return SourceRecord(index: index, feature: .success(Feature(id: id, properties: props, geometry: geometry)))
    }

    /// One field's value; a failure rejects the feature, a throw aborts (text not in the encoding).
    func value(_ f: OGRFeatureH, _ i: Int32) throws(ImportError) -> Result<JSONValue, RejectReason> {
        guard OGR_F_IsFieldSetAndNotNull(f, i) != 0 else { return .success(.null) }
        let name = fieldNames[Int(i)]
        switch fieldTypes[Int(i)] {
        case OFTInteger:
            let v = OGR_F_GetFieldAsInteger(f, i)
            return .success(fieldSubtypes[Int(i)] == OFSTBoolean ? .bool(v != 0) : .number(Double(v)))
        case OFTInteger64:
            return .success(.number(Double(OGR_F_GetFieldAsInteger64(f, i))))
        case OFTReal:
            let d = OGR_F_GetFieldAsDouble(f, i)
            guard d.isFinite else { return .failure(RejectReason("feature \(index), field \(InputText.escaped(name)): \(d) is not a finite number")) }
            return .success(.number(d))
        case OFTDate, OFTDateTime, OFTTime:
            return .success(.string(dateText(f, i, fieldTypes[Int(i)])))
        case OFTIntegerList:
            var n: Int32 = 0
            guard let p = OGR_F_GetFieldAsIntegerList(f, i, &n) else { return .success(.array([])) }
            return .success(.array((0..<Int(n)).map { .number(Double(p[$0])) }))
        case OFTInteger64List:
            var n: Int32 = 0
            guard let p = OGR_F_GetFieldAsInteger64List(f, i, &n) else { return .success(.array([])) }
            return .success(.array((0..<Int(n)).map { .number(Double(p[$0])) }))
        case OFTRealList:
            var n: Int32 = 0
            guard let p = OGR_F_GetFieldAsDoubleList(f, i, &n) else { return .success(.array([])) }
            return .success(.array((0..<Int(n)).map { p[$0].isFinite ? .number(p[$0]) : .null }))
        case OFTStringList:
            var out: [JSONValue] = []
            if let list = OGR_F_GetFieldAsStringList(f, i) {
                var k = 0
                while let s = list[k] { out.append(.string(try text(s, name))); k += 1 }
            }
            return .success(.array(out))
        case OFTBinary:
            return .success(.null) // no JSON form worth keeping; GeoJSON export drops it too
        default:
            return .success(.string(try text(OGR_F_GetFieldAsString(f, i), name)))
        }
    }

    /// The bytes of a C string GDAL owns, valid until GDAL's next call on the same object.
    static func bytes(_ p: UnsafePointer<CChar>) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: UnsafeRawPointer(p).assumingMemoryBound(to: UInt8.self), count: strlen(p))
    }

    func text(_ p: UnsafePointer<CChar>, _ field: String) throws(ImportError) -> String {
        guard let s = decoder.decode(Self.bytes(p)) else {
            throw ImportError(.encoding, "feature \(index), field \(InputText.quoted(field)): not valid \(decoder.encoding.rawValue) text (try --encoding gbk or gb18030)", file: path)
        }
        return s
    }

    func dateText(_ f: OGRFeatureH, _ i: Int32, _ type: OGRFieldType) -> String {
        var y: Int32 = 0, mo: Int32 = 0, d: Int32 = 0, h: Int32 = 0, mi: Int32 = 0, tz: Int32 = 0
        var s: Float = 0
        OGR_F_GetFieldAsDateTimeEx(f, i, &y, &mo, &d, &h, &mi, &s, &tz)
        let date = String(format: "%04d-%02d-%02d", y, mo, d)
        let whole = s.rounded(.down)
        var time = String(format: "%02d:%02d:%02d", h, mi, Int(whole))
        if s != whole { time += String(format: ".%03d", Int(((s - whole) * 1000).rounded())) }
        // GDAL's zone flag: 0 unknown, 1 local time, 100 UTC, 100 ± n quarter hours.
        if tz == 100 { time += "Z" } else if tz > 1 {
            let q = abs(Int(tz) - 100) * 15
            time += String(format: "%@%02d:%02d", tz > 100 ? "+" : "-", q / 60, q % 60)
        }
        switch type {
        case OFTDate: return date
        case OFTTime: return time
        default: return date + "T" + time
        }
    }

    /// The feature's first geometry, 2D and linear, decoded through WKB; nil when it has none.
    static func geometry(_ ref: OGRGeometryH?) -> Result<Geometry?, RejectReason> {
        guard let ref else { return .success(nil) }
        if OGR_G_IsEmpty(ref) != 0 { return .success(nil) }
        var g = ref
        var owned = false
        defer { if owned { OGR_G_DestroyGeometry(g) } }
        let flat = OGR_GT_Flatten(OGR_G_GetGeometryType(ref))
        let plain = OGR_G_Is3D(ref) == 0 && OGR_G_IsMeasured(ref) == 0 && OGR_G_HasCurveGeometry(ref, 0) == 0
            && flat != wkbTIN && flat != wkbPolyhedralSurface && flat != wkbTriangle
        if !plain {
            // Work on a copy: the feature owns `ref`.
            guard var copy = OGR_G_Clone(ref) else { return .failure(RejectReason("geometry could not be copied")) }
            if OGR_G_HasCurveGeometry(copy, 0) != 0, let linear = OGR_G_GetLinearGeometry(copy, 0, nil) {
                OGR_G_DestroyGeometry(copy)
                copy = linear
            }
            let t = OGR_GT_Flatten(OGR_G_GetGeometryType(copy))
            if t == wkbTIN || t == wkbPolyhedralSurface || t == wkbTriangle {
                // Takes ownership of `copy` and returns the converted geometry.
                copy = OGR_G_ForceToMultiPolygon(copy)
            }
            OGR_G_FlattenTo2D(copy)
            g = copy
            owned = true
        }
        let size = Int(OGR_G_WkbSize(g))
        guard size > 0 else { return .failure(RejectReason("geometry has no WKB form")) }
        var wkb = [UInt8](repeating: 0, count: size)
        guard OGR_G_ExportToWkb(g, wkbNDR, &wkb) == OGRERR_NONE else { return .failure(RejectReason("geometry could not be exported")) }
        do throws(GeoError) {
            if OGR_GT_Flatten(OGR_G_GetGeometryType(g)) == wkbGeometryCollection {
                return .success(try Self.merge(WKB.decodeParts(wkb)))
            }
            return .success(try WKB.decode(wkb))
        } catch {
            return .failure(RejectReason(error.message))
        }
    }

    /// The parts of a geometry collection as one multi-geometry, when they are of one kind.
    static func merge(_ parts: [Geometry]) throws(GeoError) -> Geometry? {
        guard let first = parts.first else { return nil }
        if parts.count == 1 { return first }
        switch first.type.family {
        case .point:
            var pts: [Coordinate] = []
            for p in parts { guard p.type.family == .point else { throw mixed() }; p.forEachCoordinate { pts.append($0) } }
            return .multiPoint(pts)
        case .lineString:
            var lines: [[Coordinate]] = []
            for p in parts {
                switch p {
                case .lineString(let l): lines.append(l)
                case .multiLineString(let ls): lines += ls
                default: throw mixed()
                }
            }
            return .multiLineString(lines)
        default:
            var polys: [[[Coordinate]]] = []
            for p in parts {
                switch p {
                case .polygon(let r): polys.append(r)
                case .multiPolygon(let ps): polys += ps
                default: throw mixed()
                }
            }
            return .multiPolygon(polys)
        }
    }

    static func mixed() -> GeoError {
        GeoError(.unsupportedGeometry, "a geometry collection of mixed kinds (points, lines, polygons)")
    }
}

extension TextEncoding {
    /// The name GDAL's ENCODING open options take (handed to iconv).
    var gdalName: String {
        switch self {
        case .utf8: "UTF-8"
        case .gbk: "CP936"
        case .gb18030: "GB18030"
        }
    }
}
