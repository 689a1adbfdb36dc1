/// A static R-tree packed in Hilbert order, in a few flat arrays (the
/// flatbush design): build once with `PackedRTreeBuilder`, then query from
/// any number of threads. Items are boxes, or points (stored as two doubles
/// instead of four, so a point layer costs ~22 bytes per point in all).
///
/// Layout: items are sorted along a Hilbert curve; `leaves` holds their
/// coordinates in that order (stride 2 for points, 4 for boxes) and
/// `itemIDs` maps a sorted slot back to the id given to `add`. Internal
/// nodes, level by level from the leaves up, are in `nodeBoxes` (4 doubles
/// each) with `nodeCounts` (items below each node, for counting without
/// visiting). Node `j` of level `l` covers children `j*nodeSize ..<
/// (j+1)*nodeSize` of level `l-1`.
public struct PackedRTree: Sendable {
    public let nodeSize: Int
    public let count: Int
    public let pointLeaves: Bool
    public let leaves: [Double]
    public let itemIDs: [Int32]
    let nodeBoxes: [Double]
    let nodeCounts: [Int32]
    /// For level l ≥ 1: the index of its first node in `nodeBoxes` / 4, and its node count.
    let levelStart: [Int]
    let levelCount: [Int]

    public var levels: Int { levelCount.count }
    public var bounds: (minX: Double, minY: Double, maxX: Double, maxY: Double) {
        guard count > 0 else { return (.infinity, .infinity, -.infinity, -.infinity) }
        let r = levelStart[levels - 1] * 4
        return (nodeBoxes[r], nodeBoxes[r + 1], nodeBoxes[r + 2], nodeBoxes[r + 3])
    }

    /// Bytes held by the index arrays (for the memory report).
    public var memoryBytes: Int { leaves.count * 8 + itemIDs.count * 4 + nodeBoxes.count * 8 + nodeCounts.count * 4 }

    /// Leaf box of sorted slot `i`.
    @inline(__always) func leafBox(_ i: Int) -> (Double, Double, Double, Double) {
        if pointLeaves {
            let x = leaves[2 * i], y = leaves[2 * i + 1]
            return (x, y, x, y)
        }
        return (leaves[4 * i], leaves[4 * i + 1], leaves[4 * i + 2], leaves[4 * i + 3])
    }

    @inline(__always) func nodeBox(_ level: Int, _ j: Int) -> (Double, Double, Double, Double) {
        let b = (levelStart[level] + j) * 4
        return (nodeBoxes[b], nodeBoxes[b + 1], nodeBoxes[b + 2], nodeBoxes[b + 3])
    }

    /// Children range of node `j` at `level` (in level − 1).
    @inline(__always) func children(_ level: Int, _ j: Int) -> Range<Int> {
        let below = level == 1 ? count : levelCount[level - 1]
        return (j * nodeSize)..<min((j + 1) * nodeSize, below)
    }
}

/// Collects items, then `finish()` sorts and packs them. Ids are the
/// caller's (e.g. feature positions), returned by every search.
public struct PackedRTreeBuilder {
    public let pointLeaves: Bool
    var coords: [Double] = []
    var ids: [Int32] = []

    public init(pointLeaves: Bool = false, reserve: Int = 0) {
        self.pointLeaves = pointLeaves
        coords.reserveCapacity(reserve * (pointLeaves ? 2 : 4))
        ids.reserveCapacity(reserve)
    }

    public var count: Int { ids.count }

    public mutating func add(id: Int32, minX: Double, minY: Double, maxX: Double, maxY: Double) {
        precondition(!pointLeaves, "programmer error: box added to a point tree")
        coords.append(minX); coords.append(minY); coords.append(maxX); coords.append(maxY)
        ids.append(id)
    }

    public mutating func add(id: Int32, x: Double, y: Double) {
        if pointLeaves { coords.append(x); coords.append(y) } else { coords += [x, y, x, y] }
        ids.append(id)
    }

