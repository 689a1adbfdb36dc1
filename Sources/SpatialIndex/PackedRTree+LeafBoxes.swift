extension PackedRTree {
    /// As `search`, also handing out each item's box (a point's as minX = maxX,
    /// minY = maxY), so callers that need items' extents (tile thinning ranks
    /// features by size) need not rebuild them from the geometry.
    public func searchLeafBoxes(minX: Double, minY: Double, maxX: Double, maxY: Double,
                                _ visit: (Int32, Double, Double, Double, Double) -> Void) {
        guard count > 0 else { return }
        let stride = pointLeaves ? 2 : 4
        let hiX = pointLeaves ? 0 : 2, hiY = pointLeaves ? 1 : 3
        withUnsafeTemporaryAllocation(of: Int.self, capacity: 2 * (levels + 1) * nodeSize + 2) { stack in
            nodeBoxes.withUnsafeBufferPointer { boxes in
                leaves.withUnsafeBufferPointer { leaf in
                    itemIDs.withUnsafeBufferPointer { ids in
                        var sp = 0
                        stack[sp] = levels - 1
                        stack[sp + 1] = 0
                        sp += 2
                        while sp > 0 {
                            sp -= 2
                            let level = stack[sp], j = stack[sp + 1]
                            let below = level == 1 ? count : levelCount[level - 1]
                            let lo = j * nodeSize, hi = min(lo + nodeSize, below)
                            if level == 1 {
                                for k in lo..<hi {
                                    let o = k * stride
                                    if leaf[o + hiX] < minX || leaf[o + hiY] < minY || leaf[o] > maxX || leaf[o + 1] > maxY { continue }
                                    visit(ids[k], leaf[o], leaf[o + 1], leaf[o + hiX], leaf[o + hiY])
                                }
                            } else {
                                let base = levelStart[level - 1]
                                for k in lo..<hi {
                                    let o = (base + k) * 4
                                    if boxes[o + 2] < minX || boxes[o + 3] < minY || boxes[o] > maxX || boxes[o + 1] > maxY { continue }
                                    stack[sp] = level - 1
                                    stack[sp + 1] = k
                                    sp += 2
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}
