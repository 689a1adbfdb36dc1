import Foundation
import Geo
import Testing
import TestSupport
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The `citytwin` binary as a user runs it.
@Suite(.serialized) struct CLITests {
    let bin = TestSupport.citytwin

    func bikesFile(_ dir: String, _ n: Int, name: String = "bikes.geojson") throws -> String {
        let path = dir + "/" + name
        FileManager.default.createFile(atPath: path, contents: nil)
        let h = try #require(FileHandle(forWritingAtPath: path))
        h.write(Data(#"{"type":"FeatureCollection","features":["#.utf8))
        var chunk = ""
        for i in 0..<n {
            chunk += #"{"type":"Feature","properties":{"bike_id":"B\#(i)","operator":"美团"},"geometry":{"type":"Point","coordinates":[\#(104 + Double(i % 1000) * 0.0001),\#(30.6 + Double(i / 1000) * 0.0001)]}}"#
            chunk += i + 1 < n ? ",\n" : "\n"
            if chunk.utf8.count > 1 << 20 { h.write(Data(chunk.utf8)); chunk = "" }
        }
        h.write(Data((chunk + "]}\n").utf8))
        try h.close()
        return path
    }

    @Test func badInputExitsNonZeroWithOneClearLine() throws {
        let dir = TestSupport.scratch()
        let f = try bikesFile(dir, 3)
        let cases: [([String], String)] = [
            (["import", f, "--layer", "bikes", "--role", "bicycle", "--db", dir + "/t.sqlite"], "unknown role \"bicycle\""),
            (["import", f, "--layer", "bikes", "--role", "bike", "--srs", "EPSG:999999", "--db", dir + "/t.sqlite"], "--srs EPSG:999999"),
            (["import", f, "--layer", "bikes", "--role", "bike", "--encoding", "latin9", "--db", dir + "/t.sqlite"], "unknown --encoding"),
            (["import", dir + "/missing.geojson", "--layer", "bikes", "--role", "bike", "--db", dir + "/t.sqlite"], "no such file"),
            (["import", f, "--layer", "Bikes!", "--role", "bike", "--db", dir + "/t.sqlite"], "invalid layer name"),
            (["import", f, "--layer", "b", "--role", "bike", "--mode", "merge", "--db", dir + "/t.sqlite"], "--mode must be replace or append"),
        ]
        for (args, text) in cases {
            let r = try TestSupport.run(bin, args)
            #expect(r.status != 0, "\(args)")
            let lines = r.stderr.split(separator: "\n")
            #expect(lines.count == 1 && lines[0].hasPrefix("citytwin: error:") && lines[0].contains(text), "\(args): \(r.stderr)")
        }
    }

    @Test func importPrintsTheSummaryLine() throws {
        let dir = TestSupport.scratch()
        let f = try bikesFile(dir, 10)
        let r = try TestSupport.run(bin, ["import", f, "--layer", "bikes", "--role", "bike", "--db", dir + "/t.sqlite"], cwd: dir)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("bikes: read 10, imported 10, repaired 0, rejected 0 in "))
    }

    /// On a terminal (a pty from util-linux `script`), the import shows a progress bar.
    @Test func progressBarOnATerminal() throws {
        let dir = TestSupport.scratch()
        let f = try bikesFile(dir, 150_000)
        let cmd = "\(bin) import \(f) --layer bikes --role bike --db \(dir)/t.sqlite"
        let r = try TestSupport.run("/usr/bin/script", ["-qec", cmd, "/dev/null"], cwd: dir)
        #expect(r.status == 0, "\(r.stdout)")
        #expect(r.stdout.contains(" features ") && r.stdout.contains("/s") && r.stdout.contains("ETA") && r.stdout.contains("%]") == false)
        #expect(r.stdout.contains("bikes: read 150000, imported 150000"))
        // Not a terminal: only the summary line.
        let plain = try TestSupport.run(bin, ["import", f, "--layer", "bikes2", "--role", "bike", "--db", dir + "/t.sqlite"], cwd: dir)
        #expect(!plain.stderr.contains("ETA"))
    }

    /// kill -9 in the middle of a large import: the database is exactly as
    /// before (old layer intact, no new one half-written) and passes `check`.
    @Test func killDashNineMidImportLeavesTheDatabaseAsItWas() throws {
        let dir = TestSupport.scratch()
        let db = dir + "/t.sqlite"
        let small = try bikesFile(dir, 5, name: "small.geojson")
        #expect(try TestSupport.run(bin, ["import", small, "--layer", "bikes", "--role", "bike", "--db", db]).status == 0)
        let before = try TestSupport.run(bin, ["check", "--db", db]).stdout
        let big = try bikesFile(dir, 600_000, name: "big.geojson")
        for (layer, mode) in [("bikes", "replace"), ("bikes", "append"), ("other", "replace")] {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: bin)
            p.arguments = ["import", big, "--layer", layer, "--role", "bike", "--mode", mode, "--db", db]
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            // Wait until rows are being written (the WAL grows), then kill without warning.
            let deadline = Date().addingTimeInterval(60)
            var walSize = 0
            while Date() < deadline && p.isRunning {
                walSize = (try? FileManager.default.attributesOfItem(atPath: db + "-wal")[.size] as? Int) ?? 0
                if walSize > 4_000_000 { break }
                usleep(20_000)
            }
            #expect(p.isRunning, "import finished before it could be killed (WAL \(walSize) bytes)")
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            #expect(p.terminationReason == .uncaughtSignal)
            let after = try TestSupport.run(bin, ["check", "--db", db])
            #expect(after.status == 0, "\(after.stdout) \(after.stderr)")
            #expect(after.stdout == before, "\(mode) \(layer): \(after.stdout)")
        }
    }

