import Foundation
import Geo
import Importer
import Storage
import Testing
import TestSupport

/// Issue 15 item 1, "odd record lengths": DBF files whose layout is not the textbook one, as
/// other writers leave them — a record longer than its fields (filler bytes after the last
/// field), and a header longer than its field descriptors (Visual FoxPro's 263-byte backlink
/// area after the terminator). Both readers must start the data where the header says and
/// step by the record length it declares: the cells read as GDAL reads them and as from the
/// textbook file.
@Suite struct DBFLayoutTests {
    /// `cells.dbf` of ShapefileLikeGDALTests rewritten with `extraHeader` bytes after the field
    /// terminator and `filler` after each record's last field.
    static func relayout(_ dbf: [UInt8], extraHeader: Int, filler: [UInt8]) -> [UInt8] {
        let count = Int(dbf[4]) | Int(dbf[5]) << 8 | Int(dbf[6]) << 16 | Int(dbf[7]) << 24
        let header = Int(dbf[8]) | Int(dbf[9]) << 8, record = Int(dbf[10]) | Int(dbf[11]) << 8
        var out = Array(dbf[0..<header]) + [UInt8](repeating: 0, count: extraHeader)
        let newHeader = header + extraHeader, newRecord = record + filler.count
        out[8] = UInt8(newHeader & 0xFF); out[9] = UInt8(newHeader >> 8)
        out[10] = UInt8(newRecord & 0xFF); out[11] = UInt8(newRecord >> 8)
        for i in 0..<count {
            let at = header + i * record
            out += dbf[at..<(at + record)] + filler
        }
        return out + [0x1A]
    }

    @Test(arguments: [(263, 0), (0, 3), (263, 5)])
    func recordsAreFoundWhereTheHeaderSays(_ extraHeader: Int, _ fillerCount: Int) throws {
        let fx = try ImportFixture()
        _ = try TestSupport.python(ShapefileLikeGDALTests.writer, input: fx.dir)
        try fx.run([fx.dir + "/cells.shp"], layer: "plain", role: .generic)
        let textbook = try fx.features("plain")
        let path = fx.dir + "/cells.dbf"
        let original = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        // Filler that would read as values if a reader stepped by the fields' lengths.
        let filler = Array("9,T|".utf8.prefix(fillerCount)) + [UInt8](repeating: 0x37, count: max(0, fillerCount - 4))
        let odd = Self.relayout(original, extraHeader: extraHeader, filler: filler)
        TestSupport.write(bytes: odd, to: path)
        #expect(odd.count == original.count + extraHeader + 6 * fillerCount)
        let s = try fx.run([fx.dir + "/cells.shp"], layer: "odd", role: .generic)
        #expect(s.read == 5 && s.imported == 5 && s.rejected == 0)
        let ours = try fx.features("odd")
        #expect(ours.map(\.properties) == textbook.map(\.properties))
        let theirs = try ShapefileLikeGDALTests.gdal(path.replacingOccurrences(of: ".dbf", with: ".shp"))
        #expect(theirs.count == ours.count)
        for (o, t) in zip(ours, theirs) {
            let props = t["properties"]?.objectValue ?? JSONObject()
            for name in ["name", "cap", "ratio", "day", "note", "名称"] {
                #expect(o.properties[name] ?? .null == props[name] ?? .null, "\(name): ours \(String(describing: o.properties[name])), GDAL \(String(describing: props[name]))")
            }
        }
    }
}
