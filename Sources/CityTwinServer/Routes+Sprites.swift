import Foundation
import Geo
import Hummingbird
import MapAssets
import Synchronization

/// Sprite libraries by folder list, built once per process (routers are built per test).
enum SpriteLibraries {
    private static let built = Mutex<[String: SpriteLibrary]>([:])

    static func library(_ folders: [String]) -> SpriteLibrary {
        let key = folders.joined(separator: "\n")
        if let hit = built.withLock({ $0[key] }) { return hit }
        let made = SpriteLibrary(folders: folders)
        return built.withLock { b in
            if let hit = b[key] { return hit }
            b[key] = made
            return made
        }
    }
}

extension RouteEnvironment {
    var sprites: SpriteLibrary { SpriteLibraries.library(config.spriteFolders ?? [config.stylesFolder + "/icons"]) }

    /// `GET /sprites/{name}[@2x].{json,png}`: the sprite made from the SVG icons
    /// of a sprite folder, as MapLibre loads it (the style's `sprite` URL plus
    /// `.json`/`.png`, with `@2x` on high-density screens). 404 for an unknown
    /// name, ratio or extension. Immutable for a set of files: ETag/304, a day's
    /// `Cache-Control`, gzip for the JSON index.
    func addSpriteRoutes(to router: Router<CityTwinRequestContext>) {
        router.get("/sprites/:file") { request, context -> Response in
            let file = context.parameters.get("file") ?? ""
            let isPNG = file.hasSuffix(".png")
            guard isPNG || file.hasSuffix(".json") else {
                throw Problem(.notFound, "no route GET \(request.uri.path); sprites are {name}[@2x].json and {name}[@2x].png")
            }
            var name = String(file.dropLast(isPNG ? 4 : 5))
            var ratio = 1
            if let at = name.lastIndex(of: "@"), name[at...].hasSuffix("x"), let r = Int(name[name.index(after: at)..<name.index(before: name.endIndex)]) {
                ratio = r
                name = String(name[..<at])
            }
            let sheet = try sprites.rendered(name, ratio: ratio)
            return isPNG ? Self.staticAnswer(sheet.png, contentType: "image/png", request: request, gzip: false)
                         : Self.staticAnswer(sheet.index, contentType: "application/json", request: request)
        }
        router.get("/sprites.json") { _, _ -> Response in
            Self.json(JSONWriter.string(.array(sprites.sprites.map { Self.spriteEntry($0, base: nil) })))
        }
    }

    /// A sprite as /sprites.json and /catalog list it; `base` adds its URL (the style's `sprite` value).
    static func spriteEntry(_ s: SpriteLibrary.Sprite, base: String?) -> JSONValue {
        var o = JSONObject([("name", .string(s.name)), ("icons", .array(s.icons.map { .string($0) }))])
        if let base { o["url"] = .string("\(base)/sprites/\(s.name)") }
        if !s.problems.isEmpty { o["problems"] = .array(s.problems.map { .string($0) }) }
        return .object(o)
    }
}
