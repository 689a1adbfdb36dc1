import Geo
import Storage

/// For every bike parking point: bikes within a radius against capacity.
public struct BikeBalance: Sendable {
    public struct Station: Sendable {
        public var position: Int
        public var stationID: String
        public var count: Int
        public var capacity: Int
        public var status: String
    }
    public var radius: Double
    public var stations: [Station]
}

extension CitySnapshot {
    /// Status: `deficit` below `low` × capacity, `surplus` above `high` × capacity, else `ok`.
    public func bikeBalance(radius: Double, low: Double, high: Double, selection: StationSelection = .all) throws(CityOpsError) -> BikeBalance {
        guard let stations = layer(role: .bikeStation) else { throw CityOpsError(.unknownLayer, "no layer with role bike_station") }
        guard let bikes = layer(role: .bike) else { throw CityOpsError(.unknownLayer, "no layer with role bike") }
        var chosen = Array(0..<stations.count), centres = centers(of: stations)
        if !selection.isAll {
            let pick = try selection.predicate(self)
            chosen = chosen.filter { pick.contains(centres[$0]) }
            centres = chosen.map { centres[$0] }
        }
        let counts = countWithin(bikes, centers: centres, radius: radius)
        var out: [BikeBalance.Station] = []
        out.reserveCapacity(chosen.count)
        for (n, i) in chosen.enumerated() {
            let p = stations.properties.object(i)
            let capacity = wholeNumber(p["capacity"]) ?? 0
            let c = counts[n]
            let status = Double(c) < low * Double(capacity) ? "deficit" : (Double(c) > high * Double(capacity) ? "surplus" : "ok")
            out.append(.init(position: i, stationID: p["station_id"]?.textValue ?? "", count: c, capacity: capacity, status: status))
        }
        return BikeBalance(radius: radius, stations: out)
    }
}
