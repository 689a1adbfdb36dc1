import ArgumentParser
import CLISupport
import Foundation
import SampleCity

struct SampleCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sample", abstract: "Generate the deterministic sample city (or benchmark-scale data).")

    @Option(help: "Output folder") var out: String = "GeoData"
    @Option(help: "Scale factor for bikes, addresses and buildings (1 = the committed sample)") var scale: Int = 1
    @Option(help: "Random seed") var seed: UInt64 = SampleCityGenerator.defaultSeed

    func run() throws {
        guard (1...1000).contains(scale) else { throw fail("--scale must be 1-1000") }
        do {
            let manifest = try SampleCityWriter.write(SampleCityGenerator(seed: seed, scale: scale).generate(), to: out)
            for l in manifest.layers { print("\(l.layer): \(l.count ?? 0) features → \(out)/\(l.file)") }
        } catch {
            throw fail("\(error)")
        }
    }
}
