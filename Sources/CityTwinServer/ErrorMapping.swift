import CityOps
import Geo
import Hummingbird
import MapAssets
import Storage
import VectorTiles

/// The one place where module errors become HTTP answers. Routes throw the
/// error they got (or a `Problem` for HTTP-only faults such as a bad query
/// parameter) and never re-map by hand; `ProblemMiddleware` calls
/// `Problem(answering:)` for everything that reaches it.
///
/// Rule: what the client can fix is a 4xx naming the problem; what it cannot
/// (storage, compression, a broken archive) is a 5xx whose detail is generic:
/// no SQL, file path or stack trace ever reaches a client. 5xx are logged.
extension Problem {
    init(answering error: any Error, path: String) {
        switch error {
        case let p as Problem: self = p
        case let e as CityOpsError: self.init(e)
        case let e as StorageError: self.init(e)
        case let e as VectorTilesError: self.init(e)
        case let e as GeoError: self.init(e)
        case let e as MapAssetsError: self.init(e)
        case let e as HTTPError:
            self.init(e.status, e.body ?? (e.status == .notFound ? "no route \(path)" : e.status.reasonPhrase))
        default: self.init(.internalServerError, "internal error")
        }
    }

    init(_ e: CityOpsError) {
        let status: HTTPResponse.Status = switch e.code {
        case .unknownLayer, .unknownFeature: .notFound
        case .invalidParameter: .badRequest
        case .unusable: .unprocessableContent
        case .tooLarge: .contentTooLarge
        case .conflict: .conflict
        case .storage: .internalServerError
        }
        self.init(status, status == .internalServerError ? "internal error" : e.message)
    }

    /// A busy database is worth a retry (503); anything else is our fault (500).
    init(_ e: StorageError) {
        if e.code == .sqlite, let c = e.sqliteCode, c & 0xFF == 5 || c & 0xFF == 6 {
            self.init(.serviceUnavailable, "the database is busy; retry shortly")
        } else {
            self.init(.internalServerError, "internal error")
        }
    }

    init(_ e: VectorTilesError) {
        self.init(.internalServerError, e.code == .compression ? "the tile could not be compressed" : "internal error")
    }

    /// Geo errors reach routes only from request bodies (JSON, GeoJSON, WKT).
    init(_ e: GeoError) {
        self.init(.badRequest, "request body is not valid: \(e.description)", title: "Malformed body")
    }

    /// Fonts and sprites: unknown names are 404, a bad glyph range 400, a font
    /// or icon that fails to render ours (500).
    init(_ e: MapAssetsError) {
        switch e.code {
        case .unknownFont, .unknownSprite: self.init(.notFound, e.message)
        case .badRange: self.init(.badRequest, e.message)
        case .unreadable: self.init(.internalServerError, "internal error")
        }
    }
}
