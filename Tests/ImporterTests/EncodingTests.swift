import Foundation
import Geo
import Importer
import Storage
import Testing
import TestSupport

@Suite struct EncodingTests {
    static let fields: [ShapefileWriter.Field] = [.init("name", .text(length: 30)), .init("category", .text(length: 12))]

    func writePOI(_ fx: ImportFixture, _ base: String, _ name: String, encoding: TextEncoding, ldid: UInt8? = nil, cpg: Bool) throws {
        let props = JSONObject([(key: "name", value: .string(name)), (key: "category", value: .string("医院"))])
        try ShapefileWriter(fields: Self.fields, encoding: encoding, languageDriver: ldid, writeCPG: cpg)
            .write(basePath: fx.dir + "/" + base, features: [(props, .point(Coordinate(104.1, 30.67)))], prj: nil)
    }

    @Test func gbkFromTheDBFLanguageDriver() throws {
        let fx = try ImportFixture()
        try writePOI(fx, "a", "锦华区人民医院", encoding: .gbk, ldid: 0x4D, cpg: false)
        try fx.run([fx.dir + "/a.shp"], layer: "pois", role: .poi)
        #expect(try fx.features("pois")[0].properties["name"] == .string("锦华区人民医院"))
    }

    @Test func gbkFromTheCPG() throws {
        let fx = try ImportFixture()
        try writePOI(fx, "b", "双桥子社区卫生服务中心", encoding: .gbk, ldid: 0, cpg: false)
        TestSupport.write("936", to: fx.dir + "/b.cpg")
        try fx.run([fx.dir + "/b.shp"], layer: "pois", role: .poi)
        #expect(try fx.features("pois")[0].properties["name"] == .string("双桥子社区卫生服务中心"))
    }

    @Test func gb18030FromTheFlag() throws {
        // 䶮 (U+4DAE) exists in GB18030 but not in GBK.
        let fx = try ImportFixture()
        #expect(TextEncoding.gbk.encode("刘䶮") == nil)
        try writePOI(fx, "c", "刘䶮纪念馆", encoding: .gb18030, ldid: 0, cpg: false)
        try fx.run([fx.dir + "/c.shp"], layer: "pois", role: .poi) { $0.encoding = .gb18030 }
        #expect(try fx.features("pois")[0].properties["name"] == .string("刘䶮纪念馆"))
    }

    @Test func gbkBytesReadAsUTF8AreAnErrorNeverMojibake() throws {
        let fx = try ImportFixture()
        try writePOI(fx, "d", "青龙街道办事处", encoding: .gbk, ldid: 0, cpg: false)
        #expect { try fx.run([fx.dir + "/d.shp"], layer: "pois", role: .poi) } throws: { e in
            let m = (e as? ImportError)?.message ?? ""
            return m.contains("not valid utf-8 text") && m.contains("--encoding gbk") && m.contains("field name")
        }
        #expect(try fx.store.layer(named: "pois") == nil)
    }

    @Test func invalidGBKSequenceIsAnErrorAndKeepsTheOldLayer() throws {
        let fx = try ImportFixture()
        try writePOI(fx, "ok", "锦华区中医医院", encoding: .gbk, ldid: 0x4D, cpg: false)
        try fx.run([fx.dir + "/ok.shp"], layer: "pois", role: .poi)
        // Same file, then corrupt one byte of the name into an invalid GBK lead/trail pair (0x81 0x7F).
        try writePOI(fx, "bad", "锦华区中医医院", encoding: .gbk, ldid: 0x4D, cpg: false)
        var dbf = [UInt8](try Data(contentsOf: URL(fileURLWithPath: fx.dir + "/bad.dbf")))
        let headerLength = Int(dbf[8]) | Int(dbf[9]) << 8
        dbf[headerLength + 1] = 0x81
        dbf[headerLength + 2] = 0x7F
        TestSupport.write(bytes: dbf, to: fx.dir + "/bad.dbf")
        #expect { try fx.run([fx.dir + "/bad.shp"], layer: "pois", role: .poi) } throws: { e in
            (e as? ImportError)?.message.contains("record 1, field name: not valid gbk text") == true
        }
        #expect(try fx.features("pois").map { $0.properties["name"] } == [.string("锦华区中医医院")])
    }

    @Test func csvInGBK() throws {
        let fx = try ImportFixture()
        let text = "bike_id,operator,lon,lat\nMT1,美团,104.1,30.6\nHL2,哈啰,104.2,30.7\n"
        let f = fx.file("bikes.csv", bytes: try #require(TextEncoding.gbk.encode(text)))
        #expect { try fx.run([f], layer: "bikes", role: .bike) } throws: { ($0 as? ImportError)?.code == .encoding }
        try fx.run([f], layer: "bikes", role: .bike) { $0.encoding = .gbk }
        #expect(try fx.features("bikes").map { $0.properties["operator"] } == [.string("美团"), .string("哈啰")])
    }

    @Test func encodingNames() {
        #expect(TextEncoding(name: "CP936") == .gbk)
        #expect(TextEncoding(name: "ANSI 936\r\n") == .gbk)
        #expect(TextEncoding(name: "utf_8") == .utf8)
        #expect(TextEncoding(name: "GB18030") == .gb18030)
        #expect(TextEncoding(name: "latin1") == nil)
    }
}
