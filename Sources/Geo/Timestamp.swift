import Foundation
import Synchronization

/// ISO 8601 instants as CityTwin stores and answers them: "2026-03-01T08:00:00Z"
/// (UTC, whole seconds). The one place that parses and formats them.
public enum Timestamp {
    /// Formatters are costly to make, so each is made once; a lock keeps their shared
    /// ICU state to one thread at a time.
    static let whole = Mutex(formatter([.withInternetDateTime]))
    static let fractional = Mutex(formatter([.withInternetDateTime, .withFractionalSeconds]))

    static func formatter(_ options: ISO8601DateFormatter.Options) -> ISO8601DateFormatter {
        let f = ISO8601DateFormatter()
        f.formatOptions = options
        return f
    }

    /// An ISO 8601 date-time with or without fractional seconds, with "Z" or any offset;
    /// nil for anything else (a date alone, no offset).
    public static func parse(_ text: String) -> Date? {
        if let d = whole.withLock({ $0.date(from: text) }) { return d }
        return fractional.withLock { $0.date(from: text) }
    }

    /// `date` in UTC with whole seconds.
    public static func string(_ date: Date) -> String { whole.withLock { $0.string(from: date) } }

    /// `date` in UTC with milliseconds ("2026-03-01T08:00:00.250Z"): event times, which
    /// are compared as text, so every one of a column must have this one form.
    public static func millis(_ date: Date) -> String { fractional.withLock { $0.string(from: date) } }

    /// The current time, as `string(_:)`.
    public static func now() -> String { string(Date()) }
}
