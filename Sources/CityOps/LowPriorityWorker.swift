import Foundation
import Synchronization

/// One thread of its own for rebuilds that can wait, outside the cooperative
/// pool, so a rebuild of tens of thousands of events never holds one of the
/// few threads requests run on. Not niced: it takes locks request threads
/// wait on (event memory, the published snapshot), and a low-priority holder
/// preempted inside them would stall every request behind it (priority
/// inversion). Jobs run one at a time, in order, each not before its time.
final class LowPriorityWorker: Sendable {
    static let shared = LowPriorityWorker()

    private let jobs = Mutex<[(at: ContinuousClock.Instant, body: @Sendable () -> Void)]>([])
    private let wake = DispatchSemaphore(value: 0)

    private init() {
        let thread = Thread { [self] in
            while true {
                wake.wait()
                guard let job = jobs.withLock({ $0.isEmpty ? nil : $0.removeFirst() }) else { continue }
                let wait = job.at - ContinuousClock.now
                if wait > .zero {
                    Thread.sleep(forTimeInterval: Double(wait.components.seconds) + Double(wait.components.attoseconds) * 1e-18)
                }
                job.body()
            }
        }
        thread.name = "citytwin-rebuild"
        thread.start()
    }

    /// Runs `body` on the worker thread, not before `delay` from now.
    func run(after delay: Duration, _ body: @escaping @Sendable () -> Void) {
        jobs.withLock { $0.append((ContinuousClock.now + max(.zero, delay), body)) }
        wake.signal()
    }
}
