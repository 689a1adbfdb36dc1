import CityOps
import Foundation
import Testing

/// The live feed's coalesced wake-ups: messages published soon after a wake-up
/// are held back and released together, so a client takes them in one read.
@Suite struct LiveFeedTests {
    static func settings(coalesce: Double, buffer: Int = 5_000) -> StreamSettings {
        var s = StreamSettings()
        s.coalesceSeconds = coalesce
        s.clientBuffer = buffer
        return s
    }

    static func ids(_ r: LiveFeed.Read) -> [UInt64] {
        if case .messages(let m) = r { return m.map(\.id) }
        return []
    }

    @Test func messagesAfterAWakeUpWaitForTheNextOne() {
        // An hour's interval: the first message goes out at once (no wake-up before it),
        // the rest stay held for the whole test, whatever the machine's speed.
        let feed = LiveFeed(settings: Self.settings(coalesce: 3600))
        feed.publish(.event, "event.created", point: nil, data: "{\"n\":1}")
        #expect(feed.releasedID == 1 && feed.latestID == 1)
        for n in 2...10 { feed.publish(.event, "event.created", point: nil, data: "{\"n\":\(n)}") }
        #expect(feed.latestID == 10 && feed.releasedID == 1)
        #expect(Self.ids(feed.read(after: 0, limit: 100)) == [1])
        #expect(Self.ids(feed.read(after: 1, limit: 100)) == [])
        // The frame is made once, as SSE wants it.
        if case .messages(let m) = feed.read(after: 0, limit: 1) {
            #expect(m.first?.frame == "id: 1\nevent: event.created\ndata: {\"n\":1}\n\n")
        }
    }

    @Test func heldMessagesReachAWaitingClientTogether() async {
        let feed = LiveFeed(settings: Self.settings(coalesce: 0.05))
        let sub = feed.subscribe(after: 0) {}
        #expect(sub != nil)
        guard let sub else { return }
        defer { feed.unsubscribe(sub) }
        feed.publish(.event, "event.created", point: nil, data: "{}")
        for _ in 2...20 { feed.publish(.flood, "flood.status", point: nil, data: "{}") }
        // Wait (however long the machine takes) until everything is released, then one read has it all, in order.
        var cursor: UInt64 = 0, seen: [UInt64] = []
        while seen.count < 20 {
            let got = Self.ids(feed.read(after: cursor, limit: 512))
            if got.isEmpty {
                await feed.wait(after: cursor, sub)
                continue
            }
            seen += got
            cursor = got[got.count - 1]
        }
        #expect(seen == Array(1...20))
        #expect(feed.releasedID == 20)
    }

    @Test func noCoalescingReleasesEveryMessageAtOnce() {
        let feed = LiveFeed(settings: Self.settings(coalesce: 0))
        for n in 1...5 {
            feed.publish(.reading, "sensor.reading", point: nil, data: "{}")
            #expect(feed.releasedID == UInt64(n))
        }
    }

    @Test func aBurstPastRetentionBeforeItsReleaseIsAGapNotACrash() {
        var s = Self.settings(coalesce: 3600)
        s.retentionMessages = 16
        let feed = LiveFeed(settings: s)
        feed.publish(.event, "event.created", point: nil, data: "{}")
        for _ in 0..<100 { feed.publish(.event, "event.created", point: nil, data: "{}") }
        // Message 1 was released and then trimmed; messages 86-101 are retained but not released.
        if case .gap(let oldest) = feed.read(after: 0, limit: 10) { #expect(oldest == 86) } else { Issue.record("expected a gap") }
        #expect(Self.ids(feed.read(after: 90, limit: 10)) == [])
    }
}
