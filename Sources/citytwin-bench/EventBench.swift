import ArgumentParser
import CityOps
import CLISupport
import Foundation
import Geo
import SampleCity
import Storage

/// `citytwin-bench events`: volume for the event hub benchmark
/// (Benchmarks/events-http.sh). `seed` writes events straight into the
/// operational database beside `--db` (no HTTP), `check` reads them back.
struct EventBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "events", abstract: "Seed and check stored events for the event hub benchmark.",
        subcommands: [EventSeed.self, EventCheck.self])
}

/// Writes N events into `<db>-ops.sqlite` with `SQLiteOperationalStore.insertEvents`,
/// 1,000 per transaction: points inside the city's grids (grid, community, street
/// and district codes from the snapshot, as intake sets them), types from the
/// dispatch deadlines, created over the last two years in id order, deadlines
/// from the type, all but `--open` (the newest) closed some hours to days after
/// they were created. Open events get the escalation level they would have by
/// now, so the server's first escalation sweep has nothing to write.
struct EventSeed: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "seed", abstract: "Write N events into the operational database.")

    @Option(help: "Main database (the sample city); events go to the operational file beside it") var db: String
    @Option(help: "Events to write") var count: Int
    @Option(help: "How many of them (the newest) stay open") var open = 5000
    @Option(help: "Seed of the generated events") var seed: UInt64 = 7
    @Option(help: "Events per transaction") var batch = 1000

    func run() async throws {
        guard count >= 0, batch > 0 else { throw fail("--count must be ≥ 0 and --batch > 0") }
        let snapshot = try openSnapshot(db)
        let box = snapshot.layer(role: .grid)?.info.bbox
            ?? BoundingBox(minX: 104.03, minY: 30.58, maxX: 104.17, maxY: 30.72)
        let opsPath = SQLiteOperationalStore.path(besides: db)
        let store: SQLiteOperationalStore
        do { store = try SQLiteOperationalStore(path: opsPath) } catch { throw fail(error.message) }
        let before = try await store.eventCount()

        let settings = DispatchSettings()
        let types = settings.deadlineHours.keys.sorted()
        let handler = settings.handlerTypes
        var r = SeededRandom(seed: seed)
        let now = Date().timeIntervalSince1970
        let span = 2 * 365 * 86400.0
        let openCount = min(max(0, open), count)
        let openStatuses = [EventStatus.new, .dispatched, .inProgress].map(\.rawValue)
        var located = 0, outside = 0

        let start = Date()
        var pending: [EventRecord] = []
        pending.reserveCapacity(batch)
        var written = 0
        for i in 0..<count {
            // A point inside a grid (tries the bbox a few times; the sample's grids cover most of it).
            var p = Coordinate(0, 0)
            var areas: [LayerRole: (LayerSnapshot, Int)] = [:]
            for _ in 0..<50 {
                p = Coordinate(r.uniform(box.minX, box.maxX), r.uniform(box.minY, box.maxY))
                areas = snapshot.locate(lon: p.x, lat: p.y)
                if areas[.grid] != nil { break }
            }
            if areas[.grid] != nil { located += 1 } else { outside += 1 }
            func code(_ role: LayerRole) -> String? { areas[role].flatMap { $0.0.properties.object($0.1)["code"]?.textValue } }

            let type = types[r.int(0...(types.count - 1))]
            // Created in id order over the last two years, a little jitter within the slot.
            let created = now - span + span * (Double(i) + r.uniform(0, 0.9)) / Double(max(1, count))
            let due = created + (settings.deadlineHours[type] ?? settings.defaultDeadlineHours) * 3600
            let isOpen = i >= count - openCount
            var status = EventStatus.closed.rawValue
            var updated = created, closed: Double?
            var level = 0
            if isOpen {
                status = openStatuses[r.int(0...2)]
                if now >= due {
                    let steps = Int(min(1e6, (now - due) / max(60, settings.escalationStepHours * 3600)))
                    level = min(EscalationLevel.district.rawValue, 1 + steps)
                }
            } else {
                // Closed 30 minutes to 7 days later, never in the future.
                let c = min(now - 1, created + r.uniform(1800, 7 * 86400))
                closed = max(c, created + 0.001)
                updated = closed!
            }
            let createdText = FastStamp.millis(created)
            var props = JSONObject([("needs_review", .bool(false)), ("handler_type", .string(handler[type] ?? settings.defaultHandlerType))])
            props["duplicate_of"] = .null
            var e = EventRecord(type: type, description: "seeded \(type) #\(i)", address: nil, status: status, source: "bench-seed",
                                reportedAt: nil, createdAt: createdText, updatedAt: FastStamp.millis(updated),
                                gridCode: code(.grid), properties: props, point: p)
            e.communityCode = code(.community); e.streetCode = code(.street); e.districtCode = code(.district)
            e.dueAt = FastStamp.millis(due)
            e.closedAt = closed.map(FastStamp.millis)
            e.escalationLevel = level
            pending.append(e)
            if pending.count == batch || i == count - 1 {
                do { written += try await store.insertEvents(pending).count } catch { throw fail(error.message) }
                pending.removeAll(keepingCapacity: true)
                if written % 100_000 == 0 { note("  \(written) events…") }
            }
        }
        let seconds = Date().timeIntervalSince(start)
        let after = try await store.eventCount()
        print("seeded \(written) events into \(opsPath) in \(String(format: "%.1f", seconds)) s: "
              + "\(String(format: "%.0f", Double(written) / max(seconds, 1e-9))) events/s "
              + "(\(openCount) open, \(written - openCount) closed, \(outside) outside every grid); stored now \(after) (was \(before))")
    }
}

