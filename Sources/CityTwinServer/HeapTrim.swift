#if canImport(Glibc)
import Glibc
#endif
import Foundation

/// Gives freed heap pages back to the operating system (glibc's `malloc_trim`).
///
/// A reload builds a whole new snapshot and geocoder beside the old ones; when the
/// old ones are released glibc keeps their pages in its arenas, so the resident size
/// stays at the reload's peak and ratchets up with each reload (a 10-minute soak with
/// one reload: +19% RSS, of which `malloc_trim` gave back nearly all). Looked up at
/// run time so that other C libraries (musl, macOS) simply skip it.
enum HeapTrim {
    private typealias Trim = @convention(c) (Int) -> Int32

    private static let trim: Trim? = {
        #if canImport(Glibc)
        guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "malloc_trim") else { return nil }
        return unsafeBitCast(symbol, to: Trim.self)
        #else
        return nil
        #endif
    }()

    /// Resident set size in bytes (Linux `/proc/self/statm`), nil elsewhere.
    static func residentBytes() -> Int? {
        guard let text = try? String(contentsOfFile: "/proc/self/statm", encoding: .utf8) else { return nil }
        let fields = text.split(separator: " ")
        guard fields.count > 1, let pages = Int(fields[1]) else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// Trims every arena; returns the resident bytes released (nil when unavailable)
    /// and the time it took. Holds each arena's lock briefly: call after a reload,
    /// not per request.
    @discardableResult
    static func releaseFreedPages() -> (released: Int?, seconds: Double) {
        guard let trim else { return (nil, 0) }
        let before = residentBytes()
        let start = DispatchTime.now().uptimeNanoseconds
        _ = trim(0)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        guard let before, let after = residentBytes() else { return (nil, seconds) }
        return (max(0, before - after), seconds)
    }
}
