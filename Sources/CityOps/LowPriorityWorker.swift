import Foundation
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// One thread of its own, at a lower scheduling priority (nice 10 on Linux),
/// for rebuilds that can wait: on a 2-core server a rebuild of tens of
/// thousands of events competing on equal terms with the request threads
/// showed as tens of milliseconds on the requests' p99. Jobs run one at a
/// time, in order, each not before its time.
final class LowPriorityWorker: Sendable {
    static let shared = LowPriorityWorker()

    private let jobs = Mutex<[(at: ContinuousClock.Instant, body: @Sendable () -> Void)]>([])
    private let wake = DispatchSemaphore(value: 0)

    private init() {
        let thread = Thread { [self] in
            #if canImport(Glibc)
            // The nice value is per thread on Linux (NPTL): 0 names the calling thread.
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 10)
            #endif
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
