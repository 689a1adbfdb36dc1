import Synchronization
import Geo
import Storage

/// Holds the current snapshot and swaps it atomically. Readers take the
/// reference under a lock held only for the copy of one pointer-sized
/// value, so they never wait for a reload, which builds outside the lock.
///
/// Two writers publish into it: base-layer reloads (`refresh`, when the
/// store's data version moved) and the event hub (`publish(eventsLayer:)`,
/// `publish(readings:)`). A reload keeps the events layer and readings last
/// published; the event hub never waits for a reload.
public final class CityState: Sendable {
    public let store: any FeatureStore
    let current: Mutex<Published>
    /// Serialises reloads (base layers), never readers or event writes.
    let reloading = Mutex<Void>(())

    struct Published {
        var snapshot: CitySnapshot
        var eventsLayer: LayerSnapshot?
        var readings: [String: SensorReading]
    }

    public init(store: any FeatureStore) throws {
        self.store = store
        let s = try CitySnapshot.load(from: store)
        current = Mutex(Published(snapshot: s, eventsLayer: s.layers[CitySnapshot.eventsLayerName], readings: s.readings))
    }

    public var snapshot: CitySnapshot { current.withLock { $0.snapshot } }

    /// Rebuilds from the store if its data changed since the current snapshot.
    /// Only the layers whose catalog row changed are read again (see `CitySnapshot.load(from:reusing:)`);
    /// `rebuilt` receives their names.
    @discardableResult
    public func refresh(rebuilt: ((String) -> Void)? = nil) throws -> CitySnapshot {
        try reloading.withLock { _ in
            let now = snapshot
            guard try store.dataVersion() != now.version else { return now }
            let loaded = try CitySnapshot.load(from: store, reusing: now, rebuilt: rebuilt)
            return current.withLock { p in
                // Events and readings as last published: the load does not own them.
                var layers = loaded.layers
                if let e = p.eventsLayer { layers[CitySnapshot.eventsLayerName] = e }
                p.snapshot = CitySnapshot(version: loaded.version, layers: layers, readings: p.readings, readingsStamp: p.snapshot.readingsStamp)
                return p.snapshot
            }
        }
    }

    /// Swaps in a rebuilt events layer (the event hub's).
    public func publish(eventsLayer: LayerSnapshot) {
        // The replaced snapshot is released after the lock, not inside it.
        let replaced = current.withLock { p in
            let old = (p.snapshot, p.eventsLayer)
            p.eventsLayer = eventsLayer
            var layers = p.snapshot.layers
            layers[CitySnapshot.eventsLayerName] = eventsLayer
            p.snapshot = CitySnapshot(version: p.snapshot.version, layers: layers, readings: p.readings, readingsStamp: p.snapshot.readingsStamp)
            return old
        }
        withExtendedLifetime(replaced) {}
    }

    /// Swaps in the latest reading per sensor (flood status in tiles and queries).
    public func publish(readings: [String: SensorReading]) {
        current.withLock { p in
            p.readings = readings
            p.snapshot = p.snapshot.with(readings: readings)
        }
    }
}
