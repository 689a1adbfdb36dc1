import Foundation
import Geo
import Importer
import Storage
import Testing
import TestSupport

/// Text files as Windows tools save them: a UTF-8 byte-order mark is read past (Esri
/// products, Excel), UTF-16/32 is refused with a message that names the encoding.
@Suite struct ByteOrderMarkTests {
    static let bom: [UInt8] = [0xEF, 0xBB, 0xBF]
    static let collection = ImportFixture.featureCollection([ImportFixture.pointFeature(#"{"name":"雨水井"}"#, "104.1", "30.6")])

    static func utf16(_ text: String, bigEndian: Bool, mark: Bool) -> [UInt8] {
        var out: [UInt8] = mark ? (bigEndian ? [0xFE, 0xFF] : [0xFF, 0xFE]) : []
        for u in text.utf16 { out += bigEndian ? [UInt8(u >> 8), UInt8(u & 0xFF)] : [UInt8(u & 0xFF), UInt8(u >> 8)] }
        return out
    }

    @Test(arguments: ["a.geojson", "a.geojsonl"])
    func geoJSONWithAUTF8MarkImportsLikeWithout(_ name: String) throws {
        let fx = try ImportFixture()
        let text = name.hasSuffix("l") ? ImportFixture.pointFeature(#"{"name":"雨水井"}"#, "104.1", "30.6") + "\n" : Self.collection
        let s = try fx.run([fx.file(name, bytes: Self.bom + Array(text.utf8))], layer: "p", role: .generic)
        #expect(s.imported == 1)
        #expect(try fx.features("p")[0].properties["name"] == .string("雨水井"))
        // GDAL agrees the file is a one-feature layer (independent reader).
        let r = try TestSupport.run("/usr/bin/ogrinfo", ["-al", "-so", fx.dir + "/" + name])
        #expect(r.stdout.contains("Feature Count: 1"), "\(r.stdout)\(r.stderr)")
    }

    @Test func csvWithAUTF8MarkKeepsItsFirstColumnName() throws {
        let fx = try ImportFixture()
        let f = fx.file("a.csv", bytes: Self.bom + Array("name,lon,lat\n雨水井,104.1,30.6\n".utf8))
        try fx.run([f], layer: "p", role: .generic)
        #expect(try fx.features("p")[0].properties.keys == ["name"])
    }

    @Test(arguments: [(true, true), (false, true), (false, false), (true, false)])
    func utf16IsRefusedByName(_ bigEndian: Bool, _ mark: Bool) throws {
        let fx = try ImportFixture()
        let expected = "UTF-16\(bigEndian ? "BE" : "LE")"
        let g = fx.file("a.geojson", bytes: Self.utf16(Self.collection, bigEndian: bigEndian, mark: mark))
        #expect { try fx.run([g], layer: "p", role: .generic) } throws: { e in
            (e as? ImportError)?.message.contains("\(expected) text") == true
        }
        let c = fx.file("a.csv", bytes: Self.utf16("name,lon,lat\nx,104.1,30.6\n", bigEndian: bigEndian, mark: mark))
        #expect { try fx.run([c], layer: "p", role: .generic) } throws: { e in
            (e as? ImportError)?.code == .encoding && (e as? ImportError)?.message.contains("\(expected) text") == true
        }
    }

    @Test func theJSONParserSkipsAMarkAndRefusesWideText() throws {
        #expect(try JSONParser.parse(Self.bom + Array(#"{"a":1}"#.utf8)) == JSONParser.parse(#"{"a":1}"#))
        #expect(throws: GeoError.self) { try JSONParser.parse(Self.utf16(#"{"a":1}"#, bigEndian: false, mark: true)) }
        #expect(TextStart([0x7B, 0, 0, 0]) == .utf32(bigEndian: false))
        #expect(TextStart(Array("{}".utf8)) == .plain)
        #expect(TextStart([]) == .plain)
    }
}
