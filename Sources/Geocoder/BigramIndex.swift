/// An in-memory inverted index of character bigrams over names, which
/// works for two-character Chinese terms (where an FTS5 trigram tokenizer
/// finds nothing). Candidates are ranked by the Dice coefficient of bigram
/// sets and can be verified by edit distance for typo tolerance.
public struct BigramIndex: Sendable {
    /// Normalized names, as characters.
    let names: [[Character]]
    /// bigram → name indices (ascending, unique).
    let postings: [String: [Int32]]
    /// Single characters → names, for one-character queries.
    let unigrams: [Character: [Int32]]

    public var count: Int { names.count }

    public init(_ names: [String]) {
        self.names = names.map(Array.init)
        var postings: [String: [Int32]] = [:], unigrams: [Character: [Int32]] = [:]
        for (i, n) in self.names.enumerated() {
            var seen = Set<String>()
            for b in Self.bigrams(n) where seen.insert(b).inserted { postings[b, default: []].append(Int32(i)) }
            for c in Set(n) { unigrams[c, default: []].append(Int32(i)) }
        }
        self.postings = postings
        self.unigrams = unigrams
    }

    static func bigrams(_ s: [Character]) -> [String] {
        guard s.count >= 2 else { return s.map { String($0) } }
        return (0..<(s.count - 1)).map { String(s[$0]) + String(s[$0 + 1]) }
    }

    public struct Hit: Sendable { public var index: Int; public var dice: Double; public var shared: Int }

    /// Names sharing bigrams with `query`, best Dice first, at most `limit`.
    public func search(_ query: String, limit: Int = 20, minDice: Double = 0.3) -> [Hit] {
        let q = Array(query)
        guard !q.isEmpty else { return [] }
        if q.count == 1 {
            return (unigrams[q[0]] ?? []).prefix(limit).map { Hit(index: Int($0), dice: 2.0 / Double(1 + names[Int($0)].count), shared: 1) }
        }
        let qb = Array(Set(Self.bigrams(q)))
        var counts: [Int32: Int] = [:]
        for b in qb { for i in postings[b] ?? [] { counts[i, default: 0] += 1 } }
        var hits: [Hit] = []
        for (i, shared) in counts {
            let n = names[Int(i)].count
            let dice = 2.0 * Double(shared) / Double(qb.count + max(n - 1, 1))
            if dice >= minDice { hits.append(Hit(index: Int(i), dice: dice, shared: shared)) }
        }
        hits.sort { $0.dice > $1.dice || ($0.dice == $1.dice && $0.index < $1.index) }
        return Array(hits.prefix(limit))
    }

    /// Levenshtein distance, stopping early above `limit`.
    public static func editDistance(_ a: [Character], _ b: [Character], limit: Int = 2) -> Int {
        if abs(a.count - b.count) > limit { return limit + 1 }
        var prev = Array(0...b.count), cur = [Int](repeating: 0, count: b.count + 1)
        for i in 1...max(a.count, 1) where a.count > 0 {
            cur[0] = i
            var rowMin = cur[0]
            for j in 1...max(b.count, 1) where b.count > 0 {
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
                rowMin = min(rowMin, cur[j])
            }
            if rowMin > limit { return limit + 1 }
            swap(&prev, &cur)
        }
        return a.isEmpty ? b.count : prev[b.count]
    }

    public func name(_ i: Int) -> [Character] { names[i] }
}
