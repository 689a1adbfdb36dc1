import CRSVG
import Geo
import VectorTiles

/// A MapLibre sprite made from a folder of SVG icons: the layout (where each
/// icon sits on the sheet, in 1x pixels) and the rendering of the sheet at a
/// pixel ratio as a PNG plus its JSON index.
///
/// The index is MapLibre's: `{"name": {"width", "height", "x", "y", "pixelRatio"}}`
/// with every number in pixels of that ratio's PNG, so the @2x sheet is the
/// 1x layout with every number doubled and each icon drawn at twice the size.
public struct SpriteSheet: Sendable {
    /// One icon on the sheet, in 1x pixels.
    public struct Placement: Sendable {
        public let name: String
        public let x: Int
        public let y: Int
        public let width: Int
        public let height: Int
    }

    /// The sheet as served: PNG and JSON index, each with ETag (and gzip for the JSON).
    public struct Rendered: Sendable {
        public let png: CachedTile
        public let index: CachedTile
    }

    public let placements: [Placement]
    /// Sheet size in 1x pixels.
    public let width: Int
    public let height: Int
    /// The SVG bytes by icon name, parsed again for each rendering (librsvg handles are not `Sendable`).
    let sources: [String: [UInt8]]

    /// Space between icons, in 1x pixels, so a renderer sampling at an icon's edge never picks up its neighbour.
    static let gap = 1

    /// Lays out `icons` (name → SVG bytes): rows of icons sorted tallest first,
    /// the sheet about as wide as it is tall. Icons librsvg cannot read are left
    /// out and named in `problems`.
    init(icons: [(name: String, svg: [UInt8])], problems: inout [String]) {
        var sized: [(name: String, width: Int, height: Int)] = []
        var sources: [String: [UInt8]] = [:]
        for icon in icons {
            do {
                let parsed = try SVGIcon(name: icon.name, data: icon.svg)
                sized.append((icon.name, parsed.width, parsed.height))
                sources[icon.name] = icon.svg
            } catch {
                problems.append(error.message)
            }
        }
        sized.sort { ($0.height, $0.width, $1.name) > ($1.height, $1.width, $0.name) }
        let area = sized.reduce(0) { $0 + ($1.width + Self.gap) * ($1.height + Self.gap) }
        let widest = sized.map(\.width).max() ?? 0
        let sheetWidth = max(widest, Int(Double(area).squareRoot().rounded(.up)))
        var placements: [Placement] = []
        var x = 0, y = 0, rowHeight = 0, usedWidth = 0
        for icon in sized {
            if x > 0, x + icon.width > sheetWidth {
                y += rowHeight + Self.gap
                x = 0
                rowHeight = 0
            }
            placements.append(Placement(name: icon.name, x: x, y: y, width: icon.width, height: icon.height))
            usedWidth = max(usedWidth, x + icon.width)
            x += icon.width + Self.gap
            rowHeight = max(rowHeight, icon.height)
        }
        self.placements = placements.sorted { $0.name < $1.name }
        // An empty folder still makes a valid 1×1 (transparent) sheet.
        width = max(1, usedWidth)
        height = max(1, y + rowHeight)
        self.sources = sources
    }

    /// The sheet at `ratio` (1 or 2): every icon drawn at `ratio` times its
    /// size into a transparent ARGB image, written as PNG by cairo.
    func render(ratio: Int) throws(MapAssetsError) -> Rendered {
        guard let surface = cairo_image_surface_create(CAIRO_FORMAT_ARGB32, Int32(width * ratio), Int32(height * ratio)) else {
            throw MapAssetsError(.unreadable, "cairo could not make a \(width * ratio)×\(height * ratio) image")
        }
        defer { cairo_surface_destroy(surface) }
        guard let context = cairo_create(surface) else { throw MapAssetsError(.unreadable, "cairo could not draw") }
        defer { cairo_destroy(context) }
        for p in placements {
            guard let svg = sources[p.name] else { continue }
            let icon = try SVGIcon(name: p.name, data: svg)
            try icon.draw(on: context, x: p.x * ratio, y: p.y * ratio, ratio: ratio)
        }
        cairo_surface_flush(surface)
        guard cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS else {
            throw MapAssetsError(.unreadable, "cairo failed drawing the sprite: status \(cairo_surface_status(surface).rawValue)")
        }
        let png = try Self.pngBytes(surface)
        var index = JSONObject()
        for p in placements {
            index[p.name] = .object(JSONObject([
                ("width", .number(Double(p.width * ratio))), ("height", .number(Double(p.height * ratio))),
                ("x", .number(Double(p.x * ratio))), ("y", .number(Double(p.y * ratio))),
                ("pixelRatio", .number(Double(ratio)))]))
        }
        do {
            return Rendered(png: try CachedTile(body: png), index: try CachedTile(body: Array(JSONWriter.string(.object(index)).utf8)))
        } catch {
            throw MapAssetsError(.unreadable, "sprite could not be compressed: \(error)")
        }
    }

    /// Collects what cairo's PNG writer hands out.
    private final class ByteSink {
        var bytes: [UInt8] = []
    }

    private static func pngBytes(_ surface: OpaquePointer) throws(MapAssetsError) -> [UInt8] {
        let sink = ByteSink()
        let status = withExtendedLifetime(sink) {
            cairo_surface_write_to_png_stream(surface, { closure, data, length in
                guard let closure, let data else { return CAIRO_STATUS_WRITE_ERROR }
                let sink = Unmanaged<ByteSink>.fromOpaque(closure).takeUnretainedValue()
                sink.bytes.append(contentsOf: UnsafeBufferPointer(start: data, count: Int(length)))
                return CAIRO_STATUS_SUCCESS
            }, Unmanaged.passUnretained(sink).toOpaque())
        }
        guard status == CAIRO_STATUS_SUCCESS else {
            throw MapAssetsError(.unreadable, "cairo could not write the sprite PNG: status \(status.rawValue)")
        }
        return sink.bytes
    }
}
