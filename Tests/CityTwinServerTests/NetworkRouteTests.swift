import CityOps
import CityTwinServer
import Foundation
import Geo
import Hummingbird
import HummingbirdTesting
import Testing

/// The network routes on the sample city: its looped water network with three
/// sources and valves, and the drainage network to its three outfalls.
@Suite struct NetworkRouteTests {
    static func get(_ client: some TestClientProtocol, _ uri: String) async throws -> (HTTPResponse.Status, JSONValue) {
        try await client.execute(uri: uri, method: .get) { r in (r.status, try JSONParser.parse(String(buffer: r.body))) }
    }

    static func post(_ client: some TestClientProtocol, _ uri: String, _ body: String) async throws -> (HTTPResponse.Status, JSONValue, String) {
        try await client.execute(uri: uri, method: .post, body: ByteBuffer(string: body)) { r in
            (r.status, try JSONParser.parse(String(buffer: r.body)), r.headers[.contentType] ?? "")
        }
    }

    /// The sample's pipes of one network, read from the layer itself (not through the network model).
    static func samplePipes(_ network: String) -> [(id: String, row: Int64, from: String, to: String)] {
        let l = SampleFixture.state.snapshot.layers["pipes"]!
        return (0..<l.count).compactMap { i in
            let o = l.properties.object(i)
            guard o["network"]?.stringValue == network else { return nil }
            return (o["pipe_id"]!.textValue, l.featureIDs[i], o["from_node"]!.textValue, o["to_node"]!.textValue)
        }
    }

    @Test func listAndCheckTheSampleNetworks() async throws {
        try await SampleFixture.app().test(.router) { client in
            let (s, list) = try await Self.get(client, "/v1/networks")
            #expect(s == .ok)
            let water = try #require(list["networks"]?.arrayValue?.first { $0["name"] == .string("water") })
            #expect(water["sources"] == .number(3))
            #expect(water["pipes"]?.doubleValue == Double(Self.samplePipes("water").count))
            for name in ["water", "drainage", "sewage"] {
                let (cs, c) = try await Self.get(client, "/v1/networks/\(name)/check")
                #expect(cs == .ok)
                #expect(c["ok"] == .bool(true), "\(name): \(JSONWriter.string(c))")
                #expect(c["components"]?["count"] == .number(1))
                #expect(c["missing_nodes"]?["count"] == .number(0) && c["far_ends"]?["count"] == .number(0))
            }
            let (_, drainage) = try await Self.get(client, "/v1/networks/drainage/check")
            #expect(drainage["outfalls"] == .number(3) && drainage["note"] != nil)
            // A tight tolerance finds the CSV's rounding (6 decimals, up to ~0.06 m).
            let (_, tight) = try await Self.get(client, "/v1/networks/water/check?tolerance=0&limit=3")
            #expect((tight["far_ends"]?["count"]?.doubleValue ?? 0) > 0)
            #expect((tight["far_ends"]?["items"]?.arrayValue?.count ?? 0) == 3)
        }
    }

