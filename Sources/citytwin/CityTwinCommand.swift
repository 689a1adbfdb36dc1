import ArgumentParser

@main
struct CityTwinCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "citytwin",
        abstract: "CityTwin: a spatial data server for city operations centres.",
        subcommands: [ImportCommand.self, CheckCommand.self, ServeCommand.self, LocateCommand.self, SampleCommand.self, LoadCommand.self, TilesCommand.self, GeocodeCommand.self, ReverseCommand.self, BikesCommand.self, GBFSCommand.self])
}