/// Counts and a few listing queries on the operational database beside `--db`.
struct EventCheck: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "check", abstract: "Count stored events and time a few listing queries.")

    @Option(help: "Main database; reads the operational file beside it") var db: String

    func run() async throws {
        let opsPath = SQLiteOperationalStore.path(besides: db)
        guard FileManager.default.fileExists(atPath: opsPath) else { throw fail("\(opsPath) does not exist") }
        let store: SQLiteOperationalStore
        do { store = try SQLiteOperationalStore(path: opsPath) } catch { throw fail(error.message) }
        let total = try await store.eventCount()
        let byStatus = try await store.eventStats(groupBy: .status, since: nil, until: nil, now: FastStamp.millis(Date().timeIntervalSince1970))
        print("\(opsPath): \(total) events; " + byStatus.map { "\($0.key) \($0.count)" }.joined(separator: ", "))
        let grids = try await store.eventStats(groupBy: .grid, since: nil, until: nil, now: FastStamp.millis(Date().timeIntervalSince1970))
        let noGrid = grids.first(where: { $0.key.isEmpty })?.count ?? 0
        print("grids with events: \(grids.filter { !$0.key.isEmpty }.count); events without a grid: \(noGrid)")
        // The timestamp form the store compares as text.
        let t = Date().timeIntervalSince1970
        let probe = (0..<1000).map { t - Double($0) * 86_123.457 }
        let mismatch = probe.first { FastStamp.millis($0) != Timestamp.millis(Date(timeIntervalSince1970: $0)) }
        print("timestamp form: \(mismatch == nil ? "same as Timestamp.millis" : "DIFFERS at \(mismatch!)")")

        func timed(_ label: String, _ filter: EventFilter, pages: Int) async throws {
            var cursor: Int64?
            var last = 0.0, n = 0
            for _ in 0..<pages {
                let s = Date()
                let page = try await store.events(matching: filter, after: cursor, limit: 50)
                last = Date().timeIntervalSince(s) * 1000
                n = page.count
                guard let id = page.last?.id, page.count == 50 else { break }
                cursor = id
            }
            print(String(format: "  %-40@ page %3d: %2d events in %.2f ms", label as NSString, pages, n, last))
        }
        print("listing (store, limit 50):")
        try await timed("all", EventFilter(), pages: 1)
        try await timed("all", EventFilter(), pages: 100)
        try await timed("status=closed", EventFilter(statuses: ["closed"]), pages: 100)
        try await timed("status=new,dispatched,in_progress", EventFilter(statuses: ["new", "dispatched", "in_progress"]), pages: 1)
        if let g = grids.first(where: { !$0.key.isEmpty })?.key {
            try await timed("grid_code=\(g)", EventFilter(gridCode: g), pages: 10)
        }
    }
}

/// `Timestamp.millis` without ISO8601DateFormatter (a million events need four
/// million stamps): "YYYY-MM-DDTHH:MM:SS.mmmZ", UTC. `check` compares the two.
enum FastStamp {
    static func millis(_ seconds: Double) -> String {
        let ms = Int64((seconds * 1000).rounded(.down))
        var days = ms / 86_400_000
        var rest = ms % 86_400_000
        if rest < 0 { rest += 86_400_000; days -= 1 }
        // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        let y = yoe + era * 400 + (m <= 2 ? 1 : 0)
        var out = [UInt8]()
        out.reserveCapacity(24)
        func put(_ v: Int64, _ width: Int) {
            var digits = [UInt8](repeating: 48, count: width)
            var x = v
            for k in stride(from: width - 1, through: 0, by: -1) { digits[k] = UInt8(48 + x % 10); x /= 10 }
            out += digits
        }
        put(y, 4); out.append(45); put(m, 2); out.append(45); put(d, 2); out.append(84)
        put(rest / 3_600_000, 2); out.append(58); put(rest / 60_000 % 60, 2); out.append(58); put(rest / 1000 % 60, 2)
        out.append(46); put(rest % 1000, 3); out.append(90)
        return String(decoding: out, as: UTF8.self)
    }
}
