import Foundation
import Geo
import Testing
import TestSupport

@Suite struct GeoJSONReaderTests {
    func readAll(_ text: String) throws -> [GeoJSONFeatureReader.Record] {
        let dir = TestSupport.scratch()
        TestSupport.write(text, to: dir + "/f.geojson")
        let r = try GeoJSONFeatureReader(path: dir + "/f.geojson")
        var out: [GeoJSONFeatureReader.Record] = []
        while let x = try r.next() { out.append(x) }
        return out
    }

    @Test func readsAFeatureCollectionAndItsLegacyCRS() throws {
        let dir = TestSupport.scratch()
        TestSupport.write(#"{"type":"FeatureCollection","crs":{"type":"name","properties":{"name":"urn:ogc:def:crs:EPSG::4544"}},"features":[{"type":"Feature","properties":{"a":1},"geometry":{"type":"Point","coordinates":[1,2]}},{"type":"Feature","id":7,"properties":null,"geometry":null}]}"#, to: dir + "/f.geojson")
        let r = try GeoJSONFeatureReader(path: dir + "/f.geojson")
        let first = try #require(try r.next())
        #expect(r.declaredCRS == "EPSG:4544")
        #expect(try first.feature.get().geometry == .point(Coordinate(1, 2)))
        let second = try #require(try r.next())
        #expect(try second.feature.get().id == .number(7))
        #expect(try second.feature.get().geometry == nil)
        #expect(try r.next() == nil)
    }

    @Test func readsNewlineDelimitedAndRFC8142Sequences() throws {
        let f = #"{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[3,4]}}"#
        #expect(try readAll("\(f)\n\(f)\n\n\(f)\n").count == 3)
        #expect(try readAll("\u{1E}\(f)\n\u{1E}\(f)\n").count == 2)
        #expect(try readAll(#"{"type":"Point","coordinates":[5,6]}"#).first.map { try $0.feature.get().geometry } == .point(Coordinate(5, 6)))
    }

    @Test func aBadGeometryFailsOnlyItsFeature() throws {
        let recs = try readAll(#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[1]}},{"type":"Feature","properties":{},"geometry":{"type":"Point","coordinates":[1,2]}}]}"#)
        #expect(recs.count == 2)
        guard case .failure(let e) = recs[0].feature else { Issue.record("expected failure"); return }
        #expect(e.message.contains("at least two numbers"))
        #expect(recs[0].rawText?.contains("\"coordinates\":[1]") == true)
        #expect(recs[1].rawText == nil)
        #expect((try? recs[1].feature.get()) != nil)
    }

    @Test func brokenSyntaxIsFatalAndSaysWhere() throws {
        #expect(throws: GeoError.self) { try readAll(#"{"type":"FeatureCollection","features":[{"type":"Feature","properties":{"#) }
        #expect(throws: GeoError.self) { try readAll("not json") }
        #expect(throws: GeoError.self) { try readAll(#"{"type":"Topology","objects":{}}"#) }
    }

    /// Streaming: the reader's window stays near one chunk however big the file is.
    @Test func memoryDoesNotGrowWithFileSize() throws {
        let dir = TestSupport.scratch()
        let path = dir + "/big.geojson"
        FileManager.default.createFile(atPath: path, contents: nil)
        let h = try #require(FileHandle(forWritingAtPath: path))
        h.write(Data(#"{"type":"FeatureCollection","features":["#.utf8))
        var chunk = ""
        let n = 200_000
        for i in 0..<n {
            chunk += #"{"type":"Feature","properties":{"name":"点\#(i)","v":\#(i)},"geometry":{"type":"Point","coordinates":[104.\#(i),30.\#(i)]}}"#
            chunk += i + 1 < n ? ",\n" : "\n"
            if chunk.utf8.count > 1 << 20 { h.write(Data(chunk.utf8)); chunk = "" }
        }
        h.write(Data((chunk + "]}").utf8))
        try h.close()
        let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        #expect(size > 20_000_000)
        let reader = try GeoJSONFeatureReader(path: path)
        var count = 0
        while let _ = try reader.next() { count += 1 }
        #expect(count == n)
        #expect(reader.bytesRead == Int64(size))
    }
}
