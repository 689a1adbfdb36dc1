import CityOps
import Foundation
import Geo
import Hummingbird
import HTTPTypes
import NIOCore

extension RouteEnvironment {
    /// `GET /v1/stream`: Server-Sent Events from the event hub's `LiveFeed`.
    ///
    /// Parameters: `topics=event,flood,reading,layer,bikes` (default all),
    /// `bbox=w,s,e,n` (messages with a point outside are skipped; those without
    /// one always pass), `last_event_id=N` or the `Last-Event-ID` header to
    /// resume after message N. A resume older than the retention window (or from
    /// before a restart) gets an `event: reset` first: the client reloads its
    /// lists, then follows from the newest message. 503 when `max_clients` are
    /// connected; a client more than `client_buffer` messages behind is dropped
    /// (its connection closed).
    func addStreamRoutes(to router: Router<CityTwinRequestContext>) {
        // Connected clients, clients dropped for falling behind, newest message id.
        router.get("/v1/stream/stats") { _, _ -> JSONResponse in
            guard let feed = events?.feed else { throw Problem(.serviceUnavailable, "this server has no event hub, so no live stream") }
            let o = JSONObject([("clients", .number(Double(feed.clientCount))), ("dropped_clients", .number(Double(feed.droppedClients))),
                                ("newest_id", .number(Double(feed.latestID))), ("max_clients", .number(Double(feed.settings.maxClients))),
                                ("client_buffer", .number(Double(feed.settings.clientBuffer)))])
            return JSONResponse(text: JSONWriter.string(.object(o)))
        }
        router.get("/v1/stream") { request, context -> Response in
            let q = QueryParameters(request)
            try q.onlyKnown(["topics", "bbox", "last_event_id"])
            guard let feed = events?.feed else {
                throw Problem(.serviceUnavailable, "this server has no event hub, so no live stream")
            }
            let filter = try StreamFilter(q)
            let resumeText = q.string("last_event_id") ?? request.headers[HTTPField.Name("Last-Event-ID")!]
            var resume: UInt64?
            if let t = resumeText, !t.isEmpty {
                guard let v = UInt64(t) else { throw Problem.badParameter("last_event_id", "\"\(t.prefix(32))\" is not a message id") }
                resume = v
            }
            let start = resume ?? feed.latestID
            let channel = context.channel
            guard let sub = feed.subscribe(after: start, onDrop: { channel.close(promise: nil) }) else {
                throw Problem(.serviceUnavailable, "the live stream has its \(feed.settings.maxClients) clients; retry later")
            }
            var headers = HTTPFields()
            headers[.contentType] = "text/event-stream; charset=utf-8"
            headers[.cacheControl] = "no-store"
            headers[.accessControlAllowOrigin] = "*"
            headers[HTTPField.Name("X-Accel-Buffering")!] = "no"
            let heartbeat = Duration.milliseconds(Int64(feed.settings.heartbeatSeconds * 1000))
            return Response(status: .ok, headers: headers, body: ResponseBody { writer in
                defer { feed.unsubscribe(sub) }
                var cursor = start
                var lastWrite = ContinuousClock.now
                try await writer.write(ByteBuffer(string: "retry: 2000\n: connected, newest message \(feed.latestID)\n\n"))
                while !sub.dropped {
                    // NIO holds what the socket does not take yet; while it holds more than its high
                    // watermark, give this client nothing more. Its cursor stays, so a reader that
                    // stopped is dropped by the sweep instead of filling memory.
                    guard channel.isWritable else {
                        try await Task.sleep(for: .milliseconds(20))
                        continue
                    }
                    switch feed.read(after: cursor, limit: 512) {
                    case .gap(let oldest):
                        let asked = cursor
                        // From the newest released message: later ones reach this client as any other's.
                        cursor = feed.releasedID
                        let data = "{\"oldest_retained\":\(oldest),\"newest\":\(cursor),\"asked_after\":\(asked)}"
                        try await writer.write(ByteBuffer(string: "id: \(cursor)\nevent: reset\ndata: \(data)\n\n"))
                        sub.delivered(through: cursor)
                        lastWrite = .now
                    case .messages(let batch) where batch.isEmpty:
                        if ContinuousClock.now - lastWrite >= heartbeat {
                            try await writer.write(ByteBuffer(string: ": heartbeat\n\n"))
                            lastWrite = .now
                        }
                        await feed.wait(after: cursor, sub)
                    case .messages(let batch):
                        // Everything released since the last write in one write (the feed coalesces
                        // wake-ups), cut at about 64 KB so a burst goes out as the socket takes it.
                        var text = ""
                        var through = cursor
                        for m in batch {
                            if filter.passes(m) { text += m.frame }
                            through = m.id
                            if text.utf8.count >= 65_536 {
                                try await writer.write(ByteBuffer(string: text))
                                text = ""
                                lastWrite = .now
                                sub.delivered(through: through)
                                if !channel.isWritable { break }
                            }
                        }
                        if !text.isEmpty {
                            try await writer.write(ByteBuffer(string: text))
                            lastWrite = .now
                        }
                        cursor = through
                        sub.delivered(through: cursor)
                    }
                }
                // Dropped for falling behind: say so if the socket still takes it (its close is under way).
                try? await writer.write(ByteBuffer(string: "event: dropped\ndata: {\"reason\":\"client fell more than \(feed.settings.clientBuffer) messages behind\"}\n\n"))
                try await writer.finish(nil)
            })
        }
    }
}

/// Which messages a stream client asked for.
struct StreamFilter {
    let topics: Set<LiveTopic>
    let bbox: BoundingBox?

    init(_ q: QueryParameters) throws {
        if let t = q.string("topics"), !t.isEmpty {
            var set = Set<LiveTopic>()
            for name in t.split(separator: ",") {
                guard let topic = LiveTopic(rawValue: name.trimmingCharacters(in: .whitespaces)) else {
                    throw Problem.badParameter("topics", "\"\(name.prefix(32))\" is not a topic (known: \(LiveTopic.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                set.insert(topic)
            }
            topics = set
        } else {
            topics = Set(LiveTopic.allCases)
        }
        bbox = try q.bbox()
    }

    func passes(_ m: LiveMessage) -> Bool {
        guard topics.contains(m.topic) else { return false }
        guard let b = bbox, let p = m.point else { return true }
        return p.x >= b.minX && p.x <= b.maxX && p.y >= b.minY && p.y <= b.maxY
    }
}
