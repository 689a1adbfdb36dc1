import Geo

/// JSON answers of the network routes, written by hand to keep member order.
/// `tile_id` is the store row id, the feature id vector tiles carry, so a map
/// can highlight answers with feature-state. Coordinates are written in `crs`.
public enum PipeNetworkJSON {
    static func number(_ v: Double, _ digits: Int = 1) -> String { GeoJSON.formatCoordinate(v, digits) }

    static func ids(_ items: [Int32], _ name: (Int) -> String, into out: inout String) {
        out += "["
        for (k, i) in items.enumerated() {
            if k > 0 { out += "," }
            JSONWriter.writeString(name(Int(i)), to: &out)
        }
        out += "]"
    }

    static func node(_ n: PipeNetwork, _ v: Int, crs: CRS, reason: String? = nil, into out: inout String) {
        out += "{\"node_id\":"
        JSONWriter.writeString(n.nodeIDs[v], to: &out)
        out += ",\"kind\":\"\(n.nodeKind[v].name)\""
        if n.nodeKind[v] == .valve { out += ",\"state\":\"\(n.valveState[v].name)\"" }
        if let reason { out += ",\"reason\":\"\(reason)\"" }
        if let l = n.nodeLayer, n.nodeFeature[v] >= 0, let c = n.nodePoint(v) {
            let o = crs.fromWGS84(c)
            out += ",\"tile_id\":\(l.featureIDs[Int(n.nodeFeature[v])]),\"lon\":\(number(o.x, 7)),\"lat\":\(number(o.y, 7))}"
        } else {
            out += ",\"tile_id\":null,\"lon\":null,\"lat\":null}"
        }
    }

    static func nodes(_ n: PipeNetwork, _ items: [Int32], crs: CRS, into out: inout String) {
        out += "["
        for (k, v) in items.enumerated() {
            if k > 0 { out += "," }
            node(n, Int(v), crs: crs, into: &out)
        }
        out += "]"
    }

    static func pipeSet(_ n: PipeNetwork, pipes: [Int32], nodes: [Int32], length: Double, into out: inout String) {
        out += "{\"pipe_count\":\(pipes.count),\"node_count\":\(nodes.count),\"length_m\":\(number(length)),\"pipes\":"
        ids(pipes, { n.pipeIDs[$0] }, into: &out)
        out += ",\"tile_ids\":["
        for (k, p) in pipes.enumerated() {
            if k > 0 { out += "," }
            out += String(n.pipeLayer.featureIDs[Int(n.pipeFeature[Int(p)])])
        }
        out += "],\"nodes\":"
        ids(nodes, { n.nodeIDs[$0] }, into: &out)
        out += "}"
    }

    static func area(_ s: CitySnapshot, _ a: AffectedArea, serviceDistance: Double, crs: CRS, into out: inout String) {
        out += ",\"service_distance_m\":\(number(serviceDistance)),\"buildings\":{\"count\":\(a.buildings.count)"
        if let b = s.layer(role: .building) {
            out += ",\"layer\":"
            JSONWriter.writeString(b.info.name, to: &out)
            out += ",\"tile_ids\":[" + a.buildings.map { String(b.featureIDs[$0]) }.joined(separator: ",") + "]"
        }
        out += "},\"grids\":["
        if let g = s.layer(role: .grid) {
            for (k, i) in a.grids.enumerated() {
                if k > 0 { out += "," }
                let o = g.properties.object(i)
                out += "{\"code\":"
                JSONWriter.write(o["code"] ?? .null, to: &out)
                out += ",\"name\":"
                JSONWriter.write(o["name"] ?? .null, to: &out)
                out += ",\"tile_id\":\(g.featureIDs[i])}"
            }
        }
        out += "],\"handlers\":["
        if let h = s.layer(role: .handler) {
            for (k, i) in a.handlers.enumerated() {
                if k > 0 { out += "," }
                let o = h.properties.object(i)
                out += "{"
                for (m, key) in ["handler_id", "type", "name", "grid_code"].enumerated() {
                    if m > 0 { out += "," }
                    out += "\"\(key)\":"
                    JSONWriter.write(o[key] ?? .null, to: &out)
                }
                out += "}"
            }
        }
        out += "],\"outline\":"
        if let o = a.outline { GeoJSON.write(crs.fromWGS84(o), to: &out) } else { out += "null" }
    }

