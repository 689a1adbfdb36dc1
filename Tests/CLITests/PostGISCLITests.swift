import Foundation
import Testing
import TestSupport

/// `citytwin import --store postgres://…` and `citytwin check --store …` against the
/// test cluster: the same outcome as the SpatiaLite path, and atomic under kill -9.
@Suite(.serialized) struct PostGISCLITests {
    let bin = TestSupport.citytwin

    /// The sample city's files (GeoJSON in GCJ-02, CSV, a GBK Shapefile in a
    /// Gauss-Kruger CRS with mapped field names) imported through both stores:
    /// `check` prints the same catalog (same features kept, same rejects).
    @Test func importIntoPostGISMatchesSpatiaLite() throws {
        let cluster = try PostgresTestCluster.shared()
        let url = try cluster.newDatabase()
        let dir = TestSupport.scratch()
        let geo = TestSupport.projectRoot + "/GeoData/"
        let imports: [[String]] = [
            [geo + "pois_amap_gcj02.geojson", "--layer", "pois", "--role", "poi", "--srs", "gcj02"],
            [geo + "addresses.csv", "--layer", "addresses", "--role", "address"],
            [geo + "pipes_cgcs2000_gk105.shp", "--layer", "pipes", "--role", "pipe", "--field-map",
             "埋设年份=install_year,材质=material,管径=diameter_mm,管线编号=pipe_id,管网类型=network,终点编号=to_node,起点编号=from_node,长度=length_m"],
            [geo + "grids.geojson", "--layer", "grids", "--role", "grid"],
        ]
        for args in imports {
            let lite = try TestSupport.run(bin, ["import"] + args + ["--db", dir + "/c.sqlite", "--rejects", dir + "/lite.rejects"], cwd: dir)
            let pg = try TestSupport.run(bin, ["import"] + args + ["--store", url, "--password-file", cluster.passwordFile,
                                                                  "--rejects", dir + "/pg.rejects"], cwd: dir)
            #expect(lite.status == 0, "\(lite.stderr)")
            #expect(pg.status == 0, "\(pg.stderr)")
            #expect(!pg.stderr.contains(cluster.password))
            let liteRejects = (try? String(contentsOfFile: dir + "/lite.rejects", encoding: .utf8)) ?? ""
            let pgRejects = (try? String(contentsOfFile: dir + "/pg.rejects", encoding: .utf8)) ?? ""
            #expect(liteRejects == pgRejects, "\(args[0])")
        }
        let liteCheck = try TestSupport.run(bin, ["check", "--db", dir + "/c.sqlite"])
        let pgCheck = try TestSupport.run(bin, ["check", "--store", url, "--password-file", cluster.passwordFile])
        #expect(pgCheck.status == 0, "\(pgCheck.stderr)")
        #expect(pgCheck.stdout == liteCheck.stdout)
        #expect(pgCheck.stdout.contains("check ok: 4 layers"))
        // A wrong password is one clear line, without the password.
        let wrong = dir + "/wrong"
        TestSupport.write("nope-not-it\n", to: wrong)
        let denied = try TestSupport.run(bin, ["check", "--store", url, "--password-file", wrong])
        #expect(denied.status == 1)
        #expect(denied.stderr.contains("authentication failed") && !denied.stderr.contains("nope-not-it"))
    }

    /// kill -9 of `citytwin import --store` while COPY streams rows: the database is as
    /// before (old layer intact, no new one) and `check --store` says the same.
    @Test func killDashNineMidImportLeavesPostGISAsItWas() throws {
        let cluster = try PostgresTestCluster.shared()
        let url = try cluster.newDatabase()
        let database = String(url.split(separator: "/").last!)
        let dir = TestSupport.scratch()
        let small = try CLITests().bikesFile(dir, 5, name: "small.geojson")
        let auth = ["--store", url, "--password-file", cluster.passwordFile]
        #expect(try TestSupport.run(bin, ["import", small, "--layer", "bikes", "--role", "bike"] + auth).status == 0)
        let before = try TestSupport.run(bin, ["check"] + auth).stdout
        let version = try cluster.psql(database, "SELECT value FROM meta WHERE key = 'data_version'")
        let big = try CLITests().bikesFile(dir, 400_000, name: "big.geojson")
        for (layer, mode) in [("bikes", "replace"), ("bikes", "append"), ("other", "replace")] {
            let p = Process()
            p.executableURL = URL(fileURLWithPath: bin)
            p.arguments = ["import", big, "--layer", layer, "--role", "bike", "--mode", mode] + auth
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            // Wait until COPY has sent many rows, then kill without warning.
            let deadline = Date().addingTimeInterval(60)
            var copied = 0
            while Date() < deadline && p.isRunning {
                let text = try cluster.psql(database, "SELECT coalesce(max(tuples_processed), 0) FROM pg_stat_progress_copy")
                copied = Int(text.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0
                if copied > 50_000 { break }
                usleep(20_000)
            }
            #expect(p.isRunning, "import finished before it could be killed (\(copied) rows copied)")
            kill(p.processIdentifier, SIGKILL)
            p.waitUntilExit()
            let after = try TestSupport.run(bin, ["check"] + auth)
            #expect(after.status == 0, "\(after.stdout) \(after.stderr)")
            #expect(after.stdout == before, "\(mode) \(layer): \(after.stdout)")
            #expect(try cluster.psql(database, "SELECT value FROM meta WHERE key = 'data_version'") == version)
        }
        // Nothing left behind but the layer: no half-built table.
        let tables = try cluster.psql(database, """
            SELECT string_agg(relname, ',' ORDER BY relname) FROM pg_class
            WHERE (relname LIKE 'ct\\_new\\_%' OR relname LIKE 'layer\\_%') AND relkind = 'r'
            """)
        #expect(tables.trimmingCharacters(in: .whitespacesAndNewlines) == "layer_bikes")
    }
}
