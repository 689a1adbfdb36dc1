import Foundation

/// Reads a file in fixed-size chunks into one growable window, so a parser
/// can look at a whole value (one feature) while memory stays bounded by the
/// largest single value, not the file. Not thread-safe; one reader per file.
public final class ChunkedByteReader {
    public private(set) var window: [UInt8] = []
    /// Index into `window` of the next unread byte.
    public var pos = 0
    public private(set) var eof = false
    /// Bytes consumed from the file so far (for progress).
    public private(set) var bytesRead: Int64 = 0
    public let totalBytes: Int64?
    let handle: FileHandle
    let chunkSize: Int

    public init(path: String, chunkSize: Int = 1 << 20) throws(GeoError) {
        guard let h = FileHandle(forReadingAtPath: path) else {
            throw GeoError(.io, "cannot open \(path)")
        }
        handle = h
        self.chunkSize = chunkSize
        let attrs = try? FileManager.default.attributesOfItem(atPath: path)
        totalBytes = (attrs?[.size] as? NSNumber)?.int64Value
    }

    deinit { try? handle.close() }

    /// Appends the next chunk; drops consumed bytes first when that frees a
    /// meaningful amount. Returns false at end of file.
    @discardableResult
    public func fill() throws(GeoError) -> Bool {
        if eof { return false }
        if pos > chunkSize / 2 {
            // `pos` is public and may have been moved past the window (a
            // header offset read from the file): drop only what exists.
            let drop = min(pos, window.count)
            window.removeSubrange(0..<drop)
            pos -= drop
        }
        let data: Data?
        do { data = try handle.read(upToCount: chunkSize) } catch {
            throw GeoError(.io, "read failed: \(error)")
        }
        guard let data, !data.isEmpty else { eof = true; return false }
        window.append(contentsOf: data)
        bytesRead += Int64(data.count)
        return true
    }

    /// The byte at `pos + offset`, filling as needed; nil at end of file.
    @inline(__always)
    public func peek(_ offset: Int = 0) throws(GeoError) -> UInt8? {
        guard offset >= 0, pos >= 0 else { return nil }
        while pos + offset >= window.count {
            if try !fill() { return nil }
        }
        return window[pos + offset]
    }
}
