// file-fuzz: the decoders of untrusted bytes under libFuzzer (see FileFuzzTarget).
//
// Built with `-DLIBFUZZER` and `--sanitize fuzzer --sanitize address` (make
// fuzz-files), this is a libFuzzer binary: CITYTWIN_FUZZ_TARGET names the
// target, the arguments are libFuzzer's. A plain build is a corpus tool:
//
//   file-fuzz replay <target> <file or folder>...   run inputs through a target
//   file-fuzz seed <corpus root>                     write the seed corpora
import FileFuzzing
import Foundation

#if LIBFUZZER

nonisolated(unsafe) var harness: FileFuzzHarness?

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOne(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    if harness == nil {
        let name = ProcessInfo.processInfo.environment["CITYTWIN_FUZZ_TARGET"] ?? ""
        guard let target = FileFuzzTarget(rawValue: name) else {
            let names = FileFuzzTarget.allCases.map(\.rawValue).joined(separator: ", ")
            FileHandle.standardError.write(Data("file-fuzz: set CITYTWIN_FUZZ_TARGET to one of \(names)\n".utf8))
            exit(2)
        }
        let dir = NSTemporaryDirectory() + "/citytwin-fuzz-\(target.rawValue)-\(getpid())"
        harness = FileFuzzHarness(target, scratch: dir)
    }
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    harness!.run(bytes)
    return 0
}

#else

@main
struct FileFuzz {
    static func main() throws {
        let args = Array(CommandLine.arguments.dropFirst())
        switch args.first {
        case "replay" where args.count >= 3:
            guard let target = FileFuzzTarget(rawValue: args[1]) else { fail("unknown target \(args[1])") }
            let h = FileFuzzHarness(target, scratch: NSTemporaryDirectory() + "/citytwin-replay-\(getpid())")
            var n = 0
            for path in args.dropFirst(2) {
                for file in inputs(path) {
                    h.run([UInt8](FileManager.default.contents(atPath: file) ?? Data()))
                    n += 1
                }
            }
            print("file-fuzz: \(target.rawValue): \(n) inputs replayed, no crash")
        case "seed" where args.count == 2:
            try FileFuzzSeeds.write(root: args[1])
        default:
            fail("usage: file-fuzz replay <target> <file or folder>... | file-fuzz seed <corpus root>")
        }
    }

    static func inputs(_ path: String) -> [String] {
        var isDir: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDir) else { return [] }
        guard isDir.boolValue else { return [path] }
        return ((try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []).sorted().map { path + "/" + $0 }
    }

    static func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("file-fuzz: \(message)\n".utf8))
        exit(2)
    }
}

#endif
