import Foundation
import Geo
import Storage

/// `--preset pipe-survey`: Chinese underground-pipe survey tables (管线点成果表 and
/// 管线线成果表, as XLSX, CSV or anything the readers take) become a `pipe_node` layer
/// and a `pipe` layer whose lines run from node to node.
///
/// - Point table: 物探点号 (or Exp_No, 点号), X, Y, 地面高程, 特征, 附属物, …; a node's
///   `kind` comes from 附属物/特征 (阀 → valve, 出水口/排放口 → outfall, 井/篦 → manhole,
///   水源/水厂/泵站 → source, else junction).
/// - Line table: 起点号, 终点号, 管径 (DN300, Φ300, 300×200 → the first number), 材质, 埋深
///   (or 起点埋深/终点埋深); the line is the straight segment between its two nodes, and a
///   line whose node is not in the point table is rejected with that reason.
/// - Network: a 管线类型 column when there is one, else the letters the node number starts
///   with (JS 给水 → water, PS 排水 and YS 雨水 → drainage, WS 污水 → sewage, RQ/TR/MQ 燃气 →
///   gas, …); the code is kept as `network_code`.
/// - Axes: survey tables give X = northing and Y = easting (DESIGN §4); which reading a
///   file uses is decided from the values' ranges and reported. An easting with its zone
///   number in front (35 410 453.25) names the CGCS2000 3° or 6° Gauss-Kruger zone's EPSG
///   code; without one, `--srs` must say the CRS.
///
/// Every column is kept as it comes beside the role's properties. Layers: nodes go to
/// `<layer>_nodes`, pipes to `<layer>`, each in its own transaction (nodes first).
public enum PipeSurvey {
    public struct Outcome: Sendable {
        public var nodes: ImportSummary
        public var pipes: ImportSummary
        /// Which axis reading and CRS were taken, for the user.
        public var reading: String
    }

    static let nodeIDNames = ["物探点号", "exp_no", "expno", "点号", "管线点号", "测点号", "物探点", "node_id"]
    static let fromNames = ["起点号", "起点点号", "起点", "起始点号", "from_node"]
    static let toNames = ["终点号", "终点点号", "终点", "to_node"]
    static let diameterNames = ["管径", "规格", "断面尺寸", "断面", "diameter_mm"]
    static let materialNames = ["材质", "管材", "material"]
    static let depthNames = ["埋深"]
    static let fromDepthNames = ["起点埋深"]
    static let toDepthNames = ["终点埋深"]
    static let groundNames = ["地面高程", "地面标高", "地面高"]
    static let featureNames = ["特征", "特征点"]
    static let appurtenanceNames = ["附属物", "附属设施"]
    static let networkNames = ["管线类型", "管线种类", "管类", "类别", "network"]

    /// Survey codes and Chinese names of networks → network names (DESIGN's roles).
    static let networks: [String: String] = [
        "JS": "water", "GS": "water", "给水": "water", "供水": "water", "上水": "water",
        "PS": "drainage", "YS": "drainage", "排水": "drainage", "雨水": "drainage", "雨污合流": "drainage",
        "WS": "sewage", "污水": "sewage", "下水": "sewage",
        "RQ": "gas", "TR": "gas", "MQ": "gas", "燃气": "gas", "天然气": "gas", "煤气": "gas",
        "RS": "heat", "热力": "heat", "DL": "power", "电力": "power", "LD": "street_light", "路灯": "street_light",
        "TX": "telecom", "DX": "telecom", "YD": "telecom", "LT": "telecom", "通信": "telecom", "电信": "telecom",
        "ZS": "reclaimed_water", "中水": "reclaimed_water", "GY": "industrial", "工业": "industrial",
    ]

    /// A column name as tables vary it: no blanks, lower case, no unit in brackets.
    static func normalised(_ name: String) -> String {
        var s = name.lowercased().filter { !$0.isWhitespace }
        if let cut = s.firstIndex(where: { $0 == "(" || $0 == "（" || $0 == "[" }) { s = String(s[..<cut]) }
        return s
    }

    static func column(_ keys: [String], _ names: [String]) -> String? {
        keys.first { names.contains(normalised($0)) }
    }

    struct Table {
        var file: String
        var reader: String
        var records: [SourceRecord]
        var keys: [String]
    }