    @Test func isolationAnswersWithTileIdsAndTheNextRing() async throws {
        let pipes = Self.samplePipes("water")
        let rowOf = Dictionary(uniqueKeysWithValues: pipes.map { ($0.id, $0.row) })
        let pick = pipes[pipes.count / 2]
        try await SampleFixture.app().test(.router) { client in
            let (s, a, type) = try await Self.post(client, "/v1/networks/water/isolate", #"{"pipe_id":"\#(pick.id)"}"#)
            #expect(s == .ok && type.hasPrefix("application/json"))
            #expect(a["has_source"] == .bool(true))
            let cut: [String] = a["isolated"]?["pipes"]?.arrayValue?.compactMap { $0.stringValue } ?? []
            let tiles: [Double] = a["isolated"]?["tile_ids"]?.arrayValue?.compactMap { $0.doubleValue } ?? []
            #expect(cut.contains(pick.id) && cut.count == tiles.count)
            // Tile ids are the pipes layer's row ids of the same pipes.
            for (id, t) in zip(cut, tiles) { #expect(Double(rowOf[id]!) == t) }
            let valves = try #require(a["valves_to_close"]?.arrayValue)
            #expect(!valves.isEmpty)
            #expect(valves.allSatisfy { $0["kind"] == .string("valve") && $0["state"] == .string("open") })
            #expect(a["outline"]?["type"] == .string("Polygon") || cut.count == 1)
            // The same as GeoJSON: one feature per pipe and valve, ids the tile ids.
            let (gs, g, gtype) = try await Self.post(client, "/v1/networks/water/isolate", #"{"pipe_id":"\#(pick.id)","format":"geojson"}"#)
            #expect(gs == .ok && gtype.hasPrefix("application/geo+json"))
            let features = try #require(g["features"]?.arrayValue)
            let cutFeatures = features.filter { $0["properties"]?["role"] == .string("isolated") }
            #expect(cutFeatures.compactMap { $0["id"]?.doubleValue } == tiles)
            #expect(features.filter { $0["properties"]?["role"] == .string("valve_to_close") }.count == valves.count)
            // A stuck valve: the next ring no longer proposes it and the cut grows.
            let stuck = valves[0]["node_id"]!.textValue
            let (_, next, _) = try await Self.post(client, "/v1/networks/water/isolate", #"{"pipe_id":"\#(pick.id)","exclude_valves":["\#(stuck)"]}"#)
            let nextValves = next["valves_to_close"]?.arrayValue?.compactMap { $0["node_id"]?.stringValue } ?? []
            #expect(!nextValves.contains(stuck))
            #expect(next["valves_passed"]?.arrayValue?.contains { $0["node_id"] == .string(stuck) && $0["reason"] == .string("excluded") } == true)
            #expect((next["isolated"]?["pipe_count"]?.doubleValue ?? 0) > (a["isolated"]?["pipe_count"]?.doubleValue ?? 0))
            // By point: the midpoint of the chosen pipe picks that pipe.
            let l = SampleFixture.state.snapshot.layers["pipes"]!
            guard case .lineString(let cs) = l.geometry.geometry(l.position(ofFeatureID: pick.row)!) else { Issue.record("not a line"); return }
            let mid = Coordinate((cs[0].x + cs[1].x) / 2, (cs[0].y + cs[1].y) / 2)
            let (_, byPoint, _) = try await Self.post(client, "/v1/networks/water/isolate", #"{"lon":\#(mid.x),"lat":\#(mid.y)}"#)
            #expect(byPoint["pipe_id"] == .string(pick.id))
            #expect((byPoint["snap_distance_m"]?.doubleValue ?? 99) < 1)
        }
    }

    @Test func drainageTracesReachTheOutfallsAndTheWholeCatchment() async throws {
        let drainage = Self.samplePipes("drainage")
        let nodes = SampleFixture.state.snapshot.layers["pipe_nodes"]!
        let outfalls = (0..<nodes.count).map { nodes.properties.object($0) }
            .filter { $0["kind"]?.stringValue == "outfall" && $0["network"]?.stringValue == "drainage" }.map { $0["node_id"]!.textValue }
        #expect(outfalls.count == 3)
        try await SampleFixture.app().test(.router) { client in
            // Every pipe drains to some outfall: the outfalls' catchments cover the network.
            var covered = Set<String>()
            for outfall in outfalls {
                let (s, up) = try await Self.get(client, "/v1/networks/drainage/trace?from=\(outfall)&direction=upstream")
                #expect(s == .ok)
                covered.formUnion(up["traced"]?["pipes"]?.arrayValue?.compactMap(\.stringValue) ?? [])
            }
            #expect(covered == Set(drainage.map(\.id)))
            // Downstream from the head of some pipe, by brute force along from_node → to_node links.
            let head = drainage[drainage.count / 3].from
            var reached = Set<String>(), todo = [head], pathPipes = Set<String>()
            while let v = todo.popLast() {
                for p in drainage where p.from == v {
                    pathPipes.insert(p.id)
                    if reached.insert(p.to).inserted { todo.append(p.to) }
                }
            }
            let (_, down) = try await Self.get(client, "/v1/networks/drainage/trace?from=\(head)&direction=downstream")
            #expect(Set(down["traced"]?["pipes"]?.arrayValue?.compactMap(\.stringValue) ?? []) == pathPipes)
            let reachedOutfalls = Set(down["outfalls"]?.arrayValue?.compactMap { $0["node_id"]?.stringValue } ?? [])
            #expect(!reachedOutfalls.isEmpty && reachedOutfalls == reached.intersection(outfalls))
            let path = Array(pathPipes)
            let (_, geo) = try await Self.get(client, "/v1/networks/drainage/trace?from=\(head)&direction=downstream&format=geojson")
            #expect(geo["features"]?.arrayValue?.filter { $0["properties"]?["role"] == .string("traced") }.count == path.count)
            // A gravity network has no source: isolation says so.
            let (_, iso, _) = try await Self.post(client, "/v1/networks/drainage/isolate", #"{"pipe_id":"\#(drainage[0].id)"}"#)
            #expect(iso["has_source"] == .bool(false) && iso["note"]?.stringValue?.contains("no source") == true)
        }
    }

    @Test func theServiceDistanceIsAConfigKey() async throws {
        let (c, warnings) = try ServerConfig.parse(yaml: "networks: {service_distance_m: 80}")
        #expect(warnings.isEmpty && c.networkServiceDistanceM == 80 && c.dispatch.burstServiceDistanceM == 80)
        #expect(ServerConfig().networkServiceDistanceM == 30)
        #expect(throws: ServerConfig.ConfigError.self) { try ServerConfig.parse(yaml: "networks: {service_distance_m: -1}") }
        let (_, unknown) = try ServerConfig.parse(yaml: "networks: {service_distance: 5}")
        #expect(unknown == ["unknown config key networks.service_distance"])
        var config = SampleFixture.config
        config.networkServiceDistanceM = 80
        let pick = Self.samplePipes("water")[300].id
        func answer(_ app: some ApplicationProtocol, _ body: String) async throws -> JSONValue {
            try await app.test(.router) { client in try await Self.post(client, "/v1/networks/water/isolate", body).1 }
        }
        let wide = try await answer(try await SampleFixture.app(config), #"{"pipe_id":"\#(pick)"}"#)
        let narrow = try await answer(try await SampleFixture.app(), #"{"pipe_id":"\#(pick)"}"#)
        let asked = try await answer(try await SampleFixture.app(config), #"{"pipe_id":"\#(pick)","service_distance":30}"#)
        #expect(wide["service_distance_m"] == .number(80) && narrow["service_distance_m"] == .number(30))
        // The configured distance is a default: a request's own service_distance wins.
        #expect(asked["buildings"] == narrow["buildings"])
        #expect((wide["buildings"]?["count"]?.doubleValue ?? 0) > (narrow["buildings"]?["count"]?.doubleValue ?? 0))
        let trace = try await SampleFixture.app(config).test(.router) { client in
            try await Self.get(client, "/v1/networks/drainage/trace?from=\(Self.samplePipes("drainage")[0].from)").1
        }
        #expect(trace["service_distance_m"] == .number(80))
        // A burst-main event's isolation proposal uses the configured distance too
        // (the server hands `config.dispatch` to the event hub).
        let l = SampleFixture.state.snapshot.layers["pipes"]!
        let row = Self.samplePipes("water")[300].row
        guard case .lineString(let cs) = l.geometry.geometry(l.position(ofFeatureID: row)!) else { Issue.record("not a line"); return }
        let request = EventRequest(type: "管道破裂", description: "管道破裂", address: nil, point: Coordinate((cs[0].x + cs[1].x) / 2, (cs[0].y + cs[1].y) / 2),
                                   source: "网格员", reportedAt: nil, reportedAtText: nil)
        for (settings, want) in [(config.dispatch, 80.0), (ServerConfig().dispatch, 30.0)] {
            let plan = try SampleFixture.state.snapshot.planEvent(request, settings: settings, geocoding: SampleFixture.geocoding, floodWarningRatio: 0.7)
            #expect(plan.burst?.answer.serviceDistanceM == want)
        }
    }

    @Test func aBurstMainEventCarriesTheIsolationProposal() async throws {
        let pick = Self.samplePipes("water")[200]
        let l = SampleFixture.state.snapshot.layers["pipes"]!
        guard case .lineString(let cs) = l.geometry.geometry(l.position(ofFeatureID: pick.row)!) else { Issue.record("not a line"); return }
        let mid = Coordinate((cs[0].x + cs[1].x) / 2, (cs[0].y + cs[1].y) / 2)
        let auth: HTTPFields = [.authorization: "Bearer \(SampleFixture.token)"]
        try await SampleFixture.app().test(.router) { client in
            for (type, expectIsolation) in [("管道破裂", true), ("占道经营", false)] {
                let body = #"{"type":"\#(type)","description":"自来水管道破裂，路面冒水","lon":\#(mid.x),"lat":\#(mid.y),"source":"网格员","reported_at":"2026-12-01T08:00:00+08:00"}"#
                try await client.execute(uri: "/v1/events", method: .post, headers: auth, body: ByteBuffer(string: body)) { r in
                    #expect(r.status == .created)
                    let v = try JSONParser.parse(String(buffer: r.body))
                    let iso = v["context"]?["isolation"]
                    if expectIsolation {
                        #expect(iso?["pipe_id"] == .string(pick.id))
                        #expect((iso?["valves_to_close"]?.arrayValue?.count ?? 0) > 0)
                        #expect(iso?["isolated"]?["tile_ids"]?.arrayValue?.contains(.number(Double(pick.row))) == true)
                    } else {
                        #expect(iso == .null)
                    }
                }
            }
        }
    }

    static let badGets: [(String, Int, String)] = [
        ("/v1/networks/gas/check", 404, "unknown network"),
        ("/v1/networks/water/check?tolerance=-1", 400, "\"tolerance\""),
        ("/v1/networks/water/check?colour=red", 400, "\"colour\""),
        ("/v1/networks/water/trace", 400, "\"from\""),
        ("/v1/networks/water/trace?from=NOPE", 404, "no node"),
        ("/v1/networks/gas/trace?from=NOPE", 404, "unknown network"),
        ("/v1/networks/water/trace?from=JS000001&direction=sideways", 400, "\"direction\""),
        ("/v1/networks/water/trace?from=200,30", 400, "\"from\""),
        ("/v1/networks/water/trace?from=110,35", 422, "no node"),
        ("/v1/networks/water/trace?from=JS000001&format=kml", 400, "\"format\""),
    ]

    static let badPosts: [(String, String, Int, String)] = [
        ("gas", #"{"pipe_id":"x"}"#, 404, "unknown network"),
        ("water", #"{"pipe_id":"NOPE"}"#, 404, "no pipe"),
        ("water", #"{"lon":110,"lat":35}"#, 422, "no pipe"),
        ("water", #"{}"#, 400, "\"pipe_id\""),
        ("water", #"[1]"#, 400, "JSON object"),
        ("water", #"{"pipe_id":"JSG000001","colour":1}"#, 400, "\"colour\""),
        ("water", #"{"lon":104.1}"#, 400, "\"lon\""),
        ("water", #"{"pipe_id":"x","lon":104.1,"lat":30.6}"#, 400, "not both"),
        ("water", #"{"pipe_id":"x","service_distance":-3}"#, 400, "\"service_distance\""),
        ("water", #"{"pipe_id":"x","exclude_valves":"V1"}"#, 400, "\"exclude_valves\""),
        ("water", #"{"pipe_id":"x","format":"kml"}"#, 400, "\"format\""),
    ]

    @Test func badInputAnswers4xx() async throws {
        let water = Self.samplePipes("water")
        let junction = water[0].from
        try await SampleFixture.app().test(.router) { client in
            for (uri, status, text) in Self.badGets {
                try await client.execute(uri: uri, method: .get) { r in
                    #expect(Int(r.status.code) == status, "\(uri)")
                    let detail = (try? JSONParser.parse(String(buffer: r.body)))?["detail"]?.stringValue ?? ""
                    #expect(detail.contains(text), "\(uri): \(detail)")
                }
            }
            for (network, body, status, text) in Self.badPosts + [
                ("water", #"{"pipe_id":"\#(water[0].id)","exclude_valves":["NOPE"]}"#, 404, "no node"),
                ("water", #"{"pipe_id":"\#(water[0].id)","exclude_valves":["\#(junction)"]}"#, 400, "not a valve"),
            ] {
                try await client.execute(uri: "/v1/networks/\(network)/isolate", method: .post, body: ByteBuffer(string: body)) { r in
                    #expect(Int(r.status.code) == status, "\(body)")
                    let detail = (try? JSONParser.parse(String(buffer: r.body)))?["detail"]?.stringValue ?? ""
                    #expect(detail.contains(text), "\(body): \(detail)")
                }
            }
        }
    }
}