    /// `POST /v1/networks/{network}/isolate` as JSON.
    public static func isolation(_ s: CitySnapshot, _ a: IsolationAnswer, crs: CRS) -> String {
        let n = a.network, iso = a.isolation
        var out = "{\"network\":"
        JSONWriter.writeString(n.name, to: &out)
        out += ",\"pipe_id\":"
        JSONWriter.writeString(n.pipeIDs[iso.startPipe], to: &out)
        out += ",\"pipe_tile_id\":\(n.pipeLayer.featureIDs[Int(n.pipeFeature[iso.startPipe])]),\"pipe_layer\":"
        JSONWriter.writeString(n.pipeLayer.info.name, to: &out)
        out += ",\"node_layer\":"
        if let l = n.nodeLayer { JSONWriter.writeString(l.info.name, to: &out) } else { out += "null" }
        out += ",\"snap_distance_m\":" + (a.snapDistanceM.map { number($0, 2) } ?? "null")
        out += ",\"has_source\":\(iso.hasSource),\"note\":"
        if !iso.hasSource {
            out += "\"network \(n.name) has no source node (kind source): the area cut off from supply is not known\""
        } else if !iso.sourcesInCut.isEmpty {
            out += "\"a source feeds the cut directly: shut it at the source as well\""
        } else if iso.valvesToClose.isEmpty {
            out += "\"no operable valve bounds the cut\""
        } else {
            out += "null"
        }
        out += ",\"valves_to_close\":"
        nodes(n, iso.valvesToClose, crs: crs, into: &out)
        out += ",\"valves_already_closed\":"
        nodes(n, iso.valvesAlreadyClosed, crs: crs, into: &out)
        out += ",\"valves_passed\":["
        for (k, vp) in iso.valvesPassed.enumerated() {
            if k > 0 { out += "," }
            node(n, Int(vp.node), crs: crs, reason: vp.reason, into: &out)
        }
        out += "],\"sources_in_cut\":"
        nodes(n, iso.sourcesInCut, crs: crs, into: &out)
        out += ",\"isolated\":"
        pipeSet(n, pipes: iso.pipes, nodes: iso.nodes, length: iso.segmentLengthM, into: &out)
        out += ",\"unintended\":"
        pipeSet(n, pipes: iso.unintendedPipes, nodes: iso.unintendedNodes, length: iso.unintendedLengthM, into: &out)
        out += ",\"total_length_m\":\(number(iso.segmentLengthM + iso.unintendedLengthM))"
        area(s, a.area, serviceDistance: a.serviceDistanceM, crs: crs, into: &out)
        return out + "}"
    }

    /// `GET /v1/networks/{network}/trace` as JSON.
    public static func trace(_ s: CitySnapshot, _ a: TraceAnswer, crs: CRS) -> String {
        let n = a.network, t = a.trace
        var out = "{\"network\":"
        JSONWriter.writeString(n.name, to: &out)
        out += ",\"direction\":\"\(t.direction.rawValue)\",\"from\":"
        node(n, t.startNode, crs: crs, into: &out)
        out += ",\"snap_distance_m\":" + (a.snapDistanceM.map { number($0, 2) } ?? "null")
        out += ",\"pipe_layer\":"
        JSONWriter.writeString(n.pipeLayer.info.name, to: &out)
        out += ",\"traced\":"
        pipeSet(n, pipes: t.pipes, nodes: t.nodes, length: t.lengthM, into: &out)
        out += ",\"length_m\":\(number(t.lengthM)),\"outfalls\":"
        nodes(n, t.outfalls, crs: crs, into: &out)
        out += ",\"manholes\":\(t.manholeCount),\"sources\":"
        nodes(n, t.sources, crs: crs, into: &out)
        area(s, a.area, serviceDistance: a.serviceDistanceM, crs: crs, into: &out)
        return out + "}"
    }

