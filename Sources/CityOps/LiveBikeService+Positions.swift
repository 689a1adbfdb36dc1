import Foundation
import Geo

/// A page of live bikes in `bike_id` order.
public struct LiveBikePage: Sendable {
    /// Bikes matching the filter, before and after the cursor.
    public var matched: Int
    public var bikes: [LiveBike]
    /// Whether matching bikes remain past the last one.
    public var more: Bool
}

extension LiveBikeService {
    /// Live bikes with a `bike_id` after `after` (nil: from the first), in id order
    /// (Swift's `String` order), at most `limit`, only those in `bbox` when one is given.
    /// An id cursor, not an offset: bikes appearing or leaving between pages never shift
    /// the next page. One pass under the lock keeps the `limit` smallest ids past the
    /// cursor in a heap, so a page of a million bikes is one scan, not a sort of them all.
    public func positions(after: String?, limit: Int, bbox: BoundingBox?) -> LiveBikePage {
        let snapshot = state.snapshot
        return live.withLock { b in
            sync(&b, snapshot)
            let ids = b.ids, grid = b.grid
            var smallest = SmallestIDs(capacity: max(0, limit))
            var matched = 0, past = 0
            let visit = { (s: Int32) in
                matched += 1
                let id = ids[Int(s)]
                if let after, id <= after { return }
                past += 1
                smallest.offer(id, s)
            }
            if let bbox {
                grid.forEach(in: bbox, visit)
            } else {
                for s in 0..<ids.count where grid.contains(Int32(s)) { visit(Int32(s)) }
            }
            let slots = smallest.inOrder()
            return LiveBikePage(matched: matched, bikes: slots.map { bike(b, $0, distance: 0) }, more: past > slots.count)
        }
    }
}

/// The `capacity` smallest ids offered, kept in a max-heap (the largest kept on top, so
/// most offers are refused by one comparison).
struct SmallestIDs {
    let capacity: Int
    var heap: [(id: String, slot: Int32)] = []

    init(capacity: Int) { self.capacity = capacity }

    mutating func offer(_ id: String, _ slot: Int32) {
        if heap.count < capacity {
            heap.append((id, slot))
            var i = heap.count - 1
            while i > 0 {
                let parent = (i - 1) / 2
                guard heap[parent].id < heap[i].id else { break }
                heap.swapAt(parent, i)
                i = parent
            }
        } else if capacity > 0, id < heap[0].id {
            heap[0] = (id, slot)
            var i = 0
            while true {
                let l = 2 * i + 1, r = l + 1
                var top = i
                if l < heap.count, heap[l].id > heap[top].id { top = l }
                if r < heap.count, heap[r].id > heap[top].id { top = r }
                if top == i { break }
                heap.swapAt(i, top)
                i = top
            }
        }
    }

    func inOrder() -> [Int32] { heap.sorted { $0.id < $1.id }.map(\.slot) }
}
