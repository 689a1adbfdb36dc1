import Geo

/// Inputs shared by several test targets.
public enum Samples {
    /// One geometry of each type, with a hole and two polygon parts: codec round trips.
    public static let geometries: [Geometry] = [
        .point(Coordinate(104.1, 30.67)),
        .multiPoint([Coordinate(1, 2), Coordinate(3, 4)]),
        .lineString([Coordinate(0, 0), Coordinate(1, 1), Coordinate(2, 0)]),
        .multiLineString([[Coordinate(0, 0), Coordinate(1, 1)], [Coordinate(2, 2), Coordinate(3, 3)]]),
        .polygon([[Coordinate(0, 0), Coordinate(4, 0), Coordinate(4, 4), Coordinate(0, 0)],
                  [Coordinate(1, 1), Coordinate(2, 1), Coordinate(2, 2), Coordinate(1, 1)]]),
        .multiPolygon([[[Coordinate(0, 0), Coordinate(1, 0), Coordinate(1, 1), Coordinate(0, 0)]],
                       [[Coordinate(5, 5), Coordinate(6, 5), Coordinate(6, 6), Coordinate(5, 5)]]]),
    ]
}

/// SplitMix64: a fixed-seed generator, so every run draws the same numbers.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    public var state: UInt64

    public init(state: UInt64) { self.state = state }
    public init(seed: UInt64) { state = seed }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Uniform in 0..<n (n ≥ 1; 0 when n is not).
    public mutating func below(_ n: Int) -> Int { Int(next() % UInt64(max(n, 1))) }

    /// Uniform in 0..<1, from the top 53 bits.
    public mutating func unit() -> Double { Double(next() >> 11) / Double(UInt64(1) << 53) }
}
