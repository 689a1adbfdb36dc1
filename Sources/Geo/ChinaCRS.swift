import Foundation

/// The Chinese "encrypted" web-map coordinate systems: GCJ-02 (Amap,
/// Tencent, Google China) and BD-09 (Baidu). Forward transforms are the
/// published closed forms; inverses are iterated until the forward image is
/// within 1e-9° (≈0.1 mm) of the input, far below the 1 cm contract.
public enum ChinaCRS {
    static let a = 6378245.0
    static let ee = 0.00669342162296594323
    static let xPi = Double.pi * 3000.0 / 180.0

    /// GCJ-02 is only applied inside China's rough bounding box.
    public static func isInChina(_ c: Coordinate) -> Bool {
        c.x >= 72.004 && c.x <= 137.8347 && c.y >= 0.8293 && c.y <= 55.8271
    }

    static func transformLat(_ x: Double, _ y: Double) -> Double {
        var r = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * abs(x).squareRoot()
        r += (20.0 * sin(6.0 * x * .pi) + 20.0 * sin(2.0 * x * .pi)) * 2.0 / 3.0
        r += (20.0 * sin(y * .pi) + 40.0 * sin(y / 3.0 * .pi)) * 2.0 / 3.0
        r += (160.0 * sin(y / 12.0 * .pi) + 320.0 * sin(y * .pi / 30.0)) * 2.0 / 3.0
        return r
    }

    static func transformLon(_ x: Double, _ y: Double) -> Double {
        var r = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * abs(x).squareRoot()
        r += (20.0 * sin(6.0 * x * .pi) + 20.0 * sin(2.0 * x * .pi)) * 2.0 / 3.0
        r += (20.0 * sin(x * .pi) + 40.0 * sin(x / 3.0 * .pi)) * 2.0 / 3.0
        r += (150.0 * sin(x / 12.0 * .pi) + 300.0 * sin(x / 30.0 * .pi)) * 2.0 / 3.0
        return r
    }

    public static func wgs84ToGCJ02(_ c: Coordinate) -> Coordinate {
        guard isInChina(c) else { return c }
        var dLat = transformLat(c.x - 105.0, c.y - 35.0)
        var dLon = transformLon(c.x - 105.0, c.y - 35.0)
        let radLat = c.y / 180.0 * .pi
        var magic = sin(radLat)
        magic = 1 - ee * magic * magic
        let sqrtMagic = magic.squareRoot()
        dLat = (dLat * 180.0) / ((a * (1 - ee)) / (magic * sqrtMagic) * .pi)
        dLon = (dLon * 180.0) / (a / sqrtMagic * cos(radLat) * .pi)
        return Coordinate(c.x + dLon, c.y + dLat)
    }

    public static func gcj02ToBD09(_ c: Coordinate) -> Coordinate {
        let z = (c.x * c.x + c.y * c.y).squareRoot() + 0.00002 * sin(c.y * xPi)
        let theta = atan2(c.y, c.x) + 0.000003 * cos(c.x * xPi)
        return Coordinate(z * cos(theta) + 0.0065, z * sin(theta) + 0.006)
    }

    public static func wgs84ToBD09(_ c: Coordinate) -> Coordinate { gcj02ToBD09(wgs84ToGCJ02(c)) }

    /// Inverts `forward` by fixed-point iteration: w ← w − (f(w) − target).
    static func invert(_ target: Coordinate, _ forward: (Coordinate) -> Coordinate) -> Coordinate {
        var w = target
        for _ in 0..<30 {
            let f = forward(w)
            let dx = f.x - target.x, dy = f.y - target.y
            if abs(dx) < 1e-10 && abs(dy) < 1e-10 { break }
            w = Coordinate(w.x - dx, w.y - dy)
        }
        return w
    }

    public static func gcj02ToWGS84(_ c: Coordinate) -> Coordinate {
        guard isInChina(c) else { return c }
        return invert(c, wgs84ToGCJ02)
    }

    public static func bd09ToGCJ02(_ c: Coordinate) -> Coordinate { invert(c, gcj02ToBD09) }

    public static func bd09ToWGS84(_ c: Coordinate) -> Coordinate {
        gcj02ToWGS84(bd09ToGCJ02(c))
    }
}
