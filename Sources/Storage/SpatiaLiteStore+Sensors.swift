import Foundation
import Geo
import GRDB

extension SpatiaLiteStore {
    public func insertReadings(_ readings: [SensorReading]) throws(StorageError) -> Int {
        do {
            return try pool.write { db in
                let now = Timestamp.now()
                let st = try db.makeStatement(sql: "INSERT INTO sensor_readings(sensor_id, level_cm, observed_at, received_at) VALUES (?,?,?,?)")
                for r in readings { try st.execute(arguments: [r.sensorID, r.levelCM, r.observedAt, now]) }
                return readings.count
            }
        } catch { throw StorageError.wrap(error) }
    }

    /// The latest reading of every sensor (by observation time).
    public func latestReadings() throws(StorageError) -> [String: SensorReading] {
        try read { db in
            let rows = try Row.fetchAll(db, sql: """
                SELECT sensor_id, level_cm, max(observed_at) AS observed_at FROM sensor_readings GROUP BY sensor_id
                """)
            var out: [String: SensorReading] = [:]
            for r in rows { out[r[0]] = SensorReading(sensorID: r[0], levelCM: r[1], observedAt: r[2]) }
            return out
        }
    }
}
