import Synchronization

/// A doorbell for a polling service: `ring()` makes the service's current or
/// next `wait(upTo:)` return at once, so it acts on a change notification
/// instead of at its next poll. Rings while nobody waits are kept as one: a
/// burst of notifications costs one wake-up, never a queue of them.
///
/// One waiter at a time (the service's own loop); `ring()` may be called from anywhere.
public final class Wakeup: Sendable {
    private struct State {
        var rung = false
        var waiter: (id: UInt64, continuation: CheckedContinuation<Bool, Never>)?
        var lastID: UInt64 = 0
        /// The id of a wait whose task was cancelled before it had parked.
        var cancelledID: UInt64 = 0
    }

    private let state = Mutex(State())

    public init() {}

    /// Wakes the waiter now, or makes the next wait return at once.
    public func ring() {
        let waiter = state.withLock { s -> CheckedContinuation<Bool, Never>? in
            guard let w = s.waiter else {
                s.rung = true
                return nil
            }
            s.waiter = nil
            return w.continuation
        }
        waiter?.resume(returning: true)
    }

    /// Returns true when rung (a ring since the previous wait returned counts),
    /// false after `timeout` or when the calling task is cancelled.
    @discardableResult
    public func wait(upTo timeout: Duration) async -> Bool {
        let id = state.withLock { s -> UInt64? in
            if s.rung {
                s.rung = false
                return nil
            }
            s.lastID += 1
            return s.lastID
        }
        guard let id else { return true }
        // The timer resumes the wait unless a ring or cancellation did first (ids tell waits apart).
        let timer = Task { [self] in
            try? await Task.sleep(for: timeout)
            release(id)
        }
        defer { timer.cancel() }
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Bool, Never>) in
                let now = state.withLock { s -> Bool? in
                    if s.rung {
                        s.rung = false
                        return true
                    }
                    if s.cancelledID == id || Task.isCancelled { return false }
                    s.waiter = (id, c)
                    return nil
                }
                if let now { c.resume(returning: now) }
            }
        } onCancel: {
            state.withLock { $0.cancelledID = id }
            release(id)
        }
    }

    private func release(_ id: UInt64) {
        let waiter = state.withLock { s -> CheckedContinuation<Bool, Never>? in
            guard let w = s.waiter, w.id == id else { return nil }
            s.waiter = nil
            return w.continuation
        }
        waiter?.resume(returning: false)
    }
}
