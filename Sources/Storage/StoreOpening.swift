/// Opens the base-layer store at `location`: a `SpatiaLiteStore` for a path, a
/// `PostGISStore` for a `postgres://` URL (password from the location's file or
/// `PGPASSWORD`). Throws `StorageError` naming the problem (see
/// `PostGISStore.open(url:passwordFile:)`).
public func openFeatureStore(_ location: StoreLocation) throws(StorageError) -> any FeatureStore {
    switch location {
    case .spatiaLite(let path): return try SpatiaLiteStore(path: path)
    case .postgres: return try PostGISStore(location: location)
    }
}
