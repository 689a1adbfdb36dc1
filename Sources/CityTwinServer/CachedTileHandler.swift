import CityOps
import Foundation
import Geo
import HTTPTypes
import Metrics
import NIOCore
import NIOHTTPTypes
import VectorTiles

/// The per-connection half of the cached-tile fast path that sits after the HTTP codec:
/// it counts requests handed to the router whose responses have not ended, and it puts
/// its partner, `TileFastPath`, in front of the HTTP decoder when it is added. Every
/// request that reaches this handler goes on to the router.
/// One instance per connection; used only on its channel's event loop.
final class CachedTileHandler: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    let tiles: TileService
    let state: CityState
    /// The `Server` header the application adds to the router's answers
    /// (`CityTwinServer.application`); the fast path adds the same.
    let serverName: String?
    /// Requests passed on whose responses have not ended yet.
    var outstanding = 0

    static let served = Counter(label: "citytwin_tiles_served_from_cache_fast_path")

    init(tiles: TileService, state: CityState, serverName: String? = "CityTwin") {
        self.tiles = tiles
        self.state = state
        self.serverName = serverName
    }

    func handlerAdded(context: ChannelHandlerContext) {
        // Hummingbird adds this handler after the codec; the fast path reads raw bytes, so it goes first.
        try? context.pipeline.syncOperations.addHandler(TileFastPath(partner: self), position: .first)
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) { outstanding += 1 }
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .end = unwrapOutboundIn(data) { outstanding = max(0, outstanding - 1) }
        context.write(data, promise: promise)
    }
}

/// Serves tiles already in the cache from the raw bytes of a connection, before the
/// HTTP decoder: no request head or header fields are built, no hop to a Swift task,
/// no middleware. The answer is written as three retained buffers and no copy: the
/// tile's pre-built head (`TileWireForms`), a `Date`/`Server` tail made once a second,
/// and the cached body. Answers are the route's, byte for byte but the Date.
///
/// Order: a request is answered here only when nothing earlier on the connection is
/// still with the router (`CachedTileHandler.outstanding`); otherwise it is handed to
/// the decoder whole, behind the others. Requests are only ever handed on whole (see
/// `TileRequestScan`), so the decoder always starts at a request boundary; a stream
/// that cannot be framed here goes to the decoder from then on.
/// One instance per connection; used only on its channel's event loop.
final class TileFastPath: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundOut = ByteBuffer

    let partner: CachedTileHandler
    /// Set when the stream could not be framed here: everything goes to the decoder.
    var passthrough = false
    /// The start of a request head that has not fully arrived.
    var pending: ByteBuffer?
    /// Accept-Encoding as last sent on this connection and whether it takes gzip
    /// (clients send the same value on every request).
    var lastAcceptEncoding: [UInt8]?
    var lastGzip = false
    /// The layer list as last requested, and its String (clients ask for one list).
    var lastLayerBytes: [UInt8] = []
    var lastLayers = ""
    /// What `lastLayers`' cache keys are made of, for the snapshot generation it names.
    var plan: TileStampPlan?
    /// `Date: …\r\nServer: …\r\n\r\n` for the second `tailSecond`.
    var tail = ByteBuffer()
    var tailSecond = -1

    init(partner: CachedTileHandler) { self.partner = partner }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if passthrough {
            context.fireChannelRead(data)
            return
        }
        var input = unwrapInboundIn(data)
        if var held = pending {
            pending = nil
            held.writeBuffer(&input)
            input = held
        }
        var wrote = false
        reading: while input.readableBytes > 0 {
            switch input.withUnsafeReadableBytes({ TileRequestScan.scan($0) }) {
            case .incomplete:
                pending = input
                break reading
            case .unsupported:
                passthrough = true
                context.fireChannelRead(wrapInboundOut(input))
                break reading
            case .other(let length):
                context.fireChannelRead(wrapInboundOut(input.readSlice(length: length)!))
            case .tile(let request):
                if answer(request, input, context: context) {
                    input.moveReaderIndex(forwardBy: request.length)
                    wrote = true
                } else {
                    context.fireChannelRead(wrapInboundOut(input.readSlice(length: request.length)!))
                }
            }
        }
        if wrote { context.flush() }
    }

    /// Writes the cached answer and returns true, or returns false to hand the request on.
    func answer(_ request: TileRequestScan.TileGet, _ input: ByteBuffer, context: ChannelHandlerContext) -> Bool {
        // Behind a request still with the router, or a client not reading its answers: the router's turn.
        guard partner.outstanding == 0, context.channel.isWritable else { return false }
        let headers = input.withUnsafeReadableBytes { raw in readHeaders(request, raw) }
        let snapshot = partner.state.snapshot
        if plan?.generation != snapshot.generation { plan = partner.tiles.stampPlan(lastLayers, snapshot: snapshot) }
        guard let plan, let hit = partner.tiles.cached(lastLayers, plan: plan, request.id) else { return false }
        guard let tile = hit else {
            context.write(wrapOutboundOut(TileWireForms.noContent), promise: nil)
            context.write(wrapOutboundOut(dateTail()), promise: nil)
            CachedTileHandler.served.increment()
            return true
        }
        guard let forms = tile.attachment.get(orStore: { TileWireForms(tile) }) else { return false }
        if headers.conditional,
           TileAnswer.notModified(tile, ifNoneMatch: headers.ifNoneMatch, ifModifiedSince: headers.ifModifiedSince) {
            context.write(wrapOutboundOut(headers.gzip ? forms.notModifiedGzip : forms.notModified), promise: nil)
            context.write(wrapOutboundOut(dateTail()), promise: nil)
        } else {
            context.write(wrapOutboundOut(headers.gzip ? forms.okGzip : forms.ok), promise: nil)
            context.write(wrapOutboundOut(dateTail()), promise: nil)
            context.write(wrapOutboundOut(headers.gzip ? tile.gzippedBuffer : tile.bodyBuffer), promise: nil)
        }
        CachedTileHandler.served.increment()
        return true
    }

    /// What the answer depends on in the request, read from its bytes. Sets `lastLayers`.
    /// Strings are made only for conditional requests and for values not seen before.
    func readHeaders(_ request: TileRequestScan.TileGet, _ raw: UnsafeRawBufferPointer)
        -> (gzip: Bool, conditional: Bool, ifNoneMatch: String?, ifModifiedSince: String?) {
        if !Self.equal(raw, request.layers, lastLayerBytes) {
            lastLayerBytes = Array(raw[request.layers])
            lastLayers = String(decoding: lastLayerBytes, as: UTF8.self)
            plan = nil
        }
        let gzip: Bool
        if let range = request.acceptEncoding {
            if let last = lastAcceptEncoding, Self.equal(raw, range, last) {
                gzip = lastGzip
            } else {
                let bytes = Array(raw[range])
                gzip = TileAnswer.acceptsGzip(String(decoding: bytes, as: UTF8.self))
                lastAcceptEncoding = bytes
                lastGzip = gzip
            }
        } else {
            gzip = TileAnswer.acceptsGzip(nil)
        }
        func text(_ r: Range<Int>?) -> String? { r.map { String(decoding: raw[$0], as: UTF8.self) } }
        let conditional = request.ifNoneMatch != nil || request.ifModifiedSince != nil
        return (gzip, conditional, text(request.ifNoneMatch), text(request.ifModifiedSince))
    }

    /// The Date and Server fields and the end of the head, remade when the second changes.
    func dateTail() -> ByteBuffer {
        let now = time(nil)
        if now != tailSecond {
            tailSecond = now
            var t = "Date: " + ConditionalRequest.httpDate(Int64(now)) + "\r\n"
            if let name = partner.serverName { t += "Server: " + name + "\r\n" }
            tail = ByteBuffer(string: t + "\r\n")
        }
        return tail
    }

    static func equal(_ raw: UnsafeRawBufferPointer, _ range: Range<Int>, _ bytes: [UInt8]) -> Bool {
        guard range.count == bytes.count else { return false }
        guard !bytes.isEmpty else { return true }
        return bytes.withUnsafeBytes { memcmp($0.baseAddress!, raw.baseAddress! + range.lowerBound, range.count) == 0 }
    }
}

