import Foundation
import Geo
import Importer
import Storage
import Testing
import TestSupport

/// `--preset pipe-survey`: a point table and a line table become pipe_node and pipe layers.
/// Coordinates are checked against pyproj (independent PROJ build) from the surveyed X/Y.
@Suite struct PipeSurveyTests {
    static let points = """
    物探点号,X,Y,地面高程(m),特征,附属物
    YS1,3394627.20,35408250.13,502.31,,雨水篦
    YS2,3394614.36,35408324.95,502.10,,检查井
    YS3,3394600.00,35408400.00,501.90,出水口,
    JS7,3394700.00,35408300.00,503.00,三通,阀门井

    """
    static let lines = """
    起点号,终点号,管径,材质,埋深
    YS1,YS2,DN300,钢筋混凝土,1.2
    YS2,YS3,600×400,砖混,1.1
    YS2,YS9,200,PE,1.0

    """

    @Test func tablesBecomeNodesAndPipesBetweenThem() throws {
        let fx = try ImportFixture()
        let outcome = try PipeSurvey.run(files: [fx.file("点.csv", Self.points), fx.file("线.csv", Self.lines)],
                                         options: { var o = ImportOptions(layer: "storm", role: .pipe); o.rejectsPath = fx.dir + "/r"; return o }(),
                                         store: fx.store)
        #expect(outcome.reading.contains("X is northing") && outcome.reading.contains("EPSG:4523"), "\(outcome.reading)")
        #expect(outcome.nodes.imported == 4 && outcome.pipes.imported == 2 && outcome.pipes.rejected == 1)
        #expect(outcome.pipes.firstRejectReasons.first?.contains(#"终点号 "YS9" is not in the point table"#) == true)
        let nodes = try fx.features("storm_nodes")
        #expect(nodes.map { $0.properties["kind"]?.stringValue } == ["manhole", "manhole", "outfall", "valve"])
        #expect(nodes.map { $0.properties["network"]?.stringValue } == ["drainage", "drainage", "drainage", "water"])
        #expect(nodes[0].properties["ground_elevation_m"] == .number(502.31) && nodes[0].properties["node_id"] == .string("YS1"))
        let pipes = try fx.features("storm")
        #expect(pipes.map { $0.properties["diameter_mm"] } == [.number(300), .number(600)])
        #expect(pipes.map { $0.properties["from_node"] } == [.string("YS1"), .string("YS2")])
        #expect(pipes[0].properties["network"] == .string("drainage") && pipes[0].properties["material"] == .string("钢筋混凝土"))
        // Independent: pyproj puts surveyed X (northing) / Y (zone 35 easting) of YS1 and YS2 where the pipe's ends are.
        let out = try TestSupport.python("""
        from pyproj import Transformer
        t = Transformer.from_crs("EPSG:4523", "EPSG:4326", always_xy=True)
        for e, n in [(35408250.13, 3394627.20), (35408324.95, 3394614.36)]:
            print(*t.transform(e, n))
        """)
        let expected = out.split(separator: "\n").map { $0.split(separator: " ").compactMap { Double($0) } }
        guard case .lineString(let line)? = pipes.first?.geometry, expected.count == 2 else { Issue.record("no line"); return }
        for (c, e) in zip(line, expected) { #expect(TestSupport.metres((c.x, c.y), (e[0], e[1])) < 0.01) }
        #expect(nodes[0].geometry == .point(line[0]))
    }

    @Test func gisOrderAndSpreadsheetsToo() throws {
        let fx = try ImportFixture()
        // Easting first without zone, as GIS exports write it: --srs is needed, and the reading says so.
        let csv = fx.file("p.csv", "Exp_No,X,Y\nWS1,408250.13,3394627.20\nWS2,408324.95,3394614.36\n")
        let lines = fx.file("l.csv", "起点号,终点号,管径,材质\nWS1,WS2,400,HDPE\n")
        var o = ImportOptions(layer: "sewer", role: .pipe)
        o.rejectsPath = fx.dir + "/r"
        #expect { try PipeSurvey.run(files: [csv, lines], options: o, store: fx.store) } throws: { e in
            (e as? ImportError)?.message.contains("give --srs") == true
        }
        o.srs = try CRS.importOption("EPSG:4544")
        // The point table as a spreadsheet, written by ogr2ogr: read through GDAL.
        let xlsx = fx.dir + "/p.xlsx"
        let r = try TestSupport.run("/usr/bin/ogr2ogr", ["-f", "XLSX", xlsx, csv])
        #expect(r.status == 0, "\(r.stderr)")
        let outcome = try PipeSurvey.run(files: [xlsx, lines], options: o, store: fx.store)
        #expect(outcome.reading.hasPrefix("X is easting") && outcome.nodes.imported == 2 && outcome.pipes.imported == 1, "\(outcome.reading)")
        #expect(outcome.nodes.readers.first?.contains("GDAL XLSX") == true)
        #expect(try fx.features("sewer")[0].properties["network"] == .string("sewage"))
    }