    /// A position in 0...1 of the extent as a 16-bit Hilbert grid coordinate;
    /// out-of-range or NaN positions (non-finite coordinates) clamp instead of trapping.
    @inline(__always) static func hilbertCoordinate(_ t: Double) -> UInt32 {
        let v = 65535 * t
        guard v >= 0 else { return 0 }
        return v < 65535 ? UInt32(v) : 65535
    }

    public func finish(nodeSize: Int = 16) -> PackedRTree {
        precondition(nodeSize >= 2 && nodeSize <= 1024, "programmer error: node size \(nodeSize)")
        let n = ids.count
        let stride = pointLeaves ? 2 : 4
        func box(_ i: Int) -> (Double, Double, Double, Double) {
            pointLeaves ? (coords[2 * i], coords[2 * i + 1], coords[2 * i], coords[2 * i + 1])
                        : (coords[4 * i], coords[4 * i + 1], coords[4 * i + 2], coords[4 * i + 3])
        }
        var minX = Double.infinity, minY = Double.infinity, maxX = -Double.infinity, maxY = -Double.infinity
        for i in 0..<n {
            let b = box(i)
            minX = min(minX, b.0); minY = min(minY, b.1); maxX = max(maxX, b.2); maxY = max(maxY, b.3)
        }
        // Hilbert order of box centres over the total extent.
        let w = maxX - minX, h = maxY - minY
        var keys = [UInt64](repeating: 0, count: n)
        for i in 0..<n {
            let b = box(i)
            let hx = w > 0 ? Self.hilbertCoordinate(((b.0 + b.2) / 2 - minX) / w) : 0
            let hy = h > 0 ? Self.hilbertCoordinate(((b.1 + b.3) / 2 - minY) / h) : 0
            // Ties keep input order, so a build is deterministic.
            keys[i] = UInt64(hilbert(hx, hy)) << 32 | UInt64(i)
        }
        keys.sort()
        var leaves = [Double](repeating: 0, count: n * stride)
        var itemIDs = [Int32](repeating: 0, count: n)
        for (slot, key) in keys.enumerated() {
            let i = Int(key & 0xFFFF_FFFF)
            for k in 0..<stride { leaves[slot * stride + k] = coords[i * stride + k] }
            itemIDs[slot] = ids[i]
        }
        // Levels above the leaves.
        var nodeBoxes: [Double] = []
        var nodeCounts: [Int32] = []
        var levelStart = [0], levelCount = [n]
        var below = n
        var level = 0
        while below > 1 || level == 0 {
            let nodes = (below + nodeSize - 1) / nodeSize
            let start = nodeBoxes.count / 4
            for j in 0..<max(nodes, 1) {
                var a = Double.infinity, b = Double.infinity, c = -Double.infinity, d = -Double.infinity
                var cnt: Int32 = 0
                for k in (j * nodeSize)..<min((j + 1) * nodeSize, below) {
                    let bx: (Double, Double, Double, Double)
                    if level == 0 {
                        bx = pointLeaves ? (leaves[2 * k], leaves[2 * k + 1], leaves[2 * k], leaves[2 * k + 1])
                                         : (leaves[4 * k], leaves[4 * k + 1], leaves[4 * k + 2], leaves[4 * k + 3])
                        cnt += 1
                    } else {
                        let o = (levelStart[level] + k) * 4
                        bx = (nodeBoxes[o], nodeBoxes[o + 1], nodeBoxes[o + 2], nodeBoxes[o + 3])
                        cnt += nodeCounts[levelStart[level] + k]
                    }
                    a = min(a, bx.0); b = min(b, bx.1); c = max(c, bx.2); d = max(d, bx.3)
                }
                nodeBoxes += [a, b, c, d]
                nodeCounts.append(cnt)
            }
            level += 1
            levelStart.append(start)
            levelCount.append(max(nodes, 1))
            below = max(nodes, 1)
            if n == 0 { break }
        }
        return PackedRTree(nodeSize: nodeSize, count: n, pointLeaves: pointLeaves, leaves: leaves, itemIDs: itemIDs,
                           nodeBoxes: nodeBoxes, nodeCounts: nodeCounts, levelStart: levelStart, levelCount: levelCount)
    }
}
