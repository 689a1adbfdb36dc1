import Synchronization
import Geo
import Storage

/// Holds the current snapshot and swaps it atomically. Readers take the
/// reference under a lock held only for the copy of one pointer-sized
/// value, so they never wait for a reload, which builds outside the lock.
public final class CityState: Sendable {
    public let store: any FeatureStore
    let current: Mutex<CitySnapshot>
    /// Serialises reloads and reading updates (writers), never readers.
    let writer = Mutex<Void>(())

    public init(store: any FeatureStore) throws {
        self.store = store
        current = Mutex(try CitySnapshot.load(from: store))
    }

    public var snapshot: CitySnapshot { current.withLock { $0 } }

    /// Rebuilds from the store if its data changed since the current snapshot.
    @discardableResult
    public func refresh() throws -> CitySnapshot {
        try writer.withLock { _ in
            let now = snapshot
            guard try store.dataVersion() != now.version else { return now }
            let fresh = try CitySnapshot.load(from: store)
            current.withLock { $0 = fresh }
            return fresh
        }
    }

    /// Stores an event, then publishes a snapshot whose events layer has it,
    /// so nearest, tiles and event lists see it at once.
    public func addEvent(_ event: EventRecord) throws(StorageError) -> EventRecord {
        try writeEvents { () throws(StorageError) in try store.insertEvent(event) }
    }

    /// Moves an event's status (compare-and-set); nil when it moved meanwhile or does not exist.
    public func updateEventStatus(id: Int64, from: String, to: String, at: String, properties: JSONObject) throws(StorageError) -> EventRecord? {
        try writeEvents { () throws(StorageError) in try store.updateEventStatus(id: id, from: from, to: to, at: at, properties: properties) }
    }

    func writeEvents<T>(_ body: () throws(StorageError) -> T) throws(StorageError) -> T {
        let r: Result<T, StorageError> = writer.withLock { _ in
            do throws(StorageError) {
                let value = try body()
                let all = try store.events()
                current.withLock { $0 = $0.with(events: all) }
                return .success(value)
            } catch { return .failure(error) }
        }
        return try r.get()
    }

    /// Stores readings, then publishes a snapshot with the new latest levels.
    public func addReadings(_ readings: [SensorReading]) throws(StorageError) -> Int {
        let r: Result<Int, StorageError> = writer.withLock { _ in
            do {
                let n = try store.insertReadings(readings)
                let latest = try store.latestReadings()
                current.withLock { $0 = $0.with(readings: latest) }
                return .success(n)
            } catch let e as StorageError { return .failure(e) } catch { return .failure(StorageError(.sqlite, "\(error)")) }
        }
        return try r.get()
    }
}
