import Foundation
import Geo
import Hummingbird
import MapAssets
import NIOCore
import Synchronization
import VectorTiles

/// Font libraries by folder list, built once per process (scanning fonts takes
/// a second; routers are built per test).
enum FontLibraries {
    private static let built = Mutex<[String: FontLibrary]>([:])

    static func library(_ folders: [String]) -> FontLibrary {
        let key = folders.joined(separator: "\n")
        if let hit = built.withLock({ $0[key] }) { return hit }
        let made = FontLibrary(folders: folders)
        return built.withLock { b in
            if let hit = b[key] { return hit }
            b[key] = made
            return made
        }
    }
}

extension RouteEnvironment {
    var fonts: FontLibrary { FontLibraries.library(config.fontFolders) }

    /// `GET /fonts/{stack}/{start}-{end}.pbf`: SDF glyphs (glyphs.proto) for a
    /// comma-separated font stack; 400 unless the range is n×256…n×256+255,
    /// 404 when no font of the stack is known. Immutable for a font set, so
    /// cached a day by clients, with ETag/304 and gzip.
    func addFontRoutes(to router: Router<CityTwinRequestContext>) {
        router.get("/fonts/:stack/:range") { request, context -> Response in
            let rawStack = context.parameters.get("stack") ?? ""
            let stack = rawStack.removingPercentEncoding ?? rawStack
            let file = context.parameters.get("range") ?? ""
            guard file.hasSuffix(".pbf") else { throw Problem(.notFound, "no route GET \(request.uri.path)") }
            let bounds = file.dropLast(4).split(separator: "-", omittingEmptySubsequences: false)
            guard bounds.count == 2, let start = Int(bounds[0]), let end = Int(bounds[1]) else {
                throw Problem.badParameter("range", "\"\(file.prefix(40))\" is not {start}-{end}.pbf")
            }
            let answer = try fonts.range(stack: stack, start: start, end: end)
            return Self.staticAnswer(answer, contentType: "application/x-protobuf", request: request)
        }
        router.get("/fonts.json") { _, _ -> Response in
            Self.json(JSONWriter.string(.array(fonts.fonts.map { Self.fontEntry($0) })))
        }
    }

    static func fontEntry(_ f: FontLibrary.Font) -> JSONValue {
        .object(JSONObject([("name", .string(f.name)), ("family", .string(f.family)), ("style", .string(f.style)),
                            ("glyphs", .number(Double(f.glyphs))), ("start", .number(Double(f.first))), ("end", .number(Double(f.last)))]))
    }

    /// A body that changes only with the files it was made from: ETag and 304,
    /// gzip when accepted, cached a day.
    /// `gzip: false` for bodies that are compressed already (PNG).
    static func staticAnswer(_ a: CachedTile, contentType: String, request: Request, gzip compressible: Bool = true) -> Response {
        var headers = HTTPFields()
        headers[.eTag] = a.etag
        headers[.cacheControl] = "public, max-age=86400"
        headers[.accessControlAllowOrigin] = "*"
        headers[.vary] = "Accept-Encoding"
        if let inm = request.headers[.ifNoneMatch],
           inm.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == a.etag || $0 == "*" }) {
            return Response(status: .notModified, headers: headers)
        }
        headers[.contentType] = contentType
        let gzip = compressible && TileAnswer.acceptsGzip(request.headers[.acceptEncoding]) && !a.gzipped.isEmpty
        if gzip { headers[.contentEncoding] = "gzip" }
        let body = gzip ? a.gzippedBuffer : a.bodyBuffer
        headers[.contentLength] = String(body.readableBytes)
        return Response(status: .ok, headers: headers, body: .init(byteBuffer: body))
    }
}
