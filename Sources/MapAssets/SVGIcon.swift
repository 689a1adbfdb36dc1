import CRSVG

/// One SVG file parsed by librsvg, with its intrinsic size in CSS pixels
/// (the 1x sprite size, rounded up to whole pixels).
///
/// Owns its `RsvgHandle`, released in `deinit` and nowhere else. Not
/// `Sendable`: a handle is used by one thread at a time (`SpriteLibrary`
/// builds a sheet under its lock).
final class SVGIcon {
    private let handle: UnsafeMutablePointer<RsvgHandle>
    let name: String
    let width: Int
    let height: Int

    /// Icons without width/height attributes get this size (their viewBox is fitted into it).
    static let defaultSize = 24.0
    /// Bigger icons are refused: a sprite sheet is for pictograms, not pictures.
    static let maximumSize = 256.0

    /// Parses `data` (the bytes of `name`.svg). Throws `.unreadable` naming the
    /// file when librsvg cannot parse it or its size is out of 1…256 px.
    init(name: String, data: [UInt8]) throws(MapAssetsError) {
        var error: UnsafeMutablePointer<GError>?
        let made = data.withUnsafeBufferPointer { rsvg_handle_new_from_data($0.baseAddress, gsize($0.count), &error) }
        guard let made else {
            let reason = error.map { String(cString: $0.pointee.message) } ?? "unknown error"
            if let error { g_error_free(error) }
            throw MapAssetsError(.unreadable, "icon \(name).svg is not SVG librsvg can read: \(reason)")
        }
        var w = 0.0, h = 0.0
        if rsvg_handle_get_intrinsic_size_in_pixels(made, &w, &h) == 0 || w <= 0 || h <= 0 {
            // No absolute size (e.g. only a viewBox, or percentages): a square of the default size.
            w = Self.defaultSize
            h = Self.defaultSize
        }
        guard w.isFinite, h.isFinite, w <= Self.maximumSize, h <= Self.maximumSize else {
            g_object_unref(made)
            throw MapAssetsError(.unreadable, "icon \(name).svg is \(w)×\(h) px; icons must be at most \(Int(Self.maximumSize)) px")
        }
        handle = made
        self.name = name
        // Rounded up so no pixel of partial coverage is cut off.
        width = Int(w.rounded(.up))
        height = Int(h.rounded(.up))
    }

    deinit { g_object_unref(handle) }

    /// Draws the icon scaled by `ratio` with its top-left corner at (`x`, `y`)
    /// pixels of `context`. Throws `.unreadable` when librsvg fails.
    func draw(on context: OpaquePointer, x: Int, y: Int, ratio: Int) throws(MapAssetsError) {
        var viewport = RsvgRectangle(x: Double(x), y: Double(y), width: Double(width * ratio), height: Double(height * ratio))
        var error: UnsafeMutablePointer<GError>?
        guard rsvg_handle_render_document(handle, context, &viewport, &error) != 0 else {
            let reason = error.map { String(cString: $0.pointee.message) } ?? "unknown error"
            if let error { g_error_free(error) }
            throw MapAssetsError(.unreadable, "icon \(name).svg could not be rendered: \(reason)")
        }
    }
}