    /// Pipes (and nodes) as a GeoJSON FeatureCollection whose feature ids are tile feature ids;
    /// each feature's `role` says what it is in the answer (e.g. isolated, unintended, valve_to_close).
    public static func featureCollection(_ n: PipeNetwork, pipes: [(role: String, items: [Int32])], nodes: [(role: String, items: [Int32])],
                                         outline: Geometry?, crs: CRS) -> String {
        var out = "{\"type\":\"FeatureCollection\",\"features\":["
        var first = true
        func sep() {
            if !first { out += "," }
            first = false
        }
        for (role, items) in pipes {
            for p in items {
                let f = Int(n.pipeFeature[Int(p)])
                sep()
                out += "{\"type\":\"Feature\",\"id\":\(n.pipeLayer.featureIDs[f]),\"properties\":{\"layer\":"
                JSONWriter.writeString(n.pipeLayer.info.name, to: &out)
                out += ",\"role\":\"\(role)\",\"pipe_id\":"
                JSONWriter.writeString(n.pipeIDs[Int(p)], to: &out)
                out += ",\"length_m\":\(number(n.pipeLength[Int(p)]))},\"geometry\":"
                GeoJSON.write(crs.fromWGS84(n.pipeLayer.geometry.geometry(f)), to: &out)
                out += "}"
            }
        }
        for (role, items) in nodes {
            for v in items {
                guard let l = n.nodeLayer, n.nodeFeature[Int(v)] >= 0, let c = n.nodePoint(Int(v)) else { continue }
                sep()
                out += "{\"type\":\"Feature\",\"id\":\(l.featureIDs[Int(n.nodeFeature[Int(v)])]),\"properties\":{\"layer\":"
                JSONWriter.writeString(l.info.name, to: &out)
                out += ",\"role\":\"\(role)\",\"node_id\":"
                JSONWriter.writeString(n.nodeIDs[Int(v)], to: &out)
                out += ",\"kind\":\"\(n.nodeKind[Int(v)].name)\"},\"geometry\":"
                GeoJSON.write(crs.fromWGS84(Geometry.point(c)), to: &out)
                out += "}"
            }
        }
        if let outline {
            sep()
            out += "{\"type\":\"Feature\",\"id\":null,\"properties\":{\"role\":\"outline\"},\"geometry\":"
            GeoJSON.write(crs.fromWGS84(outline), to: &out)
            out += "}"
        }
        return out + "]}"
    }

    public static func isolationFeatures(_ a: IsolationAnswer, crs: CRS) -> String {
        let i = a.isolation
        return featureCollection(a.network, pipes: [("isolated", i.pipes), ("unintended", i.unintendedPipes)],
                                 nodes: [("valve_to_close", i.valvesToClose), ("valve_closed", i.valvesAlreadyClosed), ("source_in_cut", i.sourcesInCut)],
                                 outline: a.area.outline, crs: crs)
    }

    public static func traceFeatures(_ a: TraceAnswer, crs: CRS) -> String {
        featureCollection(a.network, pipes: [("traced", a.trace.pipes)], nodes: [("start", [Int32(a.trace.startNode)]), ("outfall", a.trace.outfalls)],
                          outline: a.area.outline, crs: crs)
    }

