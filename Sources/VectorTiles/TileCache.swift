import Foundation
import Geo
import NIOCore
import Synchronization

/// A tile ready to serve: body, its gzip form, an ETag for each, and when it was built.
public struct CachedTile: Sendable {
    public let body: [UInt8]
    public let gzipped: [UInt8]
    /// Strong tag of the uncompressed body (a hash of it, quoted).
    public let etag: String
    /// Strong tag of the gzip form: a different representation needs a different strong
    /// tag (RFC 9110 §8.8.3), so the same hash with "-gzip" before the closing quote.
    public var gzipETag: String { String(etag.dropLast()) + "-gzip\"" }
    /// Seconds since 1970 when this entry was built (its Last-Modified). A tile rebuilt from
    /// new data within the same second shares it, so If-Modified-Since alone can miss that
    /// change; If-None-Match, which clients send with it and which wins, cannot.
    public let builtAt: Int64
    public let truncated: Bool
    /// Features per layer, as the `X-Tile-Feature-Count` header gives them
    /// (`roads=97, buildings=812`, in layer order); nil when unknown (archives).
    public let featureCounts: String?
    /// The same bytes as NIO buffers, so serving a cached tile copies nothing.
    public let bodyBuffer: ByteBuffer
    public let gzippedBuffer: ByteBuffer
    /// What a server derives from this tile once and reuses for every answer (its
    /// pre-built HTTP heads), shared by every copy of the entry.
    public let attachment = TileAttachment()

    public init(body: [UInt8], truncated: Bool = false, featureCounts: String? = nil) throws(VectorTilesError) {
        self.body = body
        self.featureCounts = featureCounts
        gzipped = body.isEmpty ? [] : try Gzip.compress(body)
        etag = "\"" + String(Self.fnv1a(body), radix: 16) + "\""
        builtAt = Int64(Date().timeIntervalSince1970)
        self.truncated = truncated
        bodyBuffer = ByteBuffer(bytes: body)
        gzippedBuffer = ByteBuffer(bytes: gzipped)
    }

    /// The body as stored in an archive that may already be gzipped.
    public init(archived bytes: [UInt8]) throws(VectorTilesError) {
        if Gzip.isGzip(bytes) {
            gzipped = bytes
            body = try Gzip.decompress(bytes)
        } else {
            body = bytes
            gzipped = bytes.isEmpty ? [] : try Gzip.compress(bytes)
        }
        etag = "\"" + String(Self.fnv1a(body), radix: 16) + "\""
        builtAt = Int64(Date().timeIntervalSince1970)
        truncated = false
        featureCounts = nil
        bodyBuffer = ByteBuffer(bytes: body)
        gzippedBuffer = ByteBuffer(bytes: gzipped)
    }

    /// What an entry costs in memory, as the cache's bound counts it: both forms twice (the
    /// arrays and the NIO buffers, whose storage is rounded up) and the entry itself (key,
    /// tag, table slot). Counting the bodies once let a 256 MiB cache take about twice that
    /// (the soak run's RSS went past 900 MB), with an empty tile counted at 64 bytes.
    /// The attachment (four pre-built HTTP heads of ~400 bytes) is counted as 2 KiB, whether made yet or not.
    public var byteCount: Int { body.count + gzipped.count + bodyBuffer.capacity + gzippedBuffer.capacity + 512 + 2048 }

    static func fnv1a(_ bytes: [UInt8]) -> UInt64 {
        var h: UInt64 = 0xcbf29ce484222325
        for b in bytes { h = (h ^ UInt64(b)) &* 0x100000001b3 }
        return h
    }
}

/// One object stored once beside a cached tile and read without a lock: the tile's
/// answers are served from two event loops at once, and a lock on every hit would be
/// shared by both. The first store wins; a racing second one is dropped.
public final class TileAttachment: Sendable {
    /// A retained `Unmanaged<AnyObject>` pointer, or 0 while nothing is stored.
    let pointer = Atomic<UInt>(0)

    public init() {}

    /// The stored object when it is a `T`.
    public func get<T: AnyObject & Sendable>(_ type: T.Type) -> T? {
        let bits = pointer.load(ordering: .acquiring)
        guard let raw = UnsafeRawPointer(bitPattern: bits) else { return nil }
        return Unmanaged<AnyObject>.fromOpaque(raw).takeUnretainedValue() as? T
    }

    /// The stored object, storing `make()` first when nothing is stored yet.
    public func get<T: AnyObject & Sendable>(orStore make: () -> T) -> T? {
        if let stored = get(T.self) { return stored }
        let made = make()
        let bits = UInt(bitPattern: Unmanaged<AnyObject>.passRetained(made).toOpaque())
        if pointer.compareExchange(expected: 0, desired: bits, ordering: .acquiringAndReleasing).exchanged { return made }
        Unmanaged<AnyObject>.fromOpaque(UnsafeRawPointer(bitPattern: bits)!).release()
        return get(T.self)
    }

    deinit {
        if let raw = UnsafeRawPointer(bitPattern: pointer.load(ordering: .acquiring)) {
            Unmanaged<AnyObject>.fromOpaque(raw).release()
        }
    }
}

/// In-memory tile cache bounded by bytes. Keys carry a stamp of the data a
/// tile was made from, so a tile built from old data is never served after
/// the data changes; such entries are unreachable and age out with the rest.
/// Eviction is first-in-first-out (cheap, and tiles of a session are
/// mostly requested once each by each client's viewport anyway).
public final class TileCache: Sendable {
    public struct Key: Hashable, Sendable {
        /// The stamp of the data the tile was made from (any value; equal means same data).
        public var version: Int
        public var source: String
        public var tile: TileID
        public init(version: Int, source: String, tile: TileID) { self.version = version; self.source = source; self.tile = tile }
    }

    struct State {
        var entries: [Key: CachedTile] = [:]
        var order: [Key] = []
        var head = 0
        var bytes = 0
        var hits = 0, misses = 0
    }

    public let capacityBytes: Int
    let state = Mutex(State())

    public init(capacityBytes: Int) { self.capacityBytes = capacityBytes }

    public func get(_ key: Key) -> CachedTile? {
        state.withLock { s in
            if let t = s.entries[key] { s.hits += 1; return t }
            s.misses += 1
            return nil
        }
    }

    public func put(_ key: Key, _ tile: CachedTile) {
        guard tile.byteCount <= capacityBytes else { return }
        state.withLock { s in
            if let old = s.entries.updateValue(tile, forKey: key) { s.bytes -= old.byteCount } else { s.order.append(key) }
            s.bytes += tile.byteCount
            while s.bytes > capacityBytes && s.head < s.order.count {
                let k = s.order[s.head]
                s.head += 1
                if let e = s.entries.removeValue(forKey: k) { s.bytes -= e.byteCount }
            }
            if s.head > 4096 && s.head * 2 > s.order.count { s.order.removeFirst(s.head); s.head = 0 }
        }
    }

    /// Empties the cache; returns how many tiles and bytes were dropped.
    @discardableResult
    public func purge() -> (tiles: Int, bytes: Int) {
        state.withLock { s in
            let r = (s.entries.count, s.bytes)
            s.entries = [:]; s.order = []; s.head = 0; s.bytes = 0
            return r
        }
    }

    public var stats: (tiles: Int, bytes: Int, hits: Int, misses: Int) {
        state.withLock { ($0.entries.count, $0.bytes, $0.hits, $0.misses) }
    }
}
