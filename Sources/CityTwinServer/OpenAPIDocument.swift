import Geo
import Geocoder

/// The OpenAPI 3.1 description of every route, served at /openapi.json.
enum OpenAPIDocument {
    static let text: String = JSONWriter.string(document)

    static func obj(_ pairs: [(String, JSONValue)]) -> JSONValue { .object(JSONObject(pairs.map { (key: $0.0, value: $0.1) })) }
    static func s(_ v: String) -> JSONValue { .string(v) }
    static func n(_ v: Double) -> JSONValue { .number(v) }

    static func schema(_ type: String, min: Double? = nil, max: Double? = nil, extra: [(String, JSONValue)] = []) -> JSONValue {
        var p: [(String, JSONValue)] = [("type", s(type))]
        if let min { p.append(("minimum", n(min))) }
        if let max { p.append(("maximum", n(max))) }
        return obj(p + extra)
    }

    static func param(_ name: String, _ schema: JSONValue, required: Bool = false, _ description: String, in place: String = "query") -> JSONValue {
        obj([("name", s(name)), ("in", s(place)), ("required", .bool(required)), ("description", s(description)), ("schema", schema)])
    }

    static let crsEnum = schema("string", extra: [("enum", .array(["wgs84", "cgcs2000", "gcj02", "bd09"].map(s)))])
    static let lon = param("lon", schema("number", min: -180, max: 180), required: true, "Longitude (in `crs`)")
    static let lat = param("lat", schema("number", min: -90, max: 90), required: true, "Latitude (in `crs`)")
    static let crs = param("crs", crsEnum, "CRS of the input point (default wgs84)")
    static let outCRS = param("out_crs", crsEnum, "CRS of returned geometries (default wgs84)")
    static let networkParam = param("network", schema("string", extra: [("examples", .array([s("water"), s("drainage")]))]), required: true,
                                    "Network name (the pipes' network value)", in: "path")
    static let layerQ = param("layer", schema("string"), required: true, "Layer name")
    static let bbox = param("bbox", schema("string", extra: [("pattern", s("^-?[0-9.]+,-?[0-9.]+,-?[0-9.]+,-?[0-9.]+$"))]), "w,s,e,n in WGS84")

    static func problem(_ description: String) -> JSONValue {
        obj([("description", s(description)), ("content", obj([("application/problem+json", obj([("schema", obj([("$ref", s("#/components/schemas/Problem"))]))]))]))])
    }

    static func ok(_ description: String, _ type: String = "application/json", schema sc: JSONValue = obj([("type", s("object"))])) -> JSONValue {
        obj([("description", s(description)), ("content", obj([(type, obj([("schema", sc)]))]))])
    }

    static func op(_ summary: String, _ params: [JSONValue], _ responses: [(String, JSONValue)], body: JSONValue? = nil, write: Bool = false) -> JSONValue {
        var p: [(String, JSONValue)] = [("summary", s(summary)), ("parameters", .array(params)), ("responses", obj(responses))]
        if let body { p.append(("requestBody", obj([("required", .bool(true)), ("content", obj([("application/json", obj([("schema", body)]))]))]))) }
        if write { p.append(("security", .array([obj([("bearer", .array([]))])]))) }
        return obj(p)
    }

