import CityOps
import Foundation
import Geo
import HTTPTypes
import Metrics
import NIOCore
import NIOHTTPTypes
import VectorTiles

/// Serves tiles already in the cache straight from the NIO event loop,
/// before the request reaches the router (no hop to a Swift task, no
/// middleware). Answers are the same as the route's: the same headers,
/// ETag and 304, gzip when accepted. Anything else — a miss, another
/// route, a request while an earlier one on this connection is still being
/// answered (pipelining order) — passes through untouched.
/// One instance per connection; used only on its channel's event loop.
final class CachedTileHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    let tiles: TileService
    let state: CityState
    /// Requests passed on whose responses have not ended yet.
    var outstanding = 0
    /// Body parts and end of a request answered here are dropped.
    var swallowing = false

    static let served = Counter(label: "citytwin_tiles_served_from_cache_fast_path")

    init(tiles: TileService, state: CityState) { self.tiles = tiles; self.state = state }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        switch part {
        case .head(let request):
            if outstanding == 0, let response = answer(request, allocator: context.channel.allocator) {
                swallowing = true
                context.write(wrapOutboundOut(.head(response.0)), promise: nil)
                if let body = response.1 { context.write(wrapOutboundOut(.body(body)), promise: nil) }
                context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
                Self.served.increment()
                return
            }
            swallowing = false
            outstanding += 1
            context.fireChannelRead(data)
        case .body, .end:
            if swallowing {
                if case .end = part { swallowing = false }
                return
            }
            context.fireChannelRead(data)
        }
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { outstanding = max(0, outstanding - 1) }
        context.write(data, promise: promise)
    }

    /// The cached answer for GET /tiles/{layers}/{z}/{x}/{y}.mvt, or nil to pass the request on.
    func answer(_ request: HTTPRequest, allocator: ByteBufferAllocator) -> (HTTPResponse, ByteBuffer?)? {
        guard request.method == .get, let path = request.path, path.hasPrefix("/tiles/"), path.hasSuffix(".mvt"), !path.contains("?") else { return nil }
        let parts = path.split(separator: "/", omittingEmptySubsequences: false)
        // "", "tiles", layers, z, x, "y.mvt"
        guard parts.count == 6, let z = Int(parts[3]), let x = Int(parts[4]), let y = Int(parts[5].dropLast(4)),
              String(z) == parts[3], String(x) == parts[4], String(y) == parts[5].dropLast(4) else { return nil }
        let id = TileID(z: z, x: x, y: y)
        guard id.isValid, let layers = String(parts[2]).removingPercentEncoding,
              let hit = tiles.cached(layers, id, snapshot: state.snapshot) else { return nil }
        let a = TileAnswer.make(hit, ifNoneMatch: request.headerFields[.ifNoneMatch], ifModifiedSince: request.headerFields[.ifModifiedSince],
                                acceptEncoding: request.headerFields[.acceptEncoding])
        return (HTTPResponse(status: a.status, headerFields: a.headers), a.body)
    }
}
