import CityOps
import Logging
import ServiceLifecycle

/// The event hub's clockwork, as a service of the application: escalates
/// overdue work orders every `interval` and applies retention hourly. A failed
/// run is logged and retried at the next tick.
public struct EventUpkeep: Service {
    let events: EventService
    let interval: Duration
    let logger: Logger

    public init(events: EventService, interval: Duration = .seconds(60), logger: Logger) {
        self.events = events; self.interval = interval; self.logger = logger
    }

    public func run() async throws {
        var ticks = 0
        while !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                let raised = try await events.escalate()
                if !raised.isEmpty { logger.info("escalated \(raised.count) overdue events") }
                if ticks % max(1, Int(3600 / max(1, interval.components.seconds))) == 0 {
                    let purged = try await events.applyRetention()
                    if purged.events + purged.readings > 0 { logger.info("retention: \(purged.events) events, \(purged.readings) readings deleted") }
                }
            } catch {
                logger.error("event upkeep failed: \(error)")
            }
            ticks += 1
            do { try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) } } catch { return }
        }
    }
}