    /// Network names from the codes the issue lists (PS 排水, RQ 燃气 … in the node numbers) and
    /// from a 管线类型 column of Chinese names; a name holding two of them takes the first.
    @Test func networkCodesAndTypeColumnsMapToNetworkNames() throws {
        let fx = try ImportFixture()
        let points = fx.file("codes.csv", """
        物探点号,X,Y,附属物
        PS1,3394627.20,35408250.13,检查井
        PS2,3394614.36,35408324.95,检查井
        RQ1,3394600.00,35408400.00,阀门井
        RQ2,3394590.00,35408420.00,
        ZS1,3394700.00,35408300.00,
        ZS2,3394710.00,35408310.00,

        """)
        let lines = fx.file("codes-l.csv", "起点号,终点号,管径,材质\nPS1,PS2,DN400,钢筋混凝土\nRQ1,RQ2,DN160,PE\nZS1,ZS2,DN100,PE\n")
        var o = ImportOptions(layer: "mixed", role: .pipe)
        o.rejectsPath = fx.dir + "/r"
        let outcome = try PipeSurvey.run(files: [points, lines], options: o, store: fx.store)
        #expect(outcome.nodes.imported == 6 && outcome.pipes.imported == 3)
        let nodes = try fx.features("mixed_nodes"), pipes = try fx.features("mixed")
        #expect(nodes.map { $0.properties["network"]?.stringValue } == ["drainage", "drainage", "gas", "gas", "reclaimed_water", "reclaimed_water"])
        #expect(nodes.map { $0.properties["network_code"]?.stringValue } == ["PS", "PS", "RQ", "RQ", "ZS", "ZS"])
        #expect(nodes[2].properties["kind"] == .string("valve"))
        #expect(pipes.map { $0.properties["network"]?.stringValue } == ["drainage", "gas", "reclaimed_water"])

        // A type column of Chinese names wins over the node numbers' letters.
        let typed = fx.file("typed.csv", """
        物探点号,X,Y,管线类型
        A1,3394627.20,35408250.13,雨水污水合流
        A2,3394614.36,35408324.95,雨水污水合流
        B1,3394600.00,35408400.00,天然气管道
        B2,3394590.00,35408420.00,天然气管道
        C1,3394700.00,35408300.00,给水
        C2,3394710.00,35408310.00,给水

        """)
        let typedLines = fx.file("typed-l.csv", "起点号,终点号,管线类型,材质,管径\nA1,A2,雨水污水合流,砖混,DN800\nB1,B2,燃气,钢,DN200\nC1,C2,JS,球墨铸铁,DN300\n")
        var t = ImportOptions(layer: "typed", role: .pipe)
        t.rejectsPath = fx.dir + "/t"
        let typedOutcome = try PipeSurvey.run(files: [typed, typedLines], options: t, store: fx.store)
        #expect(typedOutcome.pipes.imported == 3)
        #expect(try fx.features("typed_nodes").map { $0.properties["network"]?.stringValue } == ["drainage", "drainage", "gas", "gas", "water", "water"])
        let typedPipes = try fx.features("typed")
        #expect(typedPipes.map { $0.properties["network"]?.stringValue } == ["drainage", "gas", "water"])
        #expect(typedPipes[2].properties["network_code"] == .string("JS"))
    }
}
