import CityOps
import Logging
import ServiceLifecycle

/// Follows bike positions other processes store in the operational database
/// (`citytwin bikes ingest FILE`): every `interval` it reads the history past
/// what it has seen (one indexed query when nothing is new; the server's own
/// batches are skipped unread) and applies it to the live bikes, so a file
/// ingested beside a running server moves its bikes within about `interval`.
/// With `wake` (rung by `StoreFollower` when a shared store tells of stored
/// positions) it reads at once instead of at the next interval.
/// A failed read is logged and retried.
public struct BikeStoreWatch: Service {
    let bikes: LiveBikeService
    let interval: Duration
    let logger: Logger
    /// Positions read per query: a large file is applied in several steps, without a wait between them.
    let step = 100_000
    /// Rung on a change notification: read now rather than at the next interval.
    let wake: Wakeup?

    public init(bikes: LiveBikeService, interval: Duration = .seconds(1), logger: Logger, wake: Wakeup? = nil) {
        self.bikes = bikes
        self.interval = interval
        self.logger = logger
        self.wake = wake
    }

    public func run() async throws {
        var failures = 0
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            if let wake {
                _ = await cancelWhenGracefulShutdown { [interval] in await wake.wait(upTo: interval) }
                if Task.isShuttingDownGracefully || Task.isCancelled { return }
            } else {
                do { try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) } } catch { return }
            }
            do {
                var read = 0, n = 0
                repeat {
                    n = try await bikes.followStore(limit: step)
                    read += n
                } while n >= step && !Task.isShuttingDownGracefully
                if read > 0 { logger.info("bikes: \(read) positions stored by another process read") }
                failures = 0
            } catch {
                failures += 1
                // The first failure and then every 30th, not one line per interval.
                if failures == 1 || failures % 30 == 0 { logger.error("bike position watch failed (\(failures) in a row): \(error)") }
            }
        }
    }
}
