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
    public func bikeBalance(radius: Double, low: Double, high: Double) throws(CityOpsError) -> BikeBalance {
        guard let stations = layer(role: .bikeStation) else { throw CityOpsError(.unknownLayer, "no layer with role bike_station") }
        guard let bikes = layer(role: .bike) else { throw CityOpsError(.unknownLayer, "no layer with role bike") }
        let counts = countWithin(bikes, centers: centers(of: stations), radius: radius)
        var out: [BikeBalance.Station] = []
        out.reserveCapacity(stations.count)
        for i in 0..<stations.count {
            let p = stations.properties.object(i)
            let capacity = wholeNumber(p["capacity"]) ?? 0
            let c = counts[i]
            let status = Double(c) < low * Double(capacity) ? "deficit" : (Double(c) > high * Double(capacity) ? "surplus" : "ok")
            out.append(.init(position: i, stationID: p["station_id"]?.textValue ?? "", count: c, capacity: capacity, status: status))
        }
        return BikeBalance(radius: radius, stations: out)
    }
}