/// A cached tile's answer heads (status line and fields up to, not including, Date),
/// serialised once from `TileAnswer.make` as the HTTP/1 encoder writes them, so the
/// fast path's answers are the route's. Kept in the tile's `attachment`.
final class TileWireForms: Sendable {
    let ok: ByteBuffer
    let okGzip: ByteBuffer
    let notModified: ByteBuffer
    let notModifiedGzip: ByteBuffer

    init(_ tile: CachedTile) {
        ok = Self.head(TileAnswer.make(tile, ifNoneMatch: nil, acceptEncoding: nil))
        okGzip = Self.head(TileAnswer.make(tile, ifNoneMatch: nil, acceptEncoding: "gzip"))
        // "*" matches any current representation: the 304 forms.
        notModified = Self.head(TileAnswer.make(tile, ifNoneMatch: "*", acceptEncoding: nil))
        notModifiedGzip = Self.head(TileAnswer.make(tile, ifNoneMatch: "*", acceptEncoding: "gzip"))
    }

    /// The 204 of an empty tile.
    static let noContent = head(TileAnswer.make(nil, ifNoneMatch: nil, acceptEncoding: nil))

    static func head(_ answer: (status: HTTPResponse.Status, headers: HTTPFields, body: ByteBuffer?)) -> ByteBuffer {
        var b = ByteBuffer()
        b.writeString("HTTP/1.1 \(answer.status.code) \(answer.status.reasonPhrase)\r\n")
        for field in answer.headers {
            b.writeString(field.name.rawName)
            b.writeString(": ")
            b.writeString(field.value)
            b.writeString("\r\n")
        }
        return b
    }
}
