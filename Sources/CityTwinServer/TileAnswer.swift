import CityOps
import Foundation
import HTTPTypes
import NIOCore
import VectorTiles

/// The HTTP answer for a tile, written once for the tile route and for the
/// event-loop fast path (`CachedTileHandler`), so both give the same headers:
/// 204 without body for an empty tile, ETag per content coding, Last-Modified,
/// 304 on a conditional GET (RFC 9110), gzip when accepted, the truncation flag, the features per layer.
enum TileAnswer {
    static let truncatedHeader = HTTPField.Name("X-Tile-Truncated")!
    static let featureCountHeader = HTTPField.Name("X-Tile-Feature-Count")!

    /// Headers every tile answer carries, built once.
    static let baseHeaders: HTTPFields = {
        var h = HTTPFields()
        h[.contentType] = "application/vnd.mapbox-vector-tile"
        h[.accessControlAllowOrigin] = "*"
        h[.vary] = "Accept-Encoding"
        h[.cacheControl] = "public, max-age=60"
        return h
    }()

    /// Status, headers (with Content-Length when there is a body) and body. The ETag names
    /// the chosen content coding; a conditional GET matching either coding's tag (weakly)
    /// or not modified since `If-Modified-Since` gets 304 (`ConditionalRequest`).
    static func make(_ tile: CachedTile?, ifNoneMatch: String?, ifModifiedSince: String? = nil,
                     acceptEncoding: String?) -> (status: HTTPResponse.Status, headers: HTTPFields, body: ByteBuffer?) {
        var headers = baseHeaders
        guard let tile else {
            headers[.contentType] = nil
            return (.noContent, headers, nil)
        }
        let gzip = acceptsGzip(acceptEncoding)
        headers[.eTag] = gzip ? tile.gzipETag : tile.etag
        headers[.lastModified] = ConditionalRequest.httpDate(tile.builtAt)
        if notModified(tile, ifNoneMatch: ifNoneMatch, ifModifiedSince: ifModifiedSince) {
            headers[.contentType] = nil
            return (.notModified, headers, nil)
        }
        if tile.truncated { headers[truncatedHeader] = "true" }
        if let counts = tile.featureCounts { headers[featureCountHeader] = counts }
        let body = gzip ? tile.gzippedBuffer : tile.bodyBuffer
        if gzip { headers[.contentEncoding] = "gzip" }
        headers[.contentLength] = String(body.readableBytes)
        return (.ok, headers, body)
    }

    /// Whether a conditional GET of this tile gets 304: a tag of either content coding
    /// matches (weakly), or, without If-None-Match, it was not modified since.
    static func notModified(_ tile: CachedTile, ifNoneMatch: String?, ifModifiedSince: String?) -> Bool {
        guard ifNoneMatch != nil || ifModifiedSince != nil else { return false }
        return ConditionalRequest.notModified(ifNoneMatch: ifNoneMatch, ifModifiedSince: ifModifiedSince,
                                              etags: [tile.etag, tile.gzipETag], lastModified: tile.builtAt)
    }

    /// Whether an Accept-Encoding value accepts gzip (`q=0` refuses it).
    static func acceptsGzip(_ header: String?) -> Bool {
        guard let ae = header else { return false }
        for part in ae.split(separator: ",") {
            let p = part.split(separator: ";")
            guard p.first?.trimmingCharacters(in: .whitespaces).lowercased() == "gzip" else { continue }
            if p.count > 1, p[1].trimmingCharacters(in: .whitespaces).replacingOccurrences(of: " ", with: "") == "q=0" { return false }
            return true
        }
        return false
    }
}
