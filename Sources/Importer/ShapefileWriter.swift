import Foundation
import Geo

/// Writes an ESRI Shapefile (.shp, .shx, .dbf, optional .prj and .cpg).
/// Used by the sample city and by tests to produce real-world-shaped input.
/// Polygon rings are written in shapefile order: outer clockwise, holes
/// counter-clockwise. Text fields are encoded strictly in `encoding`.
public struct ShapefileWriter {
    public enum FieldType: Sendable { case text(length: Int), number(length: Int, decimals: Int) }
    public struct Field: Sendable {
        public var name: String
        public var type: FieldType
        public init(_ name: String, _ type: FieldType) { self.name = name; self.type = type }
    }

    public var fields: [Field]
    public var encoding: TextEncoding
    /// Written to the DBF header; 0x4D marks GBK (code page 936).
    public var languageDriver: UInt8
    public var writeCPG: Bool

    public init(fields: [Field], encoding: TextEncoding, languageDriver: UInt8? = nil, writeCPG: Bool = true) {
        self.fields = fields
        self.encoding = encoding
        self.languageDriver = languageDriver ?? (encoding == .utf8 ? 0x00 : 0x4D)
        self.writeCPG = writeCPG
    }

    /// `basePath` without extension. Geometries must share one family.
    public func write(basePath: String, features: [(JSONObject, Geometry)], prj: String?) throws(ImportError) {
        guard let first = features.first else { throw ImportError(.options, "no features to write") }
        let shapeType: Int32 = switch first.1.type.family { case .point: 1; case .lineString: 3; default: 5 }
        var shp = BEWriter(), shx = BEWriter()
        var total = BoundingBox.empty
        for (_, g) in features { total.extend(g.boundingBox) }
        func header(_ w: inout BEWriter, lengthWords: Int) {
            w.be32(9994); for _ in 0..<5 { w.be32(0) }
            w.be32(Int32(lengthWords)); w.le32(1000); w.le32(shapeType)
            w.f64(total.minX); w.f64(total.minY); w.f64(total.maxX); w.f64(total.maxY)
            for _ in 0..<4 { w.f64(0) }
        }
        var records: [[UInt8]] = []
        for (i, (_, g)) in features.enumerated() {
            var c = BEWriter()
            c.le32(shapeType)
            switch g {
            case .point(let p): c.f64(p.x); c.f64(p.y)
            default:
                var parts: [[Coordinate]]
                switch g {
                case .lineString(let l): parts = [l]
                case .multiLineString(let ls): parts = ls
                case .polygon(let rs): parts = Self.orient(rs)
                case .multiPolygon(let ps): parts = ps.flatMap(Self.orient)
                default: throw ImportError(.options, "feature \(i): mixed geometry types in one shapefile")
                }
                let b = g.boundingBox
                c.f64(b.minX); c.f64(b.minY); c.f64(b.maxX); c.f64(b.maxY)
                c.le32(Int32(parts.count)); c.le32(Int32(parts.reduce(0) { $0 + $1.count }))
                var start = 0
                for p in parts { c.le32(Int32(start)); start += p.count }
                for p in parts { for q in p { c.f64(q.x); c.f64(q.y) } }
            }
            records.append(c.bytes)
        }
        let shpWords = 50 + records.reduce(0) { $0 + 4 + $1.count / 2 }
        header(&shp, lengthWords: shpWords)
        header(&shx, lengthWords: 50 + 4 * records.count)
        var offset = 50
        for (i, r) in records.enumerated() {
            shp.be32(Int32(i + 1)); shp.be32(Int32(r.count / 2)); shp.bytes += r
            shx.be32(Int32(offset)); shx.be32(Int32(r.count / 2))
            offset += 4 + r.count / 2
        }
        let dbf = try dbfBytes(features.map(\.0))
        do {
            try Data(shp.bytes).write(to: URL(fileURLWithPath: basePath + ".shp"))
            try Data(shx.bytes).write(to: URL(fileURLWithPath: basePath + ".shx"))
            try Data(dbf).write(to: URL(fileURLWithPath: basePath + ".dbf"))
            if let prj { try Data(prj.utf8).write(to: URL(fileURLWithPath: basePath + ".prj")) }
            if writeCPG {
                let cpg = switch encoding { case .utf8: "UTF-8"; case .gbk: "GBK"; case .gb18030: "GB18030" }
                try Data(cpg.utf8).write(to: URL(fileURLWithPath: basePath + ".cpg"))
            }
        } catch {
            throw ImportError(.io, "cannot write shapefile: \(error)", file: basePath)
        }
    }

    /// Outer ring clockwise, holes counter-clockwise.
    static func orient(_ rings: [[Coordinate]]) -> [[Coordinate]] {
        rings.enumerated().map { i, r in
            let clockwise = Ring.signedArea(r) < 0
            return (i == 0) == clockwise ? r : r.reversed()
        }
    }

    func dbfBytes(_ rows: [JSONObject]) throws(ImportError) -> [UInt8] {
        var w = BEWriter()
        let encoder = TextEncoder(encoding)
        let recordLength = 1 + fields.reduce(0) { n, f in
            switch f.type { case .text(let l): n + l; case .number(let l, _): n + l }
        }
        w.bytes += [0x03, 125, 1, 1]
        w.le32(Int32(rows.count))
        w.le16(UInt16(32 + 32 * fields.count + 1))
        w.le16(UInt16(recordLength))
        w.bytes += [UInt8](repeating: 0, count: 17)
        w.bytes.append(languageDriver)
        w.bytes += [0, 0]
        for f in fields {
            guard var name = encoder.encode(f.name), !name.isEmpty else { throw ImportError(.encoding, "field name \(f.name) not encodable") }
            name = Array(name.prefix(10))
            w.bytes += name + [UInt8](repeating: 0, count: 11 - name.count)
            switch f.type {
            case .text(let l): w.bytes += [UInt8(ascii: "C"), 0, 0, 0, 0, UInt8(l), 0]
            case .number(let l, let d): w.bytes += [UInt8(ascii: "N"), 0, 0, 0, 0, UInt8(l), UInt8(d)]
            }
            w.bytes += [UInt8](repeating: 0, count: 14)
        }
        w.bytes.append(0x0D)
        for (i, row) in rows.enumerated() {
            w.bytes.append(0x20)
            for f in fields {
                switch f.type {
                case .text(let l):
                    let s = row[f.name]?.textValue ?? ""
                    guard let b = encoder.encode(s) else { throw ImportError(.encoding, "row \(i): \"\(s)\" is not encodable in \(encoding.rawValue)") }
                    guard b.count <= l else { throw ImportError(.options, "row \(i): \(f.name) longer than \(l) bytes") }
                    w.bytes += b + [UInt8](repeating: 0x20, count: l - b.count)
                case .number(let l, let d):
                    var s = ""
                    if let v = row[f.name]?.doubleValue { s = String(format: "%.\(d)f", v) }
                    guard s.utf8.count <= l else { throw ImportError(.options, "row \(i): \(f.name) wider than \(l)") }
                    w.bytes += [UInt8](repeating: 0x20, count: l - s.utf8.count) + Array(s.utf8)
                }
            }
        }
        w.bytes.append(0x1A)
        return w.bytes
    }
}

struct BEWriter {
    var bytes: [UInt8] = []
    mutating func be32(_ v: Int32) { withUnsafeBytes(of: v.bigEndian) { bytes += $0 } }
    mutating func le32(_ v: Int32) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
    mutating func le16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { bytes += $0 } }
    mutating func f64(_ v: Double) { withUnsafeBytes(of: v.bitPattern.littleEndian) { bytes += $0 } }
}
