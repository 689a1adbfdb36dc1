import Foundation
import Testing
import TestSupport

/// Issue 15 item 1, "control characters from input are escaped in every message", for the
/// command line: option values and file names holding terminal escapes come back escaped
/// (`\u{1B}`) on one line, whether the import fails on them or succeeds and names its reader.
@Suite struct ControlCharacterCLITests {
    let bin = TestSupport.citytwin
    static let esc = "\u{1B}[2J"

    /// Every line of stderr is free of control characters (the newline ending each line aside).
    static func clean(_ stderr: String) -> Bool {
        stderr.split(separator: "\n", omittingEmptySubsequences: false).allSatisfy { line in
            !line.unicodeScalars.contains { $0.value < 0x20 || (0x7F...0x9F).contains($0.value) }
        }
    }

    @Test func optionValuesAndFileNamesAreEscapedInErrors() throws {
        let dir = TestSupport.scratch("cli-controls")
        let csv = dir + "/a.csv"
        TestSupport.write("lon,lat,name\n104.1,30.6,井\n", to: csv)
        let e = Self.esc
        let db = dir + "/t.sqlite"
        let base = ["import", csv, "--layer", "a", "--db", db]
        let cases: [([String], String)] = [
            (["import", csv, "--layer", "a", "--role", "bi\(e)ke", "--db", db], #"unknown role "bi\u{1B}[2Jke""#),
            (base + ["--role", "generic", "--encoding", "gb\(e)k"], #"unknown --encoding "gb\u{1B}[2Jk""#),
            (base + ["--role", "generic", "--reader", "o\(e)wn"], #"--reader must be auto, own or gdal, not "o\u{1B}[2Jwn""#),
            (base + ["--preset", "pipe\(e)survey"], #"unknown --preset "pipe\u{1B}[2Jsurvey""#),
            (base + ["--role", "generic", "--mode", "re\(e)place"], #"--mode must be replace or append, not "re\u{1B}[2Jplace""#),
            (base + ["--role", "generic", "--field-map", "a\(e)"], #"--field-map expects SRC=DST, got "a\u{1B}[2J""#),
            (base + ["--role", "generic", "--srs", "EPSG:\(e)"], #"--srs EPSG:\u{1B}[2J"#),
            (["import", dir + "/no\(e).csv", "--layer", "a", "--role", "generic", "--db", db], #"no\u{1B}[2J.csv: no such file"#),
            (base + ["--role", "generic", "--lon-field", "x\(e)"], #"--lon-field x\u{1B}[2J: no such column"#),
        ]
        for (args, text) in cases {
            let r = try TestSupport.run(bin, args)
            #expect(r.status != 0, "\(args)")
            #expect(Self.clean(r.stderr), "raw control character: \(r.stderr.debugDescription)")
            let lines = r.stderr.split(separator: "\n")
            #expect(lines.count == 1 && lines.first?.hasPrefix("citytwin: error: ") == true && r.stderr.contains(text),
                    "\(text) not in \(r.stderr.debugDescription)")
        }
    }

    @Test func aFileNameWithControlCharactersIsEscapedInTheReaderLine() throws {
        let dir = TestSupport.scratch("cli-controls-name")
        let name = "c\(Self.esc)\n.csv"
        TestSupport.write("lon,lat,name\n104.1,30.6,井\n", to: dir + "/" + name)
        let r = try TestSupport.run(bin, ["import", dir + "/" + name, "--layer", "c", "--role", "generic", "--db", dir + "/t.sqlite"])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.hasPrefix("c: read 1, imported 1"))
        #expect(Self.clean(r.stderr), "raw control character: \(r.stderr.debugDescription)")
        #expect(r.stderr.contains(#"c\u{1B}[2J\u{A}.csv: own CSV reader"#), "\(r.stderr.debugDescription)")
    }
}

/// ArgumentParser's own refusals (an unknown option, a missing value) quote the argument too.
@Suite struct ArgumentParserMessageTests {
    let bin = TestSupport.citytwin

    @Test func unknownOptionsAreEscapedAndHelpStillWorks() throws {
        let dir = TestSupport.scratch("cli-argparser")
        let r = try TestSupport.run(bin, ["import", dir + "/a.csv", "--layer", "a", "--w\(ControlCharacterCLITests.esc)at"])
        #expect(r.status == 64, "usage errors exit 64 as before: \(r.status)")
        #expect(ControlCharacterCLITests.clean(r.stderr), "raw control character: \(r.stderr.debugDescription)")
        #expect(r.stderr.contains(#"Unknown option '--w\u{1B}[2Jat'"#), "\(r.stderr.debugDescription)")
        #expect(r.stderr.contains("Usage: citytwin import"))
        let help = try TestSupport.run(bin, ["import", "--help"])
        #expect(help.status == 0 && help.stdout.contains("--source-layer") && help.stderr.isEmpty)
        let bad = try TestSupport.run(bin, ["nosuch\u{7}command"])
        #expect(bad.status != 0 && ControlCharacterCLITests.clean(bad.stderr) && bad.stderr.contains("\\u{7}"), "\(bad.stderr.debugDescription)")
    }
}