    static func readAll(_ path: String, options: ImportOptions) throws(ImportError) -> Table {
        // Point tables name their coordinate columns X and Y, which the readers take as a point.
        let source: any FeatureSource
        do {
            source = try LayerImporter.makeSource(path: path, options: options)
        } catch let e where e.code == .options && options.reader == .auto && SourceFormat(contentOf: path) == .csv {
            // A line table has no coordinates, which the own CSV reader requires: GDAL's reads it.
            var o = options
            o.reader = .gdal
            source = try LayerImporter.makeSource(path: path, options: o)
        }
        var records: [SourceRecord] = []
        var keys: [String] = []
        while let r = try source.next() {
            if keys.isEmpty, case .success(let f) = r.feature { keys = f.properties.keys }
            records.append(r)
        }
        return Table(file: path, reader: source.readerName, records: records, keys: keys)
    }

    public static func run(files: [String], options: ImportOptions, store: any FeatureStore) throws(ImportError) -> Outcome {
        guard !files.isEmpty else { throw ImportError(.options, "no input files") }
        var points: [Table] = []
        var lines: [Table] = []
        for f in files {
            let t = try readAll(f, options: options)
            if column(t.keys, fromNames) != nil && column(t.keys, toNames) != nil { lines.append(t) }
            else if column(t.keys, nodeIDNames) != nil { points.append(t) }
            else {
                throw ImportError(.format, "neither a point table (物探点号, X, Y …) nor a line table (起点号, 终点号 …); columns are \(t.keys.map { InputText.quoted($0) }.joined(separator: ", "))", file: f)
            }
        }
        guard !points.isEmpty else { throw ImportError(.options, "pipe-survey needs a point table (物探点号, X, Y …): the lines are drawn between its points") }

        // Axis reading from the value ranges of every point.
        var xy: [Coordinate] = []
        for t in points { for r in t.records { if case .success(let f) = r.feature, case .point(let c)? = f.geometry { xy.append(c) } } }
        let axes = try Axes(xy, srs: options.srs)

        var nodeRecords: [SourceRecord] = []
        var at: [String: Coordinate] = [:]
        var nodeNetwork: [String: (String?, String?)] = [:]
        for t in points {
            let idKey = column(t.keys, nodeIDNames)!
            let networkKey = column(t.keys, networkNames)
            let feature = column(t.keys, featureNames), appurtenance = column(t.keys, appurtenanceNames)
            let ground = column(t.keys, groundNames)
            for r in t.records {
                guard case .success(var f) = r.feature else { nodeRecords.append(r); continue }
                guard case .point(let c)? = f.geometry else {
                    nodeRecords.append(SourceRecord(index: r.index, feature: .failure(RejectReason("row \(r.index + 1): no X/Y point")), rawText: r.rawText))
                    continue
                }
                let id = f.properties[idKey]?.textValue.trimmingCharacters(in: .whitespaces) ?? ""
                let p = axes.map(c)
                f.geometry = .point(p)
                if !id.isEmpty { at[id] = p }
                let (code, network) = Self.network(column: networkKey.flatMap { f.properties[$0]?.textValue }, nodeID: id)
                nodeNetwork[id] = (code, network)
                let kindText = [appurtenance, feature].compactMap { $0.flatMap { f.properties[$0]?.textValue } }.joined(separator: " ")
                var props = f.properties
                props["node_id"] = id.isEmpty ? .null : .string(id)
                props["kind"] = .string(Self.kind(kindText))
                if let network { props["network"] = .string(network) }
                if let code { props["network_code"] = .string(code) }
                if let ground, let v = f.properties[ground].flatMap(Self.number) { props["ground_elevation_m"] = .number(v) }
                f.properties = props
                nodeRecords.append(SourceRecord(index: r.index, feature: .success(f), rawText: r.rawText))
            }
        }

        var pipeRecords: [SourceRecord] = []
        for t in lines {
            let fromKey = column(t.keys, fromNames)!, toKey = column(t.keys, toNames)!
            let diameter = column(t.keys, diameterNames), material = column(t.keys, materialNames)
            let depth = column(t.keys, depthNames), fromDepth = column(t.keys, fromDepthNames), toDepth = column(t.keys, toDepthNames)
            let networkKey = column(t.keys, networkNames)
            for r in t.records {
                guard case .success(var f) = r.feature else { pipeRecords.append(r); continue }
                let from = f.properties[fromKey]?.textValue.trimmingCharacters(in: .whitespaces) ?? ""
                let to = f.properties[toKey]?.textValue.trimmingCharacters(in: .whitespaces) ?? ""
                guard let a = at[from], let b = at[to] else {
                    let missing = at[from] == nil ? "起点号 \(InputText.quoted(from))" : "终点号 \(InputText.quoted(to))"
                    pipeRecords.append(SourceRecord(index: r.index, feature: .failure(RejectReason("row \(r.index + 1): \(missing) is not in the point table")), rawText: r.rawText))
                    continue
                }
                var props = f.properties
                props["from_node"] = .string(from)
                props["to_node"] = .string(to)
                let (code, network) = networkKey.flatMap { f.properties[$0]?.textValue }.map { Self.network(column: $0, nodeID: from) }
                    ?? nodeNetwork[from] ?? (nil, nil)
                if let network { props["network"] = .string(network) }
                if let code { props["network_code"] = .string(code) }
                if let diameter, let d = f.properties[diameter].flatMap(Self.firstNumber) { props["diameter_mm"] = .number(d) }
                if let material, let m = f.properties[material], m != .null { props["material"] = .string(m.textValue) }
                if let depth, let v = f.properties[depth].flatMap(Self.number) { props["depth_m"] = .number(v) }
                if let fromDepth, let v = f.properties[fromDepth].flatMap(Self.number) { props["from_depth_m"] = .number(v) }
                if let toDepth, let v = f.properties[toDepth].flatMap(Self.number) { props["to_depth_m"] = .number(v) }
                f.properties = props
                f.geometry = .lineString([a, b])
                pipeRecords.append(SourceRecord(index: r.index, feature: .success(f), rawText: r.rawText))
            }
        }

        var nodeOptions = options
        nodeOptions.layer = options.layer + "_nodes"
        nodeOptions.role = .pipeNode
        nodeOptions.srs = axes.crs
        nodeOptions.rejectsPath = options.rejectsPath.map { $0 + ".nodes" }
        let nodeSource = MemorySource(nodeRecords, reader: points.map(\.reader).joined(separator: "; "))
        let nodes = try LayerImporter.run(sources: [(points.map(\.file).joined(separator: ","), nodeSource)], options: nodeOptions, store: store)
        var pipeOptions = options
        pipeOptions.role = .pipe
        pipeOptions.srs = axes.crs
        let pipeSource = MemorySource(pipeRecords, reader: lines.map(\.reader).joined(separator: "; "))
        let pipes: ImportSummary
        if lines.isEmpty { pipes = ImportSummary() } else {
            pipes = try LayerImporter.run(sources: [(lines.map(\.file).joined(separator: ","), pipeSource)], options: pipeOptions, store: store)
        }
        return Outcome(nodes: nodes, pipes: pipes, reading: axes.reading)
    }

