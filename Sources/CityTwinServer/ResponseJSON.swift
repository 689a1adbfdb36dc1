import CityOps
import Geo

/// Hand-built JSON for answers: properties are copied as the stored JSON
/// text (never parsed and re-serialised on the query path).
enum ResponseJSON {
    static func geometry(_ g: Geometry, _ crs: CRS, into out: inout String) {
        GeoJSON.write(crs.output(g), to: &out, precision: 7)
    }

    /// `{"id":…,"ext_id":…,["distance_m":…,]"properties":{…},"geometry":{…}}`
    static func hit(_ l: LayerSnapshot, _ i: Int, distance: Double?, crs: CRS, into out: inout String) {
        out += "{\"id\":\(l.featureIDs[i]),\"layer\":"
        JSONWriter.writeString(l.info.name, to: &out)
        out += ",\"ext_id\":"
        if let e = l.extIDs[i] { JSONWriter.writeString(e, to: &out) } else { out += "null" }
        if let distance { out += ",\"distance_m\":" + GeoJSON.formatCoordinate(distance, 3) }
        out += ",\"properties\":" + l.properties.text(i) + ",\"geometry\":"
        geometry(l.geometry.geometry(i), crs, into: &out)
        out += "}"
    }

    /// A JSON array of hits, nearest first.
    static func hits(_ l: LayerSnapshot, _ hits: [Hit], crs: CRS) -> String {
        var out = "["
        for (n, h) in hits.enumerated() {
            if n > 0 { out += "," }
            hit(l, h.position, distance: h.distance, crs: crs, into: &out)
        }
        return out + "]"
    }

    /// A GeoJSON Feature with the store id as `id`.
    static func feature(_ l: LayerSnapshot, _ i: Int, crs: CRS, into out: inout String) {
        out += "{\"type\":\"Feature\",\"id\":\(l.featureIDs[i]),\"properties\":" + l.properties.text(i) + ",\"geometry\":"
        geometry(l.geometry.geometry(i), crs, into: &out)
        if let e = l.extIDs[i] { out += ",\"ext_id\":"; JSONWriter.writeString(e, to: &out) }
        out += "}"
    }

    /// An admin area for /v1/locate: its properties plus `id` and `layer`, no geometry.
    /// Spliced into the stored JSON text (an object) rather than parsed and rewritten.
    static func area(_ l: LayerSnapshot, _ i: Int, into out: inout String) {
        let text = l.properties.text(i)
        out += "{\"id\":\(l.featureIDs[i]),\"layer\":"
        JSONWriter.writeString(l.info.name, to: &out)
        let body = text.dropFirst().dropLast()   // stored props are always a JSON object
        if !body.allSatisfy(\.isWhitespace) { out += ","; out += body }
        out += "}"
    }
}
