import Foundation
import Geo

/// A stored property as a whole number (a JSON number or numeric text, as
/// imported): nil when absent, not a number, not finite, or outside ±2^53
/// (beyond which a Double holds no exact integer). Fractions are cut toward
/// zero, or refused (nil) when `integralOnly`. Stored data is never converted
/// with a bare `Int(_:)`, which traps on NaN, infinity or 1e300.
func wholeNumber(_ value: JSONValue?, integralOnly: Bool = false) -> Int? {
    guard let value else { return nil }
    let d: Double
    if let v = value.doubleValue { d = v } else if let v = Double(value.textValue.trimmingCharacters(in: .whitespaces)) { d = v } else { return nil }
    guard d.isFinite, abs(d) <= 9_007_199_254_740_992 else { return nil }
    if integralOnly && d.rounded() != d { return nil }
    return Int(d.rounded(.towardZero))
}