    /// `GET /v1/networks/{network}/check`; each list shows at most `limit` items after its count.
    public static func check(_ n: PipeNetwork, _ c: NetworkCheck, limit: Int) -> String {
        var out = "{\"network\":"
        JSONWriter.writeString(n.name, to: &out)
        let faults = c.duplicatePipeIDs.count + c.duplicateNodeIDs.count + c.missingNodes.count + c.pipesWithoutEnds.count
            + c.selfLoops.count + c.farEnds.count + c.reversedPipes.count + (c.components.count > 1 ? 1 : 0)
        out += ",\"ok\":\(faults == 0),\"tolerance_m\":\(number(c.toleranceM, 2)),\"pipes\":\(c.pipeCount),\"nodes\":\(c.nodeCount)"
        out += ",\"length_m\":\(number(c.lengthM)),\"sources\":\(c.sourceCount),\"outfalls\":\(c.outfallCount),\"valves\":{"
        out += c.valves.keys.sorted().map { "\"\($0)\":\(c.valves[$0]!)" }.joined(separator: ",") + "}"
        if c.sourceCount == 0 { out += ",\"note\":\"no source node (kind source): isolation cannot say what is cut off from supply\"" }
        func list(_ name: String, _ items: [String]) {
            out += ",\"\(name)\":{\"count\":\(items.count),\"items\":"
            JSONWriter.write(.array(items.prefix(limit).map { .string($0) }), to: &out)
            out += "}"
        }
        list("duplicate_pipe_ids", c.duplicatePipeIDs)
        list("duplicate_node_ids", c.duplicateNodeIDs)
        out += ",\"missing_nodes\":{\"count\":\(c.missingNodes.count),\"items\":["
        for (k, m) in c.missingNodes.prefix(limit).enumerated() {
            if k > 0 { out += "," }
            out += "{\"node_id\":"
            JSONWriter.writeString(m.node, to: &out)
            out += ",\"pipes\":"
            JSONWriter.write(.array(m.pipes.map { .string($0) }), to: &out)
            out += "}"
        }
        out += "]}"
        list("pipes_without_ends", c.pipesWithoutEnds)
        list("self_loops", c.selfLoops)
        list("reversed_pipes", c.reversedPipes)
        out += ",\"dangling_pipes\":{\"count\":\(c.danglingPipes.count),\"items\":["
        for (k, d) in c.danglingPipes.prefix(limit).enumerated() {
            if k > 0 { out += "," }
            out += "{\"pipe_id\":"
            JSONWriter.writeString(d.pipe, to: &out)
            out += ",\"node_id\":"
            JSONWriter.writeString(d.node, to: &out)
            out += "}"
        }
        out += "]},\"far_ends\":{\"count\":\(c.farEnds.count),\"items\":["
        for (k, f) in c.farEnds.prefix(limit).enumerated() {
            if k > 0 { out += "," }
            out += "{\"pipe_id\":"
            JSONWriter.writeString(n.pipeIDs[Int(f.pipe)], to: &out)
            out += ",\"node_id\":"
            JSONWriter.writeString(n.nodeIDs[Int(f.node)], to: &out)
            out += ",\"end\":\"\(f.end)\",\"distance_m\":\(number(f.distanceM, 2))}"
        }
        out += "]},\"orphan_nodes\":{\"count\":\(c.orphanNodes.count),\"items\":"
        JSONWriter.write(.array(c.orphanNodes.prefix(limit).map { .string($0) }), to: &out)
        out += "},\"components\":{\"count\":\(c.components.count),\"items\":["
        for (k, p) in c.components.prefix(limit).enumerated() {
            if k > 0 { out += "," }
            out += "{\"pipes\":\(p.pipes),\"nodes\":\(p.nodes),\"length_m\":\(number(p.lengthM)),\"sources\":\(p.sources)"
            out += ",\"outfalls\":\(p.outfalls),\"first_pipe\":"
            JSONWriter.writeString(n.pipeIDs[Int(p.firstPipe)], to: &out)
            out += "}"
        }
        return out + "]}}"
    }
}
