/// MapLibre's TinySDF, applied to a coverage bitmap rendered by FreeType
/// instead of a canvas, so glyphs from the server line up with the ones the
/// browser draws itself: 24 px, a 3 px border, radius 8, cutoff 0.25.
///
/// Distances are exact Euclidean distance transforms (Felzenszwalb &
/// Huttenlocher), one pass per axis, outside and inside the glyph; partially
/// covered pixels start at the sub-pixel distance TinySDF gives them.
struct SignedDistanceField {
    static let fontSize = 24
    static let buffer = 3
    static let radius = 8.0
    static let cutoff = 0.25
    private static let infinity = 1e20

    private var f: [Double] = []
    private var z: [Double] = []
    private var v: [Int] = []

    /// The SDF of a `width × height` coverage bitmap (0…255 per pixel, rows of
    /// `pitch` bytes): `(width + 6) × (height + 6)` bytes, 255 deep inside.
    mutating func make(coverage: UnsafeBufferPointer<UInt8>, pitch: Int, width: Int, height: Int) -> [UInt8] {
        let b = Self.buffer
        let w = width + 2 * b, h = height + 2 * b
        let n = w * h
        var outer = [Double](repeating: Self.infinity, count: n)
        var inner = [Double](repeating: 0, count: n)
        for y in 0..<height {
            for x in 0..<width {
                let a = Double(coverage[y * pitch + x]) / 255
                if a == 0 { continue }
                let j = (y + b) * w + x + b
                if a == 1 {
                    outer[j] = 0
                    inner[j] = Self.infinity
                } else {
                    let d = 0.5 - a
                    outer[j] = d > 0 ? d * d : 0
                    inner[j] = d < 0 ? d * d : 0
                }
            }
        }
        let longest = max(w, h)
        if f.count < longest + 1 {
            f = [Double](repeating: 0, count: longest + 1)
            z = [Double](repeating: 0, count: longest + 2)
            v = [Int](repeating: 0, count: longest + 1)
        }
        transform(&outer, x0: 0, y0: 0, width: w, height: h, gridWidth: w)
        transform(&inner, x0: b, y0: b, width: width, height: height, gridWidth: w)
        var out = [UInt8](repeating: 0, count: n)
        for i in 0..<n {
            let d = outer[i].squareRoot() - inner[i].squareRoot()
            let value = (255 - 255 * (d / Self.radius + Self.cutoff)).rounded(.toNearestOrAwayFromZero)
            out[i] = UInt8(max(0, min(255, value)))
        }
        return out
    }

    /// 2-D distance transform of the sub-grid at (x0, y0), columns then rows.
    private mutating func transform(_ grid: inout [Double], x0: Int, y0: Int, width: Int, height: Int, gridWidth: Int) {
        for x in x0..<(x0 + width) { transform1D(&grid, offset: y0 * gridWidth + x, stride: gridWidth, length: height) }
        for y in y0..<(y0 + height) { transform1D(&grid, offset: y * gridWidth + x0, stride: 1, length: width) }
    }

    /// Lower envelope of parabolas along one line of the grid.
    private mutating func transform1D(_ grid: inout [Double], offset: Int, stride: Int, length: Int) {
        guard length > 0 else { return }
        v[0] = 0
        z[0] = -Self.infinity
        z[1] = Self.infinity
        f[0] = grid[offset]
        var k = 0
        for q in 1..<max(length, 1) {
            f[q] = grid[offset + q * stride]
            let q2 = Double(q * q)
            var s: Double
            repeat {
                let r = v[k]
                s = (f[q] - f[r] + q2 - Double(r * r)) / Double(q - r) / 2
                if s <= z[k] { k -= 1 } else { break }
            } while k > -1
            k += 1
            v[k] = q
            z[k] = s
            z[k + 1] = Self.infinity
        }
        k = 0
        for q in 0..<length {
            while z[k + 1] < Double(q) { k += 1 }
            let r = v[k]
            let qr = Double(q - r)
            grid[offset + q * stride] = f[r] + qr * qr
        }
    }
}
