import Foundation
import Geo
import Storage

/// CityTwin's own stations and live bikes as a GBFS v3.0 feed (served at
/// `/gbfs/…`): `gbfs.json`, `system_information`, `station_information`,
/// `station_status` (parked bikes within the station radius) and
/// `vehicle_status` (bikes not in a trip: riding bikes are never published, as
/// GBFS requires). Times are RFC 3339; `ttl` is `ttl` seconds for every file.
extension LiveBikeService {
    /// The files the export has, in `gbfs.json` order.
    public static let gbfsFiles = ["system_information", "station_information", "station_status", "vehicle_status"]

    /// One file of the export as JSON text; nil for an unknown name. `baseURL` is
    /// where the files are reachable (…/gbfs), for `gbfs.json`.
    public func gbfs(_ name: String, baseURL: String, systemID: String = "citytwin", ttl: Int = 60) throws(CityOpsError) -> String? {
        let now = Timestamp.string(clock.now())
        func frame(_ data: String) -> String {
            "{\"last_updated\":\"\(now)\",\"ttl\":\(ttl),\"version\":\"3.0\",\"data\":\(data)}"
        }
        func text(_ s: String) -> String {
            var o = ""
            JSONWriter.writeString(s, to: &o)
            return o
        }
        func localized(_ s: String) -> String { "[{\"text\":\(text(s)),\"language\":\"zh\"}]" }
        switch name {
        case "gbfs":
            let feeds = Self.gbfsFiles.map { "{\"name\":\"\($0)\",\"url\":\(text(baseURL + "/" + $0 + ".json"))}" }
            return frame("{\"feeds\":[" + feeds.joined(separator: ",") + "]}")
        case "system_information":
            return frame("{\"system_id\":\(text(systemID)),\"languages\":[\"zh\"],\"name\":\(localized("CityTwin"))"
                         + ",\"opening_hours\":\"24/7\",\"feed_contact_email\":\"ops@example.org\",\"timezone\":\"Asia/Shanghai\"}")
        case "station_information", "station_status":
            let b = try balance()
            let layer = state.snapshot.layer(role: .bikeStation)
            var out = "{\"stations\":["
            out.reserveCapacity(b.stations.count * 160)
            for (k, st) in b.stations.enumerated() {
                if k > 0 { out += "," }
                let id = st.stationID.isEmpty ? "station-\(k)" : st.stationID
                if name == "station_information" {
                    let label = layer?.properties.object(k)["name"]?.textValue ?? layer?.properties.object(k)["road"]?.textValue ?? id
                    out += "{\"station_id\":\(text(id)),\"name\":\(localized(label)),\"lat\":" + GeoJSON.formatCoordinate(st.position.y, 7)
                    out += ",\"lon\":" + GeoJSON.formatCoordinate(st.position.x, 7) + ",\"capacity\":\(max(0, st.capacity))}"
                } else {
                    out += "{\"station_id\":\(text(id)),\"num_vehicles_available\":\(st.count),\"is_installed\":true"
                    out += ",\"is_renting\":true,\"is_returning\":true,\"last_reported\":\"\(now)\"}"
                }
            }
            return frame(out + "]}")
        case "vehicle_status":
            var out = "{\"vehicles\":["
            live.withLock { b in
                var first = true
                out.reserveCapacity(b.count * 120)
                for s in 0..<b.ids.count {
                    let slot = Int32(s)
                    guard let p = b.grid.point(slot), b.status[s] != BikeStatus.riding.code else { continue }
                    if !first { out += "," }
                    first = false
                    out += "{\"vehicle_id\":\(text(b.ids[s])),\"lat\":" + GeoJSON.formatCoordinate(p.y, 7) + ",\"lon\":"
                    out += GeoJSON.formatCoordinate(p.x, 7) + ",\"is_reserved\":false,\"is_disabled\":"
                    out += b.status[s] == BikeStatus.disabled.code ? "true" : "false"
                    let o = b.observed[s]
                    if o != LiveBikes.imported {
                        out += ",\"last_reported\":\"" + Timestamp.string(Date(timeIntervalSince1970: Double(o) / 1000)) + "\""
                    }
                    out += "}"
                }
            }
            return frame(out + "]}")
        default:
            return nil
        }
    }
}
