/// One water-level observation from a flood sensor.
public struct SensorReading: Sendable, Equatable {
    public var sensorID: String
    public var levelCM: Double
    /// ISO 8601 as received (compared as text after normalisation to UTC "Z" form by the caller).
    public var observedAt: String

    public init(sensorID: String, levelCM: Double, observedAt: String) {
        self.sensorID = sensorID
        self.levelCM = levelCM
        self.observedAt = observedAt
    }
}
