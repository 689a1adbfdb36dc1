extension MVTTile {
    /// Every way this tile breaks MVT 2.1 beyond its wire format, in order.
    /// Fatal issues (`.malformedTile`) make the tile unusable; recoverable
    /// ones (`.invalidFeature`) let a reader skip the feature or layer.
    public func validationIssues() -> [VectorTilesError] {
        var issues: [VectorTilesError] = []
        var names = Set<String>()
        for (li, layer) in layers.enumerated() {
            guard let version = layer.version else {
                issues.append(VectorTilesError(.malformedTile, "layer \(li) has no version field")); continue
            }
            guard version == 2 || version == 1 else {
                issues.append(VectorTilesError(.malformedTile, "layer \(li) has version \(version); this reader knows 1 and 2")); continue
            }
            guard let name = layer.name else {
                issues.append(VectorTilesError(.malformedTile, "layer \(li) has no name")); continue
            }
            if !names.insert(name).inserted {
                issues.append(VectorTilesError(.invalidFeature, "two layers are named \"\(name)\""))
            }
            for (fi, f) in layer.features.enumerated() {
                if let e = Self.featureIssue(f, in: layer) {
                    issues.append(VectorTilesError(e.code, "layer \"\(name)\" feature \(fi): \(e.message)"))
                }
            }
        }
        return issues
    }

    static func featureIssue(_ f: MVTFeature, in layer: MVTLayer) -> VectorTilesError? {
        if case .failure(let e) = checkedGeometry(f, in: layer) { return e }
        return nil
    }

    /// The feature's geometry, or its first issue (tags, type, geometry).
    static func checkedGeometry(_ f: MVTFeature, in layer: MVTLayer) -> Result<MVTGeometry, VectorTilesError> {
        func issue(_ e: VectorTilesError) -> Result<MVTGeometry, VectorTilesError> { .failure(e) }
        if let e = tagIssue(f, in: layer) { return issue(e) }
        guard let rawType = f.type else { return issue(VectorTilesError(.invalidFeature, "feature has no geometry type")) }
        guard let type = MVTGeomType(rawValue: rawType) else { return issue(VectorTilesError(.invalidFeature, "unknown geometry type \(rawType)")) }
        guard let commands = f.geometry else { return issue(VectorTilesError(.invalidFeature, "feature has no geometry")) }
        if f.geometryFieldCount > 1 { return issue(VectorTilesError(.invalidFeature, "feature has \(f.geometryFieldCount) geometry fields; one is allowed")) }
        do { return .success(try MVTGeometry.decode(type: type, commands: commands)) } catch { return .failure(error) }
    }

    static func tagIssue(_ f: MVTFeature, in layer: MVTLayer) -> VectorTilesError? {
        if f.tags.count % 2 != 0 { return VectorTilesError(.invalidFeature, "odd number of tags (\(f.tags.count))") }
        var t = 0
        while t < f.tags.count {
            if Int(f.tags[t]) >= layer.keys.count { return VectorTilesError(.malformedTile, "tag key index \(f.tags[t]) beyond the \(layer.keys.count) keys") }
            if Int(f.tags[t + 1]) >= layer.values.count { return VectorTilesError(.malformedTile, "tag value index \(f.tags[t + 1]) beyond the \(layer.values.count) values") }
            t += 2
        }
        return nil
    }
}

/// A decoded feature as applications use it: id, geometry and properties.
public struct MVTDecodedFeature: Sendable {
    public var id: UInt64?
    public var geometry: MVTGeometry
    public var properties: [(key: String, value: MVTValue)]
}

extension MVTLayer {
    /// The layer's usable features, skipping recoverable bad ones and
    /// throwing on fatal problems.
    public func decodedFeatures() throws(VectorTilesError) -> (features: [MVTDecodedFeature], skipped: [VectorTilesError]) {
        var out: [MVTDecodedFeature] = [], skipped: [VectorTilesError] = []
        for f in features {
            let geometry: MVTGeometry
            switch MVTTile.checkedGeometry(f, in: self) {
            case .success(let g): geometry = g
            case .failure(let issue):
                if issue.isRecoverable { skipped.append(issue); continue }
                throw issue
            }
            var props: [(String, MVTValue)] = []
            var t = 0
            // Indices were checked against the tables by `checkedGeometry` (tagIssue).
            while t + 1 < f.tags.count { props.append((keys[Int(f.tags[t])], values[Int(f.tags[t + 1])])); t += 2 }
            out.append(MVTDecodedFeature(id: f.id, geometry: geometry, properties: props))
        }
        return (out, skipped)
    }
}
