import Foundation
import Geo
import MapAssets
import Testing
import TestSupport

/// Sprites drawn with librsvg from `Styles/icons`, decoded independently
/// (Pillow for the PNG, Python's json for the index) and each icon's rectangle
/// compared with rsvg-convert's own rendering of its file.
@Suite struct SpriteLibraryTests {
    static let iconsFolder = TestSupport.projectRoot + "/Styles/icons"

    static func check(folder: String, _ library: SpriteLibrary, name: String) throws -> JSONValue {
        let dir = TestSupport.scratch("sprite-\(name)")
        var files: [String] = []
        for ratio in [1, 2] {
            let sheet = try library.rendered(name, ratio: ratio)
            TestSupport.write(bytes: sheet.index.body, to: "\(dir)/\(ratio).json")
            TestSupport.write(bytes: sheet.png.body, to: "\(dir)/\(ratio).png")
            files += ["\(dir)/\(ratio).json", "\(dir)/\(ratio).png"]
        }
        let r = try TestSupport.run(TestSupport.python, [TestSupport.projectRoot + "/Tests/Checkers/sprite_check.py", folder] + files)
        guard r.status == 0 else { throw TestSupport.CheckerMissing(message: "sprite_check.py failed: \(r.stderr.suffix(2000))") }
        return try JSONParser.parse(r.stdout)
    }

    @Test func projectIconsMakeASpriteEveryDecoderAgreesWith() throws {
        let library = SpriteLibrary(folders: [Self.iconsFolder])
        let sprite = try #require(library.sprites.first)
        #expect(sprite.name == "icons" && sprite.problems.isEmpty, "\(sprite.problems)")
        // The families the styles draw with are all there.
        for prefix in ["event-", "status-", "flood-", "poi-", "valve-", "handler-"] {
            #expect(sprite.icons.contains { $0.hasPrefix(prefix) }, "no \(prefix) icon")
        }
        let v = try Self.check(folder: Self.iconsFolder, library, name: "icons")
        #expect(v["icons"]?.doubleValue == Double(sprite.icons.count) && sprite.icons.count >= 40)
        for ratio in ["1", "2"] {
            let r = v["ratios"]?[ratio]
            #expect(r?["format"] == .string("PNG"))
            for key in ["missing", "extra", "outside", "empty", "wrong_ratio", "overlaps", "unlike_rsvg"] {
                #expect(r?[key] == .array([]), "@\(ratio)x \(key): \(r?[key] ?? .null)")
            }
        }
        #expect(v["not_doubled"] == .array([]) && v["sheet_doubled"] == .bool(true), "\(v)")
    }

    @Test func unreadableAndOversizedIconsAreLeftOutByName() throws {
        let dir = TestSupport.scratch()
        let folder = dir + "/marks"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        TestSupport.write(#"<svg xmlns="http://www.w3.org/2000/svg" width="10" height="7"><rect width="10" height="7" fill="red"/></svg>"#,
                          to: folder + "/bar.svg")
        // No width/height: the viewBox is fitted into the default 24 px square.
        TestSupport.write(#"<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 4 4"><circle cx="2" cy="2" r="2"/></svg>"#,
                          to: folder + "/dot.svg")
        TestSupport.write("not svg at all", to: folder + "/broken.svg")
        TestSupport.write(#"<svg xmlns="http://www.w3.org/2000/svg" width="900" height="900"/>"#, to: folder + "/poster.svg")
        TestSupport.write("ignored", to: folder + "/notes.txt")
        let library = SpriteLibrary(folders: [folder, dir + "/missing"])
        let sprite = try #require(library.sprites.first)
        #expect(library.sprites.count == 1 && sprite.name == "marks" && sprite.icons == ["bar", "dot"])
        #expect(sprite.problems.count == 2 && sprite.problems.contains { $0.contains("broken.svg") }
                && sprite.problems.contains { $0.contains("poster.svg") && $0.contains("256") }, "\(sprite.problems)")
        let sheet = try #require(library.sheet("marks"))
        let sizes = Dictionary(uniqueKeysWithValues: sheet.placements.map { ($0.name, [$0.width, $0.height]) })
        #expect(sizes == ["bar": [10, 7], "dot": [24, 24]])
        // The checker sees only the readable icons, so the folder it reads is a copy without the bad files.
        let clean = dir + "/clean/marks"
        try FileManager.default.createDirectory(atPath: clean, withIntermediateDirectories: true)
        for f in ["bar.svg", "dot.svg"] { try FileManager.default.copyItem(atPath: folder + "/" + f, toPath: clean + "/" + f) }
        let v = try Self.check(folder: clean, library, name: "marks")
        for ratio in ["1", "2"] {
            let r = v["ratios"]?[ratio]
            for key in ["missing", "extra", "outside", "empty", "overlaps", "unlike_rsvg"] {
                #expect(r?[key] == .array([]), "@\(ratio)x \(key): \(r?[key] ?? .null)")
            }
        }
        #expect(throws: MapAssetsError.self) { try library.rendered("marks", ratio: 3) }
        #expect(throws: MapAssetsError.self) { try library.rendered("nope", ratio: 1) }
    }
}
