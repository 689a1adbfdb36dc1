extension PackedRTree {
    /// Calls `visit` with the id of every item whose box intersects the
    /// query box (boundaries inclusive). Return false from `visit` to stop.
    /// Allocates nothing: the traversal stack lives on the call stack.
    public func search(minX: Double, minY: Double, maxX: Double, maxY: Double, _ visit: (Int32) -> Bool) {
        guard count > 0 else { return }
        let top = levels - 1
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * (levels + 1) * nodeSize + 2) { stack in
            var sp = 0
            stack[sp] = top; stack[sp + 1] = 0; sp += 2
            while sp > 0 {
                sp -= 2
                let level = stack[sp], j = stack[sp + 1]
                for k in children(level, j) {
                    if level == 1 {
                        let b = leafBox(k)
                        if b.2 < minX || b.3 < minY || b.0 > maxX || b.1 > maxY { continue }
                        if !visit(itemIDs[k]) { return }
                    } else {
                        let b = nodeBox(level - 1, k)
                        if b.2 < minX || b.3 < minY || b.0 > maxX || b.1 > maxY { continue }
                        stack[sp] = level - 1; stack[sp + 1] = k; sp += 2
                    }
                }
            }
        }
    }

    /// Ids of items intersecting the box, in tree order.
    public func search(minX: Double, minY: Double, maxX: Double, maxY: Double) -> [Int32] {
        var out: [Int32] = []
        search(minX: minX, minY: minY, maxX: maxX, maxY: maxY) { out.append($0); return true }
        return out
    }
}
