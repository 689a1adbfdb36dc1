import Geo
import Storage
import VectorTiles

/// A flood-point layer as tiles show it: its properties plus the live
/// `status` (normal/warning/flooded) and `level_cm` from the latest reading,
/// so styles can colour points by status.
struct FloodPointTileSource: TileFeatureSource {
    let layer: LayerSnapshot
    let readings: [String: SensorReading]
    let warningRatio: Double

    var tileGeometryKind: TileGeometryKind { layer.tileGeometryKind }
    func forEachFeature(in box: BoundingBox, _ visit: (Int) -> Void) { layer.forEachFeature(in: box, visit) }
    func tileFeatureID(_ i: Int) -> UInt64 { layer.tileFeatureID(i) }
    func tilePoint(_ i: Int) -> Coordinate? { layer.tilePoint(i) }
    func tileGeometry(_ i: Int) -> Geometry { layer.tileGeometry(i) }

    func tileProperties(_ i: Int) -> JSONObject {
        var p = layer.properties.object(i)
        let threshold = p["threshold_cm"]?.doubleValue ?? 0
        let reading = p["sensor_id"].flatMap { readings[$0.textValue] }
        p["status"] = .string(FloodPointStatus.classify(level: reading?.levelCM, threshold: threshold, warningRatio: warningRatio).status)
        if let reading { p["level_cm"] = .number(reading.levelCM) }
        return p
    }
}
