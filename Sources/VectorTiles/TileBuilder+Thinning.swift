import Geo

/// Feature dropping below a layer's base zoom, as tippecanoe does it: a grid
/// of `dropSpacing` tile units aligned to the world keeps one feature per
/// cell — the largest (box area for polygons, box size for lines; points
/// tie), then the lowest id — so dense areas thin out first, every cell that
/// had a feature still has one, and sub-unit footprints sharing a cell
/// coalesce into that one feature (a dot under `tiny_polygons: dot`). Cells
/// nest from zoom to zoom and the choice depends only on the feature, so a
/// feature kept at one zoom is kept at every higher one, and the result does
/// not depend on the order the index visits features in.
extension TileBuilder {
    struct ThinCell: Hashable {
        var x: Int64
        var y: Int64
    }

    struct ThinCandidate {
        var index: Int
        /// Representative point (box centre) in world tile units at this zoom.
        var worldX: Double
        var worldY: Double
        var weight: Double
        var id: UInt64

        /// Whether this one wins a cell over `other`.
        func beats(_ other: ThinCandidate) -> Bool {
            weight != other.weight ? weight > other.weight : id < other.id
        }
    }

    func thinned(_ layer: TileLayerInput, tile: TileID, transform: TileTransform, clipper: TileClipper, buffer: Double,
                 into out: inout MVTLayerBuilder, budget: Int) -> (builder: MVTLayerBuilder, count: Int, truncated: Bool) {
        let source = layer.source, config = layer.config
        let kind = source.tileGeometryKind
        var spacing = Double(config.dropSpacing)
        // Reduced to one per cell while scanning: a low-zoom tile may meet millions of features.
        var best: [ThinCell: ThinCandidate] = [:]
        source.forEachFeatureBox(in: transform.bounds(buffer: buffer)) { i, b in
            guard !b.isEmpty else { return }
            // The centre of the projected box, where a sub-unit footprint's dot goes.
            let x = (transform.x(b.minX) + transform.x(b.maxX)) / 2 + transform.originX
            let y = (transform.y(b.minY) + transform.y(b.maxY)) / 2 + transform.originY
            // In degrees, so the order is the same at every zoom.
            let w = b.maxX - b.minX, h = b.maxY - b.minY
            let c = ThinCandidate(index: i, worldX: x, worldY: y, weight: kind == .line ? w + h : w * h, id: source.tileFeatureID(i))
            let cell = ThinCell(x: Int64((x / spacing).rounded(.down)), y: Int64((y / spacing).rounded(.down)))
            if let other = best[cell], !c.beats(other) { return }
            best[cell] = c
        }
        var kept = best.values.sorted { $0.index < $1.index }
        let extent = Double(settings.extent)
        while true {
            let widen = config.dropDensestAsNeeded && spacing < extent
            if let full = write(kept, layer, transform: transform, clipper: clipper, into: &out, budget: budget, stopWhenFull: widen) {
                return (out, out.featureCount, full)
            }
            // Too big. Bytes per feature so far tell how far to widen; the next grid's
            // cells are 2×2 of these, so the features kept so far hold every next winner.
            let perFeature = Double(max(out.approximateSize, 1)) / Double(max(out.featureCount, 1))
            repeat {
                spacing *= 2
                kept = Self.winners(kept, spacing: spacing)
            } while Double(kept.count) * perFeature > Double(budget) && spacing < extent
            let remap = out.remap
            out = MVTLayerBuilder(name: layer.name, extent: UInt32(settings.extent))
            out.remap = remap
            out.remap.nextTile()
        }
    }

    /// The best candidate of each cell, in feature order.
    static func winners(_ candidates: [ThinCandidate], spacing: Double) -> [ThinCandidate] {
        var best: [ThinCell: Int] = [:]
        best.reserveCapacity(candidates.count / 2)
        for (k, c) in candidates.enumerated() {
            let cell = ThinCell(x: Int64((c.worldX / spacing).rounded(.down)), y: Int64((c.worldY / spacing).rounded(.down)))
            if let j = best[cell] {
                if c.beats(candidates[j]) { best[cell] = k }
            } else {
                best[cell] = k
            }
        }
        return best.values.map { candidates[$0] }.sorted { $0.index < $1.index }
    }

    /// Writes the kept features. Returns whether a cap cut the layer short, or
    /// nil when it is over the budget and `stopWhenFull` (the caller widens the cells).
    func write(_ kept: [ThinCandidate], _ layer: TileLayerInput, transform: TileTransform, clipper: TileClipper,
               into out: inout MVTLayerBuilder, budget: Int, stopWhenFull: Bool) -> Bool? {
        for c in kept {
            if out.featureCount >= layer.config.maxFeatures || out.approximateSize > budget { return stopWhenFull ? nil : true }
            addFeature(c.index, layer.source, layer.properties, layer.config, transform, clipper, &out)
        }
        if stopWhenFull {
            // The estimate counts a key or value at 12 bytes; long strings take more.
            var encoded = ProtobufWriter(capacity: out.approximateSize + 1024)
            if out.finish(into: &encoded), encoded.bytes.count > budget { return nil }
        }
        return false
    }
}
