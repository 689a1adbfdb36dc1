import Foundation
import Geo
import TestSupport
import Testing
@testable import VectorTiles

/// The public mvt-fixtures suite (../shared/fixtures/mvt-fixtures): valid
/// tiles decode to their tile.json and re-encode to the same tile; invalid
/// ones fail as their info.json says (fatal: the tile is refused;
/// recoverable: the bad feature is reported and skipped, the rest decodes).
@Suite struct MVTFixtureTests {
    static let folder = TestSupport.projectRoot + "/../shared/fixtures/mvt-fixtures/fixtures"

    struct Fixture: Sendable, CustomStringConvertible {
        let id: String
        let bytes: [UInt8]
        let expected: JSONValue
        let valid: Bool
        let error: String?
        var description: String { id }
    }

    static let fixtures: [Fixture] = {
        let ids = ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).sorted()
        return ids.compactMap { id in
            let dir = "\(folder)/\(id)"
            guard let info = try? JSONParser.parse([UInt8](FileManager.default.contents(atPath: dir + "/info.json") ?? Data())),
                  let mvt = FileManager.default.contents(atPath: dir + "/tile.mvt") else { return nil }
            let expected = (try? JSONParser.parse([UInt8](FileManager.default.contents(atPath: dir + "/tile.json") ?? Data()))) ?? .null
            let validity = info["validity"]
            return Fixture(id: id, bytes: [UInt8](mvt), expected: expected,
                           valid: validity?["v2"] == .bool(true), error: validity?["error"]?.stringValue)
        }
    }()

    @Test func suiteIsPresent() {
        #expect(Self.fixtures.count >= 70, "mvt-fixtures not found at \(Self.folder)")
        #expect(Self.fixtures.filter(\.valid).count >= 40)
    }

    /// 057 declares a MoveTo count of 536,870,911 with one coordinate pair:
    /// the suite lists it as valid protobuf to test that decoders do not
    /// over-allocate. Its geometry cannot be interpreted; we report that
    /// (without allocating) instead of calling it valid.
    static let inconsistentGeometry: Set<String> = ["057"]

    /// 016 ("UNKNOWN type, valid") is byte-for-byte the same file as 003
    /// ("missing type, recoverable"): its encoder dropped the default-valued
    /// field. The spec says a feature MUST contain a type field, so we follow
    /// 003 and report the missing type as a recoverable issue.
    static let sameBytesAs003: Set<String> = ["016"]

    @Test func fixture016IsTheSameTileAs003() throws {
        let a = try #require(Self.fixtures.first { $0.id == "003" }), b = try #require(Self.fixtures.first { $0.id == "016" })
        #expect(a.bytes == b.bytes)
        #expect(a.error == "recoverable" && b.valid)
    }

    @Test(arguments: fixtures.filter(\.valid))
    func validFixtureDecodesToItsJSON(_ f: Fixture) throws {
        let tile = try MVTTile(decoding: f.bytes)
        try Self.expectEqual(tile, f.expected, f.id)
        let issues = tile.validationIssues()
        if Self.sameBytesAs003.contains(f.id) {
            #expect(issues.count == 1 && issues[0].isRecoverable, "\(f.id): \(issues)")
        } else if Self.inconsistentGeometry.contains(f.id) {
            #expect(issues.count == 1 && !issues[0].isRecoverable, "\(f.id): \(issues)")
        } else {
            #expect(issues.isEmpty, "\(f.id): \(issues.map(\.message))")
            for layer in tile.layers { _ = try layer.decodedFeatures() }
        }
        // Round trip through the raw encoder.
        let again = try MVTTile(decoding: tile.encoded())
        #expect(again == tile, "\(f.id) did not round-trip")
    }

    @Test(arguments: fixtures.filter { !$0.valid })
    func invalidFixtureFailsAsDeclared(_ f: Fixture) throws {
        let decoded: MVTTile
        do {
            decoded = try MVTTile(decoding: f.bytes)
        } catch {
            #expect(f.error != "recoverable", "\(f.id) is recoverable but decoding refused the whole tile: \(error)")
            return
        }
        let issues = decoded.validationIssues()
        #expect(!issues.isEmpty, "\(f.id) is invalid but no issue was found")
        switch f.error {
        case "fatal":
            #expect(issues.contains { !$0.isRecoverable }, "\(f.id) is fatal but issues are \(issues.map(\.message))")
        case "recoverable":
            let allRecoverable = issues.allSatisfy { $0.isRecoverable }
            #expect(allRecoverable, "\(f.id): \(issues.map(\.message))")
            // A reader skips the bad feature and goes on.
            for layer in decoded.layers where layer.name != nil && layer.version != nil {
                let r = try layer.decodedFeatures()
                #expect(r.features.count + r.skipped.count == layer.features.count)
            }
        default:
            break
        }
    }

    static func expectEqual(_ tile: MVTTile, _ json: JSONValue, _ id: String) throws {
        let layers = json["layers"]?.arrayValue ?? []
        #expect(tile.layers.count == layers.count, "\(id): layer count")
        for (l, jl) in zip(tile.layers, layers) {
            #expect(l.name == jl["name"]?.stringValue, "\(id): name")
            #expect(l.version.map { Double($0) } == jl["version"]?.doubleValue, "\(id): version")
            #expect(Double(l.extent) == (jl["extent"]?.doubleValue ?? 4096), "\(id): extent")
            #expect(l.keys == (jl["keys"]?.arrayValue ?? []).compactMap(\.stringValue), "\(id): keys")
            let jv = jl["values"]?.arrayValue ?? []
            #expect(l.values.count == jv.count, "\(id): values")
            for (v, j) in zip(l.values, jv) {
                switch v {
                case .string(let s): #expect(j["string_value"]?.textValue == s, "\(id)")  // 076 writes "613" as a JSON number
                case .float(let x): #expect(abs(Double(x) - (j["float_value"]?.doubleValue ?? .nan)) < 1e-5, "\(id)")
                case .double(let x): #expect(j["double_value"]?.doubleValue == x, "\(id)")
                case .int(let x): #expect(j["int_value"]?.doubleValue == Double(x), "\(id)")
                case .uint(let x): #expect(j["uint_value"]?.doubleValue == Double(x), "\(id)")
                case .sint(let x): #expect(j["sint_value"]?.doubleValue == Double(x), "\(id)")
                case .bool(let x): #expect(j["bool_value"] == .bool(x), "\(id)")
                }
            }
            let jf = jl["features"]?.arrayValue ?? []
            #expect(l.features.count == jf.count, "\(id): features")
            for (f, j) in zip(l.features, jf) {
                #expect(f.id.map { Double($0) } == j["id"]?.doubleValue, "\(id): feature id")
                #expect(f.tags.map { Double($0) } == (j["tags"]?.arrayValue ?? []).compactMap(\.doubleValue), "\(id): tags")
                // An absent type reads as the proto default, UNKNOWN (0).
                #expect(Double(f.type ?? 0) == (j["type"]?.doubleValue ?? 0), "\(id): type")
                #expect(f.geometry?.map { Double($0) } == j["geometry"]?.arrayValue?.compactMap(\.doubleValue), "\(id): geometry")
            }
        }
    }
}
