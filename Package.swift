// swift-tools-version:6.1
import PackageDescription

let strict: [SwiftSetting] = [.swiftLanguageMode(.v6)]

let package = Package(
    name: "CityTwin",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "citytwin", targets: ["citytwin"]),
    ],
    dependencies: [
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
        .package(url: "https://github.com/jpsim/Yams", from: "6.2.2"),
    ],
    targets: [
        .systemLibrary(name: "CSpatiaLite", pkgConfig: "spatialite",
                       providers: [.apt(["libspatialite-dev", "libsqlite3-dev", "libsqlite3-mod-spatialite"])]),
        .systemLibrary(name: "CGEOS", pkgConfig: "geos", providers: [.apt(["libgeos-dev"])]),
        .systemLibrary(name: "CPROJ", pkgConfig: "proj", providers: [.apt(["libproj-dev"])]),

        .target(name: "Geo", swiftSettings: strict),
        .target(name: "SpatialIndex", dependencies: ["Geo"], swiftSettings: strict),
        .target(name: "GeometryOps", dependencies: ["Geo", "CGEOS", "CPROJ"], swiftSettings: strict),
        .target(name: "Storage",
                dependencies: ["Geo", "CSpatiaLite", .product(name: "GRDB", package: "GRDB.swift")],
                swiftSettings: strict),
        .target(name: "Importer", dependencies: ["Geo", "GeometryOps", "Storage"], swiftSettings: strict),
        .target(name: "SampleCity", dependencies: ["Geo", "GeometryOps", "Importer"], swiftSettings: strict),
        .target(name: "CityOps", dependencies: ["Geo", "SpatialIndex", "Storage"], swiftSettings: strict),
        .target(name: "CityTwinServer",
                dependencies: ["Geo", "Storage", "CityOps",
                               .product(name: "Hummingbird", package: "hummingbird"),
                               .product(name: "Metrics", package: "swift-metrics"),
                               .product(name: "Prometheus", package: "swift-prometheus"),
                               .product(name: "Yams", package: "Yams"),
                               .product(name: "Logging", package: "swift-log")],
                swiftSettings: strict),
        .executableTarget(name: "citytwin",
                          dependencies: ["Geo", "GeometryOps", "Storage", "Importer", "SampleCity", "CityTwinServer", "CityOps", "SpatialIndex",
                                         .product(name: "ArgumentParser", package: "swift-argument-parser"),
                                         .product(name: "Logging", package: "swift-log")],
                          swiftSettings: strict),

        .target(name: "TestSupport", dependencies: ["Geo"], path: "Tests/Support", swiftSettings: strict),
        .testTarget(name: "GeoTests", dependencies: ["Geo", "TestSupport"], swiftSettings: strict),
        .testTarget(name: "SpatialIndexTests", dependencies: ["TestSupport", "Geo", "SpatialIndex", "GeometryOps", "SampleCity"], swiftSettings: strict),
        .testTarget(name: "GeometryOpsTests", dependencies: ["TestSupport", "Geo", "GeometryOps"], swiftSettings: strict),
        .testTarget(name: "StorageTests", dependencies: ["TestSupport", "Geo", "Storage"], swiftSettings: strict),
        .testTarget(name: "ImporterTests", dependencies: ["TestSupport", "Geo", "GeometryOps", "Storage", "Importer"], swiftSettings: strict),
        .testTarget(name: "SampleCityTests", dependencies: ["TestSupport", "Geo", "GeometryOps", "SampleCity"], swiftSettings: strict),
        .testTarget(name: "CityTwinServerTests",
                    dependencies: ["CityTwinServer", "CityOps", "Storage", "Geo", "TestSupport", "Importer",
                                   .product(name: "HummingbirdTesting", package: "hummingbird")],
                    swiftSettings: strict),
        .testTarget(name: "CLITests", dependencies: ["TestSupport", "Geo"], swiftSettings: strict),
    ]
)
