import ArgumentParser
import CLISupport
import Foundation
import Geo
import SampleCity

struct SampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample", abstract: "Generate the deterministic sample city (or benchmark-scale data).")

    @Option(help: "Output folder") var out: String = "GeoData"
    @Option(help: "Scale factor for bikes, addresses and buildings (1 = the committed sample)") var scale: Int = 1
    @Option(help: "Number of adjacent districts (1 = the committed sample; each district like the sample, codes unique across the city)")
    var districts: Int = 1
    @Option(help: "Random seed") var seed: UInt64 = SampleCityGenerator.defaultSeed
    @Option(help: "A county or district of the national table, written as people do (<county>, <city><county>, <province><city><county>, short forms); default: the fictional 锦华区")
    var city: String?
    @Option(help: "Centre of the generated layout for --city, lon,lat (WGS84)") var centre: String?

    func run() throws {
        guard (1...1000).contains(scale) else { throw fail("--scale must be 1-1000") }
        let most = SampleCityGenerator.maxDistricts
        guard (1...most).contains(districts) else { throw fail("--districts must be 1-\(most)") }
        var profile = SampleCityProfile.standard
        if let city {
            var at = profile.centre
            if let centre {
                let v = centre.split(separator: ",").map { Double($0.trimmingCharacters(in: .whitespaces)) }
                guard v.count == 2, let lon = v[0], let lat = v[1], (-180...180).contains(lon), (-85...85).contains(lat) else {
                    throw fail("--centre must be lon,lat in degrees")
                }
                at = Coordinate(lon, lat)
            }
            do { profile = try SampleCityProfile.named(city, centre: at) } catch { throw fail("--city: \(error)") }
        } else if centre != nil {
            throw fail("--centre goes with --city")
        }
        do {
            let manifest = try SampleCityWriter.write(SampleCityGenerator(seed: seed, scale: scale, profile: profile, districts: districts).generate(), to: out)
            for l in manifest.layers { print("\(l.layer): \(l.count ?? 0) features → \(out)/\(l.file)") }
        } catch {
            throw fail("\(error)")
        }
    }
}
