import ArgumentParser
import Foundation

@main
struct CityTwinCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "citytwin",
        abstract: "CityTwin: a spatial data server for city operations centres.",
        subcommands: [ImportCommand.self, CheckCommand.self, ServeCommand.self, LocateCommand.self, SampleCommand.self, LoadCommand.self, TilesCommand.self, GeocodeCommand.self, ReverseCommand.self, BenchCommand.self])
}

/// Prints one clear line and exits non-zero (DESIGN.md §4).
func fail(_ message: String) -> ExitCode {
    FileHandle.standardError.write(Data("citytwin: error: \(message)\n".utf8))
    return ExitCode(1)
}

func note(_ message: String) {
    FileHandle.standardError.write(Data("\(message)\n".utf8))
}