    /// Address texts of the kinds that reach the geocoder's edge cases, given to
    /// clients (and to the schemathesis run in `make test`, which tries every
    /// example): bare province/city prefixes, prefixes followed by one character,
    /// numerals, markers, qualifiers, intersections, work-order sentences,
    /// full-width forms, odd Unicode. Random strings rarely hit these.
    static let addressExamples: JSONValue = {
        // Place names come from the national division table, never from code: the first
        // provinces, a city and a county of each, in full, short and mixed forms, alone, with
        // one character after them, and before an address.
        let table = AdminDivisionTable.national
        let byCode = Dictionary(table.divisions.map { ($0.code, $0) }, uniquingKeysWith: { a, _ in a })
        var out: [String] = []
        for county in table.divisions.filter({ $0.level == .county }).prefix(40).enumerated().filter({ $0.offset % 8 == 0 }).map(\.element) {
            guard let city = county.parentCode.flatMap({ byCode[$0] }), let province = city.parentCode.flatMap({ byCode[$0] }) else { continue }
            out += [province.name, province.short, province.short + "x", province.name + "1", city.name, city.short, city.short + city.short,
                    province.name + city.name + county.name, province.short + city.short + county.short,
                    city.name + county.name + "建设路2号", province.short + city.short + "建设路2号"]
        }
        out += ["中国", "中华人民共和国", "建设路", "建设路2号", "建设路二号3栋2单元501室", "建设路99999999999999999999999号", "建设路九千九百九十九万号",
                "建设路与解放路交叉口", "建设路和解放路路口东南角", "市民反映建设路2号门口有人占道经营，请处理",
                "第", "第三网格", "号", "栋", "#", "３＃楼", "（）", "　", "\u{0}", "👨‍👩‍👧", "\u{202E}建设路", "٣号"]
        return .array(out.filter { !$0.isEmpty }.map { s($0) })
    }()

    static let bad = ("400", problem("Malformed or out-of-range parameter (named in detail)"))
    static let notFound = ("404", problem("Unknown layer, feature or route"))