    @Test func checkPassesOnTheSampleCity() throws {
        let dir = TestSupport.scratch()
        let db = dir + "/sample.sqlite"
        let load = try TestSupport.run(bin, ["load", "--db", db, TestSupport.projectRoot + "/GeoData"], cwd: dir)
        #expect(load.status == 0, "\(load.stderr)")
        #expect(load.stdout.split(separator: "\n").count == 14)
        #expect(!load.stdout.contains("rejected 1"))
        let check = try TestSupport.run(bin, ["check", "--db", db])
        #expect(check.status == 0)
        #expect(check.stdout.contains("integrity_check: ok"))
        #expect(check.stdout.contains("check ok: 14 layers"))
        #expect(!check.stdout.contains("MISMATCH") && !check.stdout.contains("INVALID"))
    }

    @Test func locatePrintsTheOwningAreas() throws {
        let dir = TestSupport.scratch()
        let db = dir + "/s.sqlite"
        #expect(try TestSupport.run(bin, ["load", "--db", db, TestSupport.projectRoot + "/GeoData"], cwd: dir).status == 0)
        let r = try TestSupport.run(bin, ["locate", "104.10", "30.67", "--db", db])
        #expect(r.status == 0, "\(r.stderr)")
        let v = try JSONParser.parse(r.stdout.trimmingCharacters(in: .whitespacesAndNewlines))
        #expect(v["grid"]?["parent_code"] == v["community"]?["code"] && v["district"]?["name"] == .string("锦华区"))
        let outside = try TestSupport.run(bin, ["locate", "10", "10", "--db", db])
        #expect(outside.status == 3 && outside.stdout.contains("\"grid\":null"))
        let bad = try TestSupport.run(bin, ["locate", "500", "10", "--db", db])
        #expect(bad.status == 1 && bad.stderr.hasPrefix("citytwin: error:"))
    }

    @Test func serveConfigReportsUnknownKeys() throws {
        let dir = TestSupport.scratch()
        TestSupport.write("port: 70000\n", to: dir + "/bad.yaml")
        let r = try TestSupport.run(bin, ["serve", "--config", dir + "/bad.yaml", "--db", dir + "/x.sqlite"])
        #expect(r.status == 1 && r.stderr.contains("port must be 1-65535"))
    }

    /// What `make serve` does: an empty database is built from GeoData/ and
    /// /v1/layers lists every manifest layer with its count.
    @Test func serveBuildsTheSampleAndAnswersLayers() async throws {
        let dir = TestSupport.scratch()
        let port = Int.random(in: 20_000...40_000)
        let p = Process()
        p.executableURL = URL(fileURLWithPath: bin)
        TestSupport.write("limits:\n  max_k: 10\nwibble: 1\n", to: dir + "/c.yaml")
        p.arguments = ["serve", "--config", dir + "/c.yaml", "--db", dir + "/s.sqlite", "--port", String(port), "--geodata", TestSupport.projectRoot + "/GeoData"]
        let errPipe = Pipe()
        p.currentDirectoryURL = URL(fileURLWithPath: dir)
        p.standardOutput = FileHandle.nullDevice
        p.standardError = errPipe
        try p.run()
        defer { p.terminate(); p.waitUntilExit() }
        var body: Data?
        let url = URL(string: "http://127.0.0.1:\(port)/v1/layers")!
        for _ in 0..<600 where body == nil {
            if let (d, r) = try? await URLSession.shared.data(from: url), (r as? HTTPURLResponse)?.statusCode == 200 { body = d }
            else { try await Task.sleep(nanoseconds: 200_000_000) }
        }
        let layers = try #require(try body.map { try JSONParser.parse([UInt8]($0)) }?.arrayValue)
        let manifest = try JSONParser.parse([UInt8](try Data(contentsOf: URL(fileURLWithPath: TestSupport.projectRoot + "/GeoData/manifest.json"))))
        let expected = try #require(manifest["layers"]?.arrayValue)
        #expect(layers.count == expected.count + 1)  // and the events layer
        #expect(layers.contains { $0["name"]?.stringValue == "events" && $0["role"]?.stringValue == "event" })
        for e in expected {
            let name = e["layer"]?.stringValue
            let l = layers.first { $0["name"]?.stringValue == name }
            #expect(l?["count"] == e["count"], "\(name ?? "?")")
            #expect(l?["role"] == e["role"])
        }
        let (h, _) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/health")!)
        #expect(try JSONParser.parse([UInt8](h))["layers"] == .number(Double(expected.count + 1)))
        // The config applied (k over max_k is refused) and its unknown key was reported.
        let (_, kr) = try await URLSession.shared.data(from: URL(string: "http://127.0.0.1:\(port)/v1/nearest?layer=bikes&lon=104.1&lat=30.67&k=11")!)
        #expect((kr as? HTTPURLResponse)?.statusCode == 400)
        p.terminate()
        let stderr = String(decoding: errPipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(stderr.contains("warning") && stderr.contains("unknown config key wibble"))
    }
}
