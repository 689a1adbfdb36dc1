import Synchronization
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
