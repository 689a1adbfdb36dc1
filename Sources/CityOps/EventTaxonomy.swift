/// One event type of the taxonomy and the words that call for it.
public struct EventTypeRule: Sendable, Equatable {
    /// The event type written on the order (占道经营, 井盖缺失 …).
    public var type: String
    /// 事件 (something happening) or 部件 (a piece of city equipment at fault), as in CJ/T 214-2007.
    public var kind: String
    /// The major category (市容环境, 宣传广告, 施工管理, 突发事件, 街面秩序, 公用设施, 道路交通, 园林绿化 …).
    public var category: String
    /// Phrases; `A+B` matches when both A and B occur anywhere in the text.
    /// A match weighs its length in characters (longer phrases say more).
    public var keywords: [String]
    /// The handler type this event calls for when `DispatchSettings.handlerTypes` has none.
    public var handlerType: String?

    public init(type: String, kind: String, category: String, keywords: [String], handlerType: String? = nil) {
        self.type = type; self.kind = kind; self.category = category; self.keywords = keywords; self.handlerType = handlerType
    }

    /// The weight of the phrases found in `text` (0 when none).
    func score(_ text: String) -> (Int, [String]) {
        var total = 0
        var matched: [String] = []
        for k in keywords {
            let parts = k.split(separator: "+")
            guard !parts.isEmpty, parts.allSatisfy({ text.contains($0) }) else { continue }
            total += parts.reduce(0) { $0 + $1.count }
            matched.append(k)
        }
        return (total, matched)
    }
}

/// The event type proposed for an order that came without one.
public struct EventTypeProposal: Sendable, Equatable {
    public var type: String
    public var kind: String
    public var category: String
    /// 0–1: grows with the weight of the phrases found and shrinks when another type matched too.
    public var confidence: Double
    public var matched: [String]
}

/// A keyword/phrase taxonomy of event types. The default follows the national
/// digital city-management classification (CJ/T 214-2007, later GB/T 30428.2):
/// 事件 in 市容环境, 宣传广告, 施工管理, 突发事件, 街面秩序 and a local 扩展事件
/// category; 部件 in 公用设施, 道路交通, 市容环境, 园林绿化. Type names match
/// the handler mapping and deadlines of `DispatchSettings`. Deployments
/// override or add types in the config (`dispatch.event_types`).
public struct EventTaxonomy: Sendable, Equatable {
    public var rules: [EventTypeRule]
    /// Proposals below this confidence are not made (the order keeps no type and goes to review).
    public var minimumConfidence: Double

    public init(rules: [EventTypeRule] = EventTaxonomy.nationalRules, minimumConfidence: Double = 0.3) {
        self.rules = rules; self.minimumConfidence = minimumConfidence
    }

    /// The best type for a free text, or nil when no type reaches `minimumConfidence`.
    /// Confidence = s₁/(s₁+s₂) · (1 − e^(−s₁/3)), s₁ and s₂ the weights of the best and the runner-up.
    public func classify(_ text: String) -> EventTypeProposal? {
        var best: (Int, Int, [String])?, second = 0
        for (k, r) in rules.enumerated() {
            let (s, matched) = r.score(text)
            guard s > 0 else { continue }
            if let b = best, s <= b.0 {
                second = max(second, s)
            } else {
                if let b = best { second = max(second, b.0) }
                best = (s, k, matched)
            }
        }
        guard let (s, k, matched) = best else { return nil }
        let s1 = Double(s), s2 = Double(second)
        let confidence = (s1 / (s1 + s2)) * (1 - exp(-s1 / 3))
        guard confidence >= minimumConfidence else { return nil }
        let r = rules[k]
        return EventTypeProposal(type: r.type, kind: r.kind, category: r.category, confidence: (confidence * 1000).rounded() / 1000,
                                 matched: matched)
    }

    /// The rule of a type, if the taxonomy has it.
    public func rule(_ type: String) -> EventTypeRule? { rules.first { $0.type == type } }

    /// `rules` with each of `overrides` replacing the rule of its type, or added after them.
    public func overridden(by overrides: [EventTypeRule]) -> EventTaxonomy {
        var t = self
        for o in overrides {
            if let k = t.rules.firstIndex(where: { $0.type == o.type }) { t.rules[k] = o } else { t.rules.append(o) }
        }
        return t
    }
}

import Foundation
