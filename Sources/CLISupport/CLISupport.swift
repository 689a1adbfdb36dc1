import ArgumentParser
import CityOps
import Foundation
import Geo
import Storage
import VectorTiles

// What the `citytwin` and `citytwin-bench` commands share: one way to fail,
// to note progress, to open a snapshot and to load the tile settings.

/// Prints one clear line and exits non-zero (DESIGN.md §4). Control characters left in the
/// message (from arguments, file names or library text) are escaped: one line, no terminal codes.
public func fail(_ message: String) -> ExitCode {
    FileHandle.standardError.write(Data("citytwin: error: \(InputText.controlsEscaped(message))\n".utf8))
    return ExitCode(1)
}

/// One line on stderr, control characters escaped as in `fail`.
public func note(_ message: String) {
    FileHandle.standardError.write(Data("\(InputText.controlsEscaped(message))\n".utf8))
}

/// The snapshot of a SpatiaLite file or of a `postgres://` store (password from `PGPASSWORD`).
public func openSnapshot(_ db: String) throws -> CitySnapshot {
    let location = StoreLocation(db)
    if case .spatiaLite = location, !FileManager.default.fileExists(atPath: db) { throw fail("database \(db) does not exist") }
    do {
        let store = try openFeatureStore(location)
        defer { (store as? PostGISStore)?.close() }
        return try CitySnapshot.load(from: store)
    } catch let e as StorageError {
        throw fail(e.message)
    }
}

/// Tile settings from `<folder>/layers.yaml` (warnings for unknown keys) and the archives beside it.
public func loadTileService(folder: String, floodWarningRatio: Double, scanArchives: Bool = true) throws -> TileService {
    var settings = TileSettings()
    let path = "\(folder)/layers.yaml"
    if let text = try? String(contentsOfFile: path, encoding: .utf8) {
        do {
            let (parsed, warnings) = try TileSettings.parse(yaml: text, source: path)
            for w in warnings { note("citytwin: warning: \(w)") }
            settings = parsed
        } catch let e as VectorTilesError { throw fail(e.message) }
    }
    var archives: [String: TileArchive] = [:]
    if scanArchives {
        let scan = TileArchive.scan(folder: folder)
        for w in scan.warnings { note("citytwin: warning: \(w)") }
        archives = scan.archives
        if !archives.isEmpty { note("tile archives: " + archives.keys.sorted().joined(separator: ", ")) }
    }
    return TileService(settings: settings, archives: archives, floodWarningRatio: floodWarningRatio)
}