    static var document: JSONValue {
        let paths: [(String, JSONValue)] = [
            ("/health", obj([("get", op("Liveness, snapshot version, layer count, and readiness (ready, warming: what is still being built after a start or reload)", [], [("200", ok("Status"))]))])),
            ("/metrics", obj([("get", op("Prometheus metrics: request counts and latencies per route", [], [("200", ok("Prometheus text", "text/plain", schema: schema("string")))]))])),
            ("/openapi.json", obj([("get", op("This document", [], [("200", ok("OpenAPI 3.1"))]))])),
            ("/v1/layers", obj([("get", op("Layer catalog", [], [("200", ok("Layers", schema: schema("array")))]))])),
            ("/v1/layers/{layer}/features", obj([("get", op("Features of a layer, optionally in a bbox, paged",
                [param("layer", schema("string"), required: true, "Layer name", in: "path"), bbox,
                 param("limit", schema("integer", min: 1, max: 10000), "Page size (default 100)"),
                 param("offset", schema("integer", min: 0, max: 2147483647), "Features to skip"), outCRS],
                [("200", ok("GeoJSON FeatureCollection with numberMatched, numberReturned, next")), bad, notFound]))])),
            ("/v1/layers/{layer}/features/{id}", obj([("get", op("One feature",
                [param("layer", schema("string"), required: true, "Layer name", in: "path"),
                 param("id", schema("integer"), required: true, "Feature id", in: "path"), outCRS],
                [("200", ok("GeoJSON Feature")), bad, notFound]))])),
            ("/v1/locate", obj([("get", op("Grid, community, street and district owning a point", [lon, lat, crs],
                [("200", ok("Owning areas (null where none)")), bad]))])),
            ("/v1/nearest", obj([("get", op("Exact k nearest features by great-circle distance",
                [layerQ, lon, lat, crs, outCRS, param("k", schema("integer", min: 1, max: 1000), "How many (default 5)"),
                 param("max_distance", schema("number", min: 0, max: 50000), "Metres"),
                 param("where", schema("string", extra: [("pattern", s("^[^:]+:.*$"))]), "key:value property filter")],
                [("200", ok("Results nearest first")), bad, notFound]))])),
            ("/v1/within", obj([("get", op("Features within a radius, nearest first",
                [layerQ, lon, lat, crs, outCRS, param("radius", schema("number", min: 0, max: 50000), required: true, "Metres"),
                 param("limit", schema("integer", min: 0, max: 10000), "Results returned (default 100)")],
                [("200", ok("count and results")), bad, notFound]))])),
            ("/v1/within/batch", obj([("post", op("Counts within a radius of many centres, in input order", [],
                [("200", ok("counts")), bad, notFound, ("413", problem("Too many centres or body too large"))],
                body: obj([("type", s("object")), ("required", .array([s("layer"), s("radius")])), ("properties", obj([
                    ("layer", schema("string")), ("radius", schema("number", min: 0, max: 50000)),
                    ("centers", obj([("type", s("array")), ("maxItems", n(10000)), ("items", obj([("type", s("array")), ("minItems", n(2)), ("maxItems", n(2)), ("items", schema("number"))]))])),
                    ("centers_layer", schema("string")), ("crs", crsEnum)]))]))) ])),
            ("/v1/bikes/balance", obj([("get", op("Live parked bikes within a radius of every parking point against capacity, with activity and GBFS-reported counts",
                [param("radius", schema("number", min: 1, max: 5000), "Metres (default bikes.station_radius_m, 100)"), bbox,
                 param("district", schema("string"), "Only stations inside the district with this code; bikes is then the parked bikes inside it, while a station's count still takes bikes within the radius across the boundary"),
                 param("street", schema("string"), "Only stations inside the street (街道) with this code"),
                 param("community", schema("string"), "Only stations inside the community with this code"),
                 param("grid", schema("string"), "Only stations inside the grid with this code")],
                [("200", ok("stations and summary")), bad, notFound]))])),
            ("/v1/bikes/positions", obj([("get", op("Live bikes as GeoJSON, paged in bike_id order with an id cursor",
                [param("limit", schema("integer", min: 1, max: 10000), "Page size (default 100)"),
                 param("after", schema("string"), "bike_id cursor: the page starts after it (next gives it)"), bbox, outCRS],
                [("200", ok("GeoJSON FeatureCollection with numberMatched, numberReturned, next")), bad,
                 ("503", problem("Live bikes not enabled"))])), ("post", op("Bike position reports (JSON array or NDJSON); per-item reasons for rejected ones", [],
                [("200", ok("received, applied, ignored_older, rejected, errors")), bad, ("401", problem("Token required")),
                 ("403", problem("Token refused or client not loopback")), ("413", problem("Too many reports or body too large"))],
                body: obj([("type", s("array")), ("items", obj([("type", s("object")), ("required", .array([s("bike_id"), s("operator"), s("lon"), s("lat"), s("observed_at")])),
                    ("properties", obj([("bike_id", schema("string")), ("operator", schema("string")), ("lon", schema("number")), ("lat", schema("number")),
                                        ("crs", crsEnum), ("observed_at", schema("string", extra: [("format", s("date-time"))])),
                                        ("status", obj([("type", s("string")), ("enum", .array([s("parked"), s("riding"), s("disabled")]))]))]))]))]),
                write: true))])),
            ("/v1/bikes/fences", obj([("get", op("Parked bikes against the electronic fences: counts, no-parking and outside-parking violations",
                [param("limit", schema("integer", min: 0, max: 10000), "Bikes listed per violation kind (default 1000)"), outCRS],
                [("200", ok("fences, no_parking, outside_parking")), bad, ("404", problem("No bike_fence layer"))]))])),
            ("/gbfs/{file}", obj([("get", op("GBFS v3.0 export: gbfs.json, system_information.json, station_information.json, station_status.json, vehicle_status.json",
                [param("file", schema("string"), required: true, "File name, e.g. gbfs.json", in: "path")],
                [("200", ok("GBFS file")), ("404", problem("Unknown GBFS file"))]))])),
            ("/v1/flood/points", obj([("get", op("Flood points with latest reading and status, riskiest first",
                [bbox, param("route", schema("string"), "lon,lat;lon,lat;…"), param("buffer", schema("number", min: 0, max: 50000), "Metres around the route (default 50)"), crs, outCRS],
                [("200", ok("results")), bad]))])),
            ("/v1/sensors/readings", obj([("post", op("Store water-level readings", [],
                [("201", ok("stored count")), bad, ("401", problem("Token required")), ("403", problem("Token refused or client not loopback")), ("413", problem("Too many readings"))],
                body: obj([("type", s("array")), ("items", obj([("type", s("object")), ("required", .array([s("sensor_id"), s("level_cm"), s("observed_at")])),
                    ("properties", obj([("sensor_id", schema("string")), ("level_cm", schema("number")), ("observed_at", schema("string", extra: [("format", s("date-time"))]))]))]))]),
                write: true))])),
            ("/v1/buildings/at", obj([("get", op("The building footprint containing a point", [lon, lat, crs, outCRS],
                [("200", ok("GeoJSON Feature")), bad, ("404", problem("No building there"))]))])),
            ("/tiles/{layers}/{z}/{x}/{y}.mvt", obj([("get", op("Vector tile (MVT 2.1) of one or more layers; gzip when accepted, ETag/If-None-Match",
                [param("layers", schema("string"), required: true, "Comma-separated layers, or one archive name", in: "path"),
                 param("z", schema("integer", min: 0, max: 30), required: true, "Zoom", in: "path"),
                 param("x", schema("integer", min: 0), required: true, "Column (below 2^z)", in: "path"),
                 param("y", schema("integer", min: 0), required: true, "Row (below 2^z, XYZ scheme)", in: "path")],
                [("200", ok("Tile", "application/vnd.mapbox-vector-tile", schema: schema("string", extra: [("format", s("binary"))]))),
                 ("204", obj([("description", s("No features in this tile"))])), ("304", obj([("description", s("Not modified (ETag)"))])), bad, notFound]))])),
            ("/tiles/{layers}.json", obj([("get", op("TileJSON 3.0.0 of a tile source",
                [param("layers", schema("string"), required: true, "Comma-separated layers, or one archive name", in: "path")],
                [("200", ok("TileJSON")), bad, notFound]))])),
            ("/tiles/cache", obj([("delete", op("Purge the tile cache", [], [("200", ok("Purged tiles and bytes")),
                ("401", problem("No bearer token")), ("403", problem("Token not accepted"))], write: true))])),
            ("/catalog", obj([("get", op("All tile sources and styles", [], [("200", ok("Catalog"))]))])),
            ("/styles/{name}.json", obj([("get", op("MapLibre style with this server's URLs",
                [param("name", schema("string"), required: true, "Style name (dispatch, ops-screen)", in: "path")],
                [("200", ok("MapLibre style")), notFound]))])),
            ("/", obj([("get", op("The web map", [], [("200", ok("HTML page", "text/html", schema: schema("string")))]))])),
            ("/fonts/{stack}/{start}-{end}.pbf", obj([("get", op("SDF glyphs (glyphs.proto) of one 256-codepoint range for a font stack; ETag/304, gzip, cached a day",
                [param("stack", schema("string", extra: [("examples", .array([s("WenQuanYi Micro Hei Regular"), s("DejaVu Sans Book,WenQuanYi Micro Hei Regular")]))]),
                       required: true, "Comma-separated font names (/fonts.json); the first font with a glyph wins", in: "path"),
                 param("start", schema("integer", min: 0, extra: [("multipleOf", n(256))]), required: true, "First codepoint, n×256", in: "path"),
                 param("end", schema("integer", min: 255), required: true, "Last codepoint, start+255", in: "path")],
                [("200", ok("Glyph range", "application/x-protobuf", schema: schema("string", extra: [("format", s("binary"))]))),
                 ("304", obj([("description", s("Not modified (ETag)"))])), bad, ("404", problem("No font of the stack is known"))]))])),
            ("/fonts.json", obj([("get", op("Fonts served as glyphs: name (for text-font), family, style, glyph count, first and last codepoint", [],
                [("200", ok("Fonts", schema: schema("array")))]))])),
            ("/sprites/{file}", obj([("get", op("Sprite made from a folder of SVG icons: {name}.json / {name}.png, {name}@2x.json / {name}@2x.png (MapLibre's sprite index and sheet); ETag/304, cached a day",
                [param("file", schema("string", extra: [("pattern", s("^[A-Za-z0-9_.-]+(@2x)?\\.(json|png)$")), ("examples", .array([s("icons.json"), s("icons@2x.png")]))]),
                       required: true, "Sprite name, optional @2x, then .json or .png", in: "path")],
                [("200", obj([("description", s("Sprite index (JSON: icon → width, height, x, y, pixelRatio) or sheet (PNG)")),
                              ("content", obj([("application/json", obj([("schema", schema("object"))])),
                                               ("image/png", obj([("schema", schema("string", extra: [("format", s("binary"))]))]))]))])),
                 ("304", obj([("description", s("Not modified (ETag)"))])), ("404", problem("Unknown sprite, ratio or extension"))]))])),
            ("/sprites.json", obj([("get", op("Sprites served: name and icon names (for icon-image)", [],
                [("200", ok("Sprites", schema: schema("array")))]))])),
            ("/v1/stream", obj([("get", op("Live stream (Server-Sent Events): event.created, event.updated, flood.status, sensor.reading, layer.reloaded, bikes.station (a bike station's balance status changed); every message has an id; heartbeats; a client too far behind is dropped",
                [param("topics", schema("string", extra: [("examples", .array([s("event,flood"), s("reading")]))]),
                       "Comma-separated topics of event, flood, reading, layer, bikes (default all)"),
                 bbox,
                 param("last_event_id", schema("integer", min: 0), "Resume after this message id (or the Last-Event-ID header); older than the retention gets event: reset")],
                [("200", ok("Event stream (never ends)", "text/event-stream", schema: schema("string"))), bad,
                 ("503", problem("No event hub, or max_clients clients connected"))]))])),
            ("/v1/stream/stats", obj([("get", op("Live stream: connected clients, dropped clients, newest message id, max_clients, client_buffer", [],
                [("200", ok("Stream statistics")), ("503", problem("No event hub"))]))])),
            ("/v1/geocode", obj([("get", op("Geocode a Chinese address: candidates best first with level, match_type, confidence, formatted, components and the owning grid",
                [param("q", schema("string", extra: [("maxLength", n(200)), ("examples", addressExamples)]), required: true, "Address text"),
                 param("focus", schema("string"), "Bias towards lon,lat (in crs)"), crs, outCRS,
                 param("limit", schema("integer", min: 1, max: 20), "Candidates (default 5)"),
                 param("mode", schema("string", extra: [("enum", .array(["address", "extract"].map(s)))]),
                       "address (default), or extract: find the place inside a work-order text (mention with its span)")],
                [("200", ok("Results")), bad]))])),
            ("/v1/geocode/batch", obj([("post", op("Geocode many addresses; answers in input order",
                [], [("200", ok("Results per query")), bad, ("413", problem("More queries than the batch limit"))],
                body: obj([("type", s("object")), ("required", .array([s("queries")])), ("properties", obj([
                    ("queries", obj([("type", s("array")), ("items", schema("string")), ("examples", .array([addressExamples]))])),
                    ("limit", schema("integer", min: 1, max: 20)),
                    ("mode", schema("string", extra: [("enum", .array(["address", "extract"].map(s)))])),
                    ("focus", obj([("type", s("array")), ("items", schema("number"))])),
                    ("out_crs", crsEnum)]))])))])),
            ("/v1/reverse", obj([("get", op("Reverse geocode: admin areas and grid, nearest address (100 m), road and POI (300 m), a description",
                [lon, lat, crs, outCRS], [("200", ok("Reverse answer")), bad]))])),
            ("/v1/autocomplete", obj([("get", op("Up to 10 names starting with the text, nearest to focus first",
                [param("q", schema("string", extra: [("maxLength", n(200)), ("examples", addressExamples)]), required: true, "Typed text"),
                 param("focus", schema("string"), "lon,lat (in crs)"), crs, outCRS,
                 param("limit", schema("integer", min: 1, max: 10), "Suggestions (default 10)")],
                [("200", ok("Suggestions")), bad]))])),
            ("/v1/events", obj([
                ("post", op("Take in an event: geocode or locate it, assign grid, propose handlers, flag duplicates, add context",
                    [outCRS], [("201", ok("The event with geocode, grid, handlers, duplicate_of and context")), bad,
                               ("401", problem("No bearer token")), ("403", problem("Token not accepted")),
                               ("422", problem("The address cannot be located"))],
                    body: obj([("type", s("object")), ("required", .array([s("type")])), ("properties", obj([
                        ("type", schema("string")), ("description", schema("string")), ("address", schema("string")),
                        ("lon", schema("number", min: -180, max: 180)), ("lat", schema("number", min: -90, max: 90)), ("crs", crsEnum),
                        ("source", schema("string")), ("reported_at", schema("string", extra: [("format", s("date-time"))]))]))]),
                    write: true)),
                ("get", op("Events, newest first",
                    [bbox, param("type", schema("string"), "Event type"),
                     param("status", schema("string", extra: [("enum", .array(["new", "dispatched", "in_progress", "resolved", "closed"].map(s)))]), "Status"),
                     param("since", schema("string", extra: [("format", s("date-time"))]), "Created at or after"),
                     param("until", schema("string", extra: [("format", s("date-time"))]), "Created before"),
                     param("grid_code", schema("string"), "Grid code"), param("community_code", schema("string"), "Community code"),
                     param("street_code", schema("string"), "Street code"), param("overdue", schema("boolean"), "Only overdue events"),
                     param("cursor", schema("string"), "The `next` of the previous page"),
                     param("limit", schema("integer", min: 1, max: 10000), "Page size (default 100)"), outCRS],
                    [("200", ok("Events and the next cursor")), bad])),
            ])),
            ("/v1/events/batch", obj([("post", op("Take in up to 1,000 events in one transaction; a result per item in input order",
                [outCRS], [("201", ok("Results per item")), bad, ("413", problem("More events than the batch limit")),
                           ("422", problem("No item could be stored"))],
                body: obj([("type", s("object")), ("required", .array([s("events")])), ("properties", obj([
                    ("events", obj([("type", s("array")), ("items", obj([("type", s("object"))]))]))]))]), write: true))])),
            ("/v1/events/classify", obj([("get", op("The event type intake would propose for a text (the configured taxonomy)",
                [param("text", schema("string", extra: [("minLength", n(1)), ("maxLength", n(1000)), ("pattern", s("\\S"))]), required: true,
                       "Work-order text")],
                [("200", ok("The proposal (type, kind, category, confidence, matched phrases) or null")), bad]))])),
            ("/v1/events/overdue", obj([("get", op("Open events past their deadline, most overdue first",
                [param("limit", schema("integer", min: 1, max: 10000), "At most (default 100)"), outCRS], [("200", ok("Events")), bad]))])),
            ("/v1/events/stats", obj([("get", op("Counts, open, overdue and mean time to close per group",
                [param("group_by", schema("string", extra: [("enum", .array(["grid", "community", "street", "type", "status"].map(s)))]), "Grouping"),
                 param("since", schema("string", extra: [("format", s("date-time"))]), "Created at or after"),
                 param("until", schema("string", extra: [("format", s("date-time"))]), "Created before")],
                [("200", ok("Groups")), bad]))])),
            ("/v1/events/hotspots", obj([("get", op("Grids where one event type repeats, most first",
                [param("since", schema("string", extra: [("format", s("date-time"))]), "Created at or after (default 30 days ago)"),
                 param("type", schema("string"), "Event type"), param("min", schema("integer", min: 2, max: 1000000), "Least count (default 3)"),
                 param("limit", schema("integer", min: 1, max: 1000), "At most (default 50)")],
                [("200", ok("Hot spots")), bad]))])),
            ("/v1/events/{id}", obj([
                ("get", op("One event with its history", [param("id", schema("integer", min: 1), required: true, "Event id", in: "path"), outCRS],
                    [("200", ok("The event and its history")), bad, notFound])),
                ("patch", op("Change an event: status (new → dispatched → in_progress → resolved → closed), assignee, note",
                [param("id", schema("integer"), required: true, "Event id", in: "path")],
                [("200", ok("The event")), bad, notFound, ("409", problem("Changed meanwhile")), ("422", problem("Move not allowed from the current status"))],
                body: obj([("type", s("object")), ("properties", obj([
                    ("status", schema("string", extra: [("enum", .array(["new", "dispatched", "in_progress", "resolved", "closed"].map(s)))])),
                    ("assignee", schema("string")), ("note", schema("string"))]))]), write: true))])),
            ("/v1/sensors/{id}/readings", obj([("get", op("A sensor's readings, oldest first, paged",
                [param("id", schema("string"), required: true, "Sensor id", in: "path"),
                 param("since", schema("string", extra: [("format", s("date-time"))]), "Observed at or after"),
                 param("until", schema("string", extra: [("format", s("date-time"))]), "Observed before"),
                 param("cursor", schema("string"), "The `next` of the previous page"),
                 param("limit", schema("integer", min: 1, max: 10000), "At most (default 1000)")],
                [("200", ok("Readings")), bad]))])),
            ("/v1/networks", obj([("get", op("Pipe networks (by the pipes' network value) with pipe, node and source counts", [], [("200", ok("Networks")), bad]))])),
            ("/v1/networks/{network}/check", obj([("get", op("Topology check: duplicate ids, missing nodes, pipes without ends, dangling pipes, far ends, components",
                [networkParam, param("tolerance", schema("number", min: 0, max: 1000), "Pipe end to node distance reported above this, metres (default 2)"),
                 param("limit", schema("integer", min: 0, max: 10000), "Items shown per list (default 100)")],
                [("200", ok("Check report")), bad, notFound]))])),
            ("/v1/networks/{network}/isolate", obj([("post", op("Valve isolation of a pipe (by id or nearest a point): valves to close, cut and unintended isolation, buildings, grids, handlers, outline",
                [networkParam], [("200", ok("Isolation (JSON, or GeoJSON with tile feature ids when format is geojson)")), bad, notFound,
                                 ("422", problem("No pipe of the network near the point"))],
                body: obj([("type", s("object")), ("properties", obj([
                    ("pipe_id", schema("string")), ("lon", schema("number", min: -180, max: 180)), ("lat", schema("number", min: -90, max: 90)),
                    ("crs", crsEnum), ("out_crs", crsEnum), ("exclude_valves", obj([("type", s("array")), ("items", schema("string"))])),
                    ("service_distance", schema("number", min: 0, max: 500)), ("max_distance", schema("number", min: 1, max: 50000)),
                    ("format", schema("string", extra: [("enum", .array([s("json"), s("geojson")]))]))]))])))])),
            ("/v1/networks/{network}/trace", obj([("get", op("Upstream or downstream trace from a node id or lon,lat: pipes, nodes, length, outfalls, manholes, buildings, grids",
                [networkParam, param("from", schema("string"), required: true, "Node id, or lon,lat (in crs) of the nearest node"),
                 param("direction", schema("string", extra: [("enum", .array([s("downstream"), s("upstream")]))]), "Default downstream"),
                 crs, outCRS, param("service_distance", schema("number", min: 0, max: 500), "Buildings within, metres (default 30; config networks.service_distance_m)"),
                 param("max_distance", schema("number", min: 1, max: 50000), "Farthest node snap, metres (default 200)"),
                 param("format", schema("string", extra: [("enum", .array([s("json"), s("geojson")]))]), "json (default) or geojson")],
                [("200", ok("Trace")), bad, notFound, ("422", problem("No node of the network near the point"))]))])),
        ]
        return obj([
            ("openapi", s("3.1.0")),
            ("info", obj([("title", s("CityTwin")), ("version", s("1.0.0")), ("description", s("Spatial data server for city operations centres"))])),
            ("paths", obj(paths)),
            ("components", obj([
                ("schemas", obj([("Problem", obj([("type", s("object")), ("properties", obj([("type", schema("string")), ("title", schema("string")), ("status", schema("integer")), ("detail", schema("string"))]))]))])),
                ("securitySchemes", obj([("bearer", obj([("type", s("http")), ("scheme", s("bearer"))]))])),
            ])),
        ])
    }
}
