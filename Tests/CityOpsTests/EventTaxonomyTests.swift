import CityOps
import Testing

/// The event taxonomy: rules, scoring, confidence, overrides.
@Suite struct EventTaxonomyTests {
    let t = EventTaxonomy()

    @Test(arguments: [
        ("市民反映建设路2号门口有人占道经营，请处理", "占道经营", "街面秩序"),
        ("在建设路和解放路路口有井盖缺失", "井盖缺失", "公用设施"),
        ("小区门口的路灯不亮好几天了", "路灯损坏", "公用设施"),
        ("消防栓被车撞坏了", "消防栓损坏", "公用设施"),
        ("墙上贴满了小广告", "非法小广告", "宣传广告"),
        ("工地半夜还在施工，噪音很大", "施工扰民", "施工管理"),
        ("广场舞音响太吵", "噪音扰民", "扩展事件"),
        ("自来水管爆了，路面冒水", "管道破裂", "突发事件"),
        ("暴雨后路口积水很深", "道路积水", "突发事件"),
        ("红绿灯不亮，路口很乱", "交通信号灯故障", "道路交通"),
        ("共享单车乱停，堵住了人行道", "共享单车乱停放", "街面秩序"),
        ("行道树被折断了", "绿化损坏", "园林绿化"),
    ])
    func phrasesPickTheirType(_ c: (String, String, String)) {
        let p = t.classify(c.0)
        #expect(p?.type == c.1, "\(c.0) → \(String(describing: p))")
        #expect(p?.category == c.2)
    }

    @Test func confidenceFollowsTheFormula() throws {
        // One 2-character phrase alone: 1 · (1 − e^(−2/3)).
        let one = try #require(t.classify("有人摆摊"))
        #expect(abs(one.confidence - (1 - exp(-2.0 / 3)).rounded3) < 1e-9)
        // More evidence, more certain; a rival type's evidence, less.
        let more = try #require(t.classify("商贩摆摊占道经营"))
        #expect(more.confidence > one.confidence)
        let rival = try #require(t.classify("有人摆摊，还有井盖缺失"))
        #expect(rival.confidence < 0.75)
        #expect(t.classify("今天天气很好") == nil)
        #expect(t.classify("") == nil)
    }

    /// Every rule of the default table is reachable: its own longest phrase classifies to it.
    @Test func everyRuleWinsOnItsOwnLongestPhrase() {
        for r in t.rules {
            let phrase = r.keywords.max { $0.count < $1.count }!.replacingOccurrences(of: "+", with: "")
            #expect(t.classify(phrase)?.type == r.type, "\(r.type): \(phrase) → \(String(describing: t.classify(phrase)?.type))")
        }
    }

    @Test func overridesReplaceOrAdd() {
        let custom = t.overridden(by: [EventTypeRule(type: "占道经营", kind: "事件", category: "街面秩序", keywords: ["卖菜"], handlerType: "grid_worker"),
                                       EventTypeRule(type: "电梯故障", kind: "部件", category: "房屋土地", keywords: ["电梯"], handlerType: "property")])
        #expect(custom.rules.count == t.rules.count + 1)
        #expect(custom.classify("有人卖菜")?.type == "占道经营")
        #expect(custom.classify("有人摆摊")?.type != "占道经营")
        #expect(custom.classify("电梯坏了")?.type == "电梯故障")
        var s = DispatchSettings()
        s.taxonomy = custom
        #expect(s.handlerType(for: "电梯故障") == "property")
        // The settings' own mapping wins over the rule's.
        #expect(s.handlerType(for: "井盖缺失") == "water")
        #expect(s.handlerType(for: "没有这种类型") == s.defaultHandlerType)
    }
}

extension Double {
    var rounded3: Double { (self * 1000).rounded() / 1000 }
}

import Foundation
