/// Douglas–Peucker simplification of flat x,y runs in tile units.
/// Iterative (explicit stack) so long pipes cannot overflow the call stack.
public enum Simplifier {
    /// Keeps the endpoints and every vertex farther than `tolerance` from the simplified line.
    public static func simplify(_ xy: [Double], tolerance: Double) -> [Double] {
        let n = xy.count / 2
        guard tolerance > 0, n > 2 else { return xy }
        var keep = [Bool](repeating: false, count: n)
        keep[0] = true; keep[n - 1] = true
        var stack: [(Int, Int)] = [(0, n - 1)]
        let tol2 = tolerance * tolerance
        while let (a, b) = stack.popLast() {
            guard b > a + 1 else { continue }
            let ax = xy[2 * a], ay = xy[2 * a + 1], bx = xy[2 * b], by = xy[2 * b + 1]
            let dx = bx - ax, dy = by - ay
            let len2 = dx * dx + dy * dy
            var worst = -1.0, index = -1
            for k in (a + 1)..<b {
                let px = xy[2 * k] - ax, py = xy[2 * k + 1] - ay
                let d2: Double
                if len2 == 0 { d2 = px * px + py * py } else {
                    let t = max(0, min(1, (px * dx + py * dy) / len2))
                    let ex = px - t * dx, ey = py - t * dy
                    d2 = ex * ex + ey * ey
                }
                if d2 > worst { worst = d2; index = k }
            }
            if worst > tol2 { keep[index] = true; stack.append((a, index)); stack.append((index, b)) }
        }
        var out: [Double] = []
        out.reserveCapacity(n)
        for k in 0..<n where keep[k] { out.append(xy[2 * k]); out.append(xy[2 * k + 1]) }
        return out
    }

    /// A ring (flat, not repeating its first point) simplified with its first vertex fixed;
    /// returns the ring unchanged when simplification would leave fewer than 3 vertices.
    public static func simplifyRing(_ xy: [Double], tolerance: Double) -> [Double] {
        guard tolerance > 0, xy.count > 8 else { return xy }
        // Split at the vertex farthest from the first so both halves are non-degenerate.
        let n = xy.count / 2
        var far = 1, best = -1.0
        for k in 1..<n {
            let dx = xy[2 * k] - xy[0], dy = xy[2 * k + 1] - xy[1]
            if dx * dx + dy * dy > best { best = dx * dx + dy * dy; far = k }
        }
        let first = simplify(Array(xy[0...(2 * far + 1)]), tolerance: tolerance)
        var second = Array(xy[(2 * far)...])
        second.append(xy[0]); second.append(xy[1])
        let s2 = simplify(second, tolerance: tolerance)
        var out = first
        out.append(contentsOf: s2[2..<(s2.count - 2)])
        return out.count >= 6 ? out : xy
    }
}
