import Foundation
import Synchronization

/// Sprites for MapLibre (`/sprites/{name}[@2x].{json,png}`), one per folder of
/// SVG icons, named after the folder (`Styles/icons` → `icons`); an icon is
/// named after its file (`flood-warning.svg` → `flood-warning`).
///
/// Folders are read and laid out once, at start; each pixel ratio is rendered
/// on first request and kept (a sheet of a hundred icons is tens of KB). Icons
/// changed on disk are picked up by the next process.
public final class SpriteLibrary: Sendable {
    /// A sprite as the catalog lists it.
    public struct Sprite: Sendable {
        public let name: String
        public let folder: String
        /// Icon names, sorted.
        public let icons: [String]
        /// Files left out, each with the reason (unreadable SVG, too large).
        public let problems: [String]
    }

    /// Pixel ratios served: MapLibre asks for @2x on high-density screens and for 1x otherwise.
    public static let ratios = [1, 2]

    public let sprites: [Sprite]
    private let sheets: [String: SpriteSheet]
    private let rendered = Mutex<[String: SpriteSheet.Rendered]>([:])

    /// Reads every folder of `folders` that exists (missing ones are skipped):
    /// its `.svg` files, not those of subfolders. A name seen before (an
    /// earlier folder with the same last component) wins.
    public init(folders: [String]) {
        var sprites: [Sprite] = [], sheets: [String: SpriteSheet] = [:]
        for folder in folders {
            let name = (folder as NSString).lastPathComponent
            guard sheets[name] == nil, let files = try? FileManager.default.contentsOfDirectory(atPath: folder) else { continue }
            var icons: [(name: String, svg: [UInt8])] = []
            var problems: [String] = []
            for file in files.sorted() where file.lowercased().hasSuffix(".svg") {
                guard let data = FileManager.default.contents(atPath: folder + "/" + file) else {
                    problems.append("icon \(file) could not be read")
                    continue
                }
                icons.append((String(file.dropLast(4)), [UInt8](data)))
            }
            let sheet = SpriteSheet(icons: icons, problems: &problems)
            sheets[name] = sheet
            sprites.append(Sprite(name: name, folder: folder, icons: sheet.placements.map(\.name), problems: problems))
        }
        self.sprites = sprites
        self.sheets = sheets
    }

    /// The laid-out sheet of sprite `name` (tests, catalog), nil when unknown.
    public func sheet(_ name: String) -> SpriteSheet? { sheets[name] }

    /// Sprite `name` at pixel ratio `ratio` (1 or 2). Throws `.unknownSprite`
    /// for a name no folder has or another ratio, `.unreadable` when rendering fails.
    public func rendered(_ name: String, ratio: Int) throws(MapAssetsError) -> SpriteSheet.Rendered {
        guard let sheet = sheets[name] else {
            let known = sprites.map { "\"\($0.name)\"" }.joined(separator: ", ")
            throw MapAssetsError(.unknownSprite, "no sprite named \"\(name.prefix(64))\"; known: \(known.isEmpty ? "none" : known)")
        }
        guard Self.ratios.contains(ratio) else {
            throw MapAssetsError(.unknownSprite, "sprite \(name) comes at @1x and @2x only, not @\(ratio)x")
        }
        let key = "\(name)@\(ratio)"
        // Rendered under the lock: the first requests of a page come together, and one rendering is enough.
        return try rendered.withLock { (cache) throws(MapAssetsError) -> SpriteSheet.Rendered in
            if let hit = cache[key] { return hit }
            let made = try sheet.render(ratio: ratio)
            cache[key] = made
            return made
        }
    }
}