    static func kind(_ text: String) -> String {
        if text.contains("阀") { return "valve" }
        if text.contains("出水口") || text.contains("排放口") || text.contains("出口") { return "outfall" }
        if text.contains("井") || text.contains("篦") { return "manhole" }
        if text.contains("水源") || text.contains("水厂") || text.contains("泵站") || text.contains("调压站") { return "source" }
        return "junction"
    }

    /// (code, network) from a type column (code or Chinese name) or the node number's leading letters.
    static func network(column: String?, nodeID: String) -> (String?, String?) {
        if let c = column?.trimmingCharacters(in: .whitespaces), !c.isEmpty {
            if let n = networks[c.uppercased()] { return (c.uppercased(), n) }
            // The name that comes first in the text (the longer at the same place): "雨水污水合流"
            // is drainage whatever the dictionary's order, which changes from run to run.
            var best: (at: Int, length: Int, network: String)?
            for (key, network) in networks where !key.allSatisfy(\.isASCII) {
                guard let r = c.range(of: key) else { continue }
                let at = c.distance(from: c.startIndex, to: r.lowerBound)
                if best.map({ at < $0.at || (at == $0.at && key.count > $0.length) }) ?? true { best = (at, key.count, network) }
            }
            if let best { return (nil, best.network) }
            return (nil, c)
        }
        let letters = String(nodeID.prefix { $0.isASCII && $0.isLetter }).uppercased()
        guard letters.count >= 2 else { return (nil, nil) }
        let code = String(letters.prefix(2))
        return (code, networks[code])
    }

