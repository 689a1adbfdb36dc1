import ArgumentParser
import Foundation
import Geo

@main
struct CityTwinCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "citytwin",
        abstract: "CityTwin: a spatial data server for city operations centres.",
        subcommands: [ImportCommand.self, CheckCommand.self, ServeCommand.self, LocateCommand.self, SampleCommand.self, LoadCommand.self, TilesCommand.self, GeocodeCommand.self, ReverseCommand.self, BikesCommand.self, GBFSCommand.self])

    /// ArgumentParser's own `main`, but its error messages (which quote the arguments as
    /// given: `Unknown option '--w\u{1B}[2Jat'`) have their control characters escaped like
    /// every other message; line breaks of its usage text stay. Help goes to stdout as before.
    static func main() async {
        do {
            var command = try parseAsRoot()
            if var asyncCommand = command as? AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let code = exitCode(for: error)
            let message = fullMessage(for: error)
            if !message.isEmpty {
                if code == .success {
                    print(message)
                } else {
                    let lines = message.split(separator: "\n", omittingEmptySubsequences: false).map { InputText.controlsEscaped(String($0)) }
                    FileHandle.standardError.write(Data((lines.joined(separator: "\n") + "\n").utf8))
                }
            }
            Foundation.exit(code.rawValue)
        }
    }
}
