// geocoder-fuzz: the bounded fuzz run of the geocoder's text paths over a real
// gazetteer (the sample city's, by default). Every input goes through
// normalisation, parsing, forward geocoding, placement in the city,
// autocomplete and, for a point derived from it, reverse geocoding.
//
//   geocoder-fuzz --db citytwin.sqlite [--count 1000000] [--seed 1]
//
// A trap ends the process; the signal handler first prints the input that
// reached it (and writes it to geocoder-fuzz-crash.txt) so it can become a
// regression test. Prints: inputs run, distinct inputs, distinct parse
// outcomes, crashes, seconds.
import CityOps
import Foundation
import Geo
import Geocoder
import GeocoderFuzzing
import Storage
import TestSupport

#if canImport(Glibc)
import Glibc
#endif

/// The input being run, as raw UTF-8 in a fixed buffer the signal handler can write
/// without allocating.
nonisolated(unsafe) let current = UnsafeMutablePointer<UInt8>.allocate(capacity: 1 << 16)
nonisolated(unsafe) var currentLength = 0
nonisolated(unsafe) var crashFile: Int32 = -1

func record(_ s: String) {
    var n = 0
    for b in s.utf8 where n < (1 << 16) { current[n] = b; n += 1 }
    currentLength = n
}

func onTrap(_ sig: Int32) {
    let head = "\ngeocoder-fuzz: crash (signal) on input: <"
    _ = head.withCString { write(2, $0, strlen($0)) }
    _ = write(2, current, currentLength)
    _ = ">\n".withCString { write(2, $0, 2) }
    if crashFile >= 0 { _ = write(crashFile, current, currentLength) }
    _exit(70)
}

@main
struct GeocoderFuzz {
    static func main() throws {
        var db = "citytwin.sqlite", count = 1_000_000, seed: UInt64 = 1
        var args = CommandLine.arguments.dropFirst()
        while let a = args.popFirst() {
            switch a {
            case "--db": db = args.popFirst() ?? db
            case "--count": count = args.popFirst().flatMap { Int($0) } ?? count
            case "--seed": seed = args.popFirst().flatMap { UInt64($0) } ?? seed
            default: FileHandle.standardError.write(Data("geocoder-fuzz: unknown argument \(a)\n".utf8)); exit(2)
            }
        }
        guard FileManager.default.fileExists(atPath: db) else {
            FileHandle.standardError.write(Data("geocoder-fuzz: database \(db) does not exist\n".utf8)); exit(2)
        }

        let snapshot = try CitySnapshot.load(from: try SpatiaLiteStore(path: db))
        let service = GeocodingService()
        let geocoder = service.geocoder(for: snapshot)
        let inputs = AddressFuzzInputs(gazetteer: geocoder.gazetteer)
        var box = BoundingBox.empty
        for l in snapshot.layers.values { box.extend(l.info.bbox) }
        if box.isEmpty { box = BoundingBox(minX: 104, minY: 30, maxX: 105, maxY: 31) }

        crashFile = open("geocoder-fuzz-crash.txt", O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        for sig in [SIGILL, SIGTRAP, SIGSEGV, SIGBUS, SIGABRT, SIGFPE] { signal(sig, onTrap) }

        var rng = SplitMix64(state: seed)
        var distinctInputs = Set<Int>(), outcomes = Set<Int>()
        let start = Date()
        var run = 0

        func one(_ text: String) {
            record(text)
            distinctInputs.insert(text.hashValue)
            let focus: Coordinate? = run % 3 == 0 ? Coordinate(box.minX + (box.maxX - box.minX) * Double(run % 97) / 96, box.minY + (box.maxY - box.minY) * Double(run % 89) / 88) : nil
            outcomes.insert(exerciseGeocoder(geocoder, text, focus: focus))
            if run % 50 == 0 { _ = service.geocode(text, focus: focus, limit: 5, snapshot: snapshot) }
            if run % 200 == 0, let f = focus { _ = service.reverse(lon: f.x, lat: f.y, snapshot: snapshot) }
            run += 1
        }

        // Systematic part: every prefix and suffix of phrases with province/city prefixes.
        for (k, phrase) in inputs.phrases.enumerated() where k % 7 == 0 && run < count / 10 {
            for t in AddressFuzzInputs.truncations(of: "四川省成都市" + phrase + "8号附近") { one(t) }
        }
        while run < count {
            one(inputs.make(&rng))
            if run % 100_000 == 0 { FileHandle.standardError.write(Data("geocoder-fuzz: \(run) inputs\n".utf8)) }
        }
        close(crashFile)
        unlink("geocoder-fuzz-crash.txt")
        let seconds = Date().timeIntervalSince(start)
        print("geocoder-fuzz: inputs \(run), distinct inputs \(distinctInputs.count), distinct parse outcomes \(outcomes.count), crashes 0, \(String(format: "%.1f", seconds)) s (\(Int(Double(run) / max(seconds, 0.001))) inputs/s), seed \(seed), gazetteer: \(geocoder.gazetteer.admins.count) admin, \(geocoder.gazetteer.roads.count) roads, \(geocoder.gazetteer.pois.count) POIs, \(geocoder.gazetteer.addresses.count) addresses")
    }
}
