import Foundation
import Geo
import Storage
import Testing
import TestSupport

/// Issue 18: an MBTiles file from elsewhere reaches no runtime trap.
@Suite struct StorageTrapFreeInputTests {
    static let sqlite3 = "/usr/bin/sqlite3"

    /// `m[row[0]] = row[1]` is GRDB's non-optional String conversion, which traps on NULL
    /// or a number; metadata cells of any type are now read as text or skipped.
    @Test
    func mbtilesMetadataWithNullsAndNumbersIsRead() throws {
        let path = TestSupport.scratch() + "/t.mbtiles"
        _ = try MBTilesArchive.write(path: path, metadata: [("name", "t"), ("format", "pbf")]) { add in
            try add(TileID(z: 0, x: 0, y: 0), [1, 2, 3])
        }
        let r = try TestSupport.run(Self.sqlite3, [path, """
            INSERT INTO metadata VALUES (NULL, 'x'), ('nothing', NULL), ('minzoom', 3), ('scale', 1.5), (X'FFFE', 'bad key'), ('blob', X'6869');
            INSERT INTO tiles VALUES (1, 0, 0, NULL), (1, 1, 0, 42);
            """])
        #expect(r.status == 0, "\(r.stderr)")
        let a = try MBTilesArchive.open(path: path)
        let m = try a.metadata()
        #expect(m["name"] == "t" && m["minzoom"] == "3" && m["scale"] == "1.5" && m["blob"] == "hi")
        #expect(m["nothing"] == nil)
        #expect(try a.tile(TileID(z: 0, x: 0, y: 0)) == [1, 2, 3])
        // A NULL tile is absent; a tile_data of the wrong type is an error, not a trap.
        #expect(try a.tile(TileID(z: 1, x: 0, y: 1)) == nil)
        _ = try? a.tile(TileID(z: 1, x: 1, y: 1))
        // A tile id that is not valid is simply absent (tmsY used to overflow).
        #expect(try a.tile(TileID(z: 3, x: 0, y: Int.min)) == nil)
    }
}