    static func number(_ v: JSONValue) -> Double? {
        if let d = v.doubleValue { return d }
        return Double(v.textValue.trimmingCharacters(in: .whitespaces))
    }

    /// The first number in a size text: "DN300" → 300, "Φ300" → 300, "300×200" → 300.
    static func firstNumber(_ v: JSONValue) -> Double? {
        if let d = v.doubleValue { return d }
        let digits = v.textValue.drop { !$0.isNumber }.prefix { $0.isNumber || $0 == "." }
        return Double(digits)
    }

    /// Which column is easting, from the ranges of the values; the CRS that follows.
    struct Axes {
        var swap: Bool
        var crs: CRS
        var reading: String

        init(_ points: [Coordinate], srs: CRS?) throws(ImportError) {
            func northing(_ v: Double) -> Bool { (2_000_000...6_100_000).contains(v) }
            func easting(_ v: Double) -> Bool { (100_000...900_000).contains(v) || (13_000_000...46_000_000).contains(v) }
            func lon(_ v: Double) -> Bool { (73...136).contains(v) }
            func lat(_ v: Double) -> Bool { (3...54).contains(v) }
            var survey = 0, gis = 0, degrees = 0, swappedDegrees = 0
            for p in points {
                if northing(p.x) && easting(p.y) { survey += 1 }
                else if easting(p.x) && northing(p.y) { gis += 1 }
                else if lon(p.x) && lat(p.y) { degrees += 1 }
                else if lat(p.x) && lon(p.y) { swappedDegrees += 1 }
            }
            let best = max(survey, gis, degrees, swappedDegrees)
            guard best > 0, best * 10 >= points.count * 9 else {
                throw ImportError(.format, "X/Y are neither Gauss-Kruger metres nor degrees in China for 90% of the points (\(points.count) points): check the columns or give --srs")
            }
            if best == degrees || best == swappedDegrees {
                swap = best == swappedDegrees
                crs = srs ?? .cgcs2000
                reading = swap ? "X is latitude, Y longitude (degrees)" : "X is longitude, Y latitude (degrees)"
                return
            }
            let surveyAxes = best == survey
            swap = surveyAxes
            let eastings = points.map { surveyAxes ? $0.y : $0.x }
            let zoned = eastings.filter { $0 >= 13_000_000 }
            reading = surveyAxes ? "X is northing, Y easting (surveying axes)" : "X is easting, Y northing"
            if let srs {
                crs = srs
                reading += ", CRS \(srs) from --srs"
                return
            }
            guard let first = zoned.first, zoned.count == eastings.count else {
                throw ImportError(.crs, "eastings carry no zone number (\(reading)): give --srs, e.g. EPSG:4544 for CGCS2000 Gauss-Kruger CM 105°E")
            }
            let zone = Int(first / 1_000_000)
            guard eastings.allSatisfy({ Int($0 / 1_000_000) == zone }) else {
                throw ImportError(.crs, "eastings carry different zone numbers: one zone per import, or give --srs")
            }
            let code: Int
            switch zone {
            case 25...45: code = 4513 + zone - 25 // CGCS2000 / 3-degree Gauss-Kruger zone 25…45
            case 13...23: code = 4491 + zone - 13 // CGCS2000 / Gauss-Kruger zone 13…23 (6°)
            default: throw ImportError(.crs, "easting zone number \(zone) is not a Chinese Gauss-Kruger zone: give --srs")
            }
            crs = .proj("EPSG:\(code)")
            reading += ", zone \(zone) in the easting: CGCS2000 \(zone >= 25 ? "3°" : "6°") Gauss-Kruger EPSG:\(code)"
        }

        func map(_ c: Coordinate) -> Coordinate { swap ? Coordinate(c.y, c.x) : c }
    }
}

/// Features already read, served as a source (the preset's built nodes and pipes).
final class MemorySource: FeatureSource {
    let records: [SourceRecord]
    let readerName: String
    var position = 0

    init(_ records: [SourceRecord], reader: String) {
        self.records = records
        readerName = reader
    }

    func next() throws(ImportError) -> SourceRecord? {
        guard position < records.count else { return nil }
        defer { position += 1 }
        return records[position]
    }

    var bytesRead: Int64 { Int64(position) }
    var totalBytes: Int64? { Int64(records.count) }
    var declaredCRS: CRS? { nil }
}
