// swift-tools-version: 6.3
import PackageDescription

let package = Package(
    name: "assent",
    platforms: [.macOS(.v15)],
    products: [
        .executable(name: "assent", targets: ["assent"]),
        .executable(name: "assent-server", targets: ["assent-server"]),
        .library(name: "AssentLog", targets: ["AssentLog"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // The server only (AssentServer, assent-server, AssentServerTests): no core target depends on these.
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
        .package(url: "https://github.com/apple/swift-log", from: "1.16.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        .systemLibrary(
            name: "CSQLite",
            pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]
        ),
        // libpq's headers (libpq-dev); the library itself is loaded when a PostgreSQL ledger is opened.
        .target(name: "CLibPQ", linkerSettings: [.linkedLibrary("dl")]),
        .systemLibrary(
            name: "COpenSSL",
            pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]
        ),
        .target(name: "AssentCrypto", dependencies: ["COpenSSL"]),
        .target(name: "AssentStorage", dependencies: ["CSQLite", "CLibPQ"]),
        .target(name: "AssentLog", dependencies: ["AssentCrypto", "AssentStorage"]),
        .target(name: "AssentRecords", dependencies: ["AssentLog", "AssentCrypto", "AssentStorage"]),
        .target(name: "AssentEngine", dependencies: ["AssentRecords", "AssentLog", "AssentCrypto", "AssentStorage"]),
        .target(name: "AssentProofs", dependencies: ["AssentEngine", "AssentRecords", "AssentLog", "AssentCrypto"]),
        // Regulator and ecosystem exports (AI Act summary, GDPR Art. 30, SPDX 3, CycloneDX, Croissant).
        .target(name: "AssentExports", dependencies: ["AssentEngine", "AssentRecords", "AssentLog", "AssentCrypto"]),
        // The user-level operations, under every front end (the CLI, the server).
        .target(
            name: "AssentOperations",
            dependencies: ["AssentProofs", "AssentEngine", "AssentRecords", "AssentLog", "AssentCrypto", "AssentStorage"]),
        // The explorer's pages and the lineage graph (SVG, DOT, text), without the web stack.
        .target(
            name: "AssentExplorer",
            dependencies: ["AssentOperations", "AssentExports", "AssentEngine", "AssentRecords", "AssentLog"]),
        .executableTarget(
            name: "assent",
            dependencies: [
                "AssentLog", "AssentCrypto", "AssentRecords", "AssentEngine", "AssentProofs", "AssentOperations",
                "AssentExports", "AssentExplorer",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),
        // `assent serve`: the HTTP API and the public log, in targets of their own so that the core's
        // build and tests never compile the web stack; `assent serve` runs the assent-server binary.
        .target(
            name: "AssentServer",
            dependencies: [
                "AssentOperations", "AssentProofs", "AssentEngine", "AssentRecords", "AssentLog", "AssentCrypto",
                "AssentExplorer", "AssentExports",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "HummingbirdCore", package: "hummingbird"),
                .product(name: "HummingbirdTLS", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Prometheus", package: "swift-prometheus"),
            ]),
        .executableTarget(
            name: "assent-server",
            dependencies: [
                "AssentServer", "AssentLog", "AssentOperations",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]),
        .executableTarget(
            name: "assent-bench",
            dependencies: [
                "AssentLog", "AssentStorage", "AssentCrypto", "AssentRecords", "AssentEngine", "AssentProofs",
            ],
            path: "Tools/Bench"),
        .target(name: "AssentTestSupport", dependencies: ["AssentStorage"], path: "Tests/AssentTestSupport"),
        .testTarget(name: "AssentCryptoTests", dependencies: ["AssentCrypto"]),
        .testTarget(name: "AssentStorageTests", dependencies: ["AssentStorage"]),
        .testTarget(name: "AssentLogTests", dependencies: ["AssentLog", "AssentCrypto", "AssentStorage"]),
        .testTarget(
            name: "AssentRecordsTests",
            dependencies: ["AssentRecords", "AssentLog", "AssentStorage", "AssentCrypto", "AssentTestSupport"]),
        .testTarget(
            name: "AssentEngineTests",
            dependencies: ["AssentEngine", "AssentRecords", "AssentLog", "AssentCrypto", "AssentStorage", "AssentTestSupport"]
        ),
        .testTarget(
            name: "AssentProofsTests",
            dependencies: ["AssentProofs", "AssentEngine", "AssentRecords", "AssentLog", "AssentCrypto", "AssentTestSupport"]),
        .testTarget(
            name: "AssentCLITests", dependencies: ["assent", "AssentLog", "AssentStorage", "AssentTestSupport", "AssentExplorer"]),
        .testTarget(
            name: "AssentServerTests",
            dependencies: [
                "AssentServer", "AssentOperations", "AssentLog", "AssentStorage", "AssentTestSupport",
                .product(name: "HummingbirdTesting", package: "hummingbird"),
            ]),
    ]
)

// libFuzzer targets, built only by Tools/fuzz/run.sh (ASSENT_FUZZ=1, `--sanitize=fuzzer`): each defines
// LLVMFuzzerTestOneInput, so they cannot link in an ordinary build.
if Context.environment["ASSENT_FUZZ"] == "1" {
    package.targets.append(.target(name: "FuzzSupport", path: "Tools/fuzz/FuzzSupport"))
    let fuzzTargets: [(name: String, dependencies: [Target.Dependency])] = [
        ("FuzzLicenseExpression", ["AssentRecords"]),
        ("FuzzCanonicalJSON", ["AssentLog", "FuzzSupport"]),
        ("FuzzSignedNote", ["AssentLog", "FuzzSupport"]),
        ("FuzzTLogProof", ["AssentLog", "FuzzSupport"]),
        ("FuzzDSSE", ["AssentProofs", "AssentCrypto", "AssentLog", "FuzzSupport"]),
        ("FuzzProofBundle", ["AssentProofs", "AssentLog", "FuzzSupport"]),
    ]
    for fuzz in fuzzTargets {
        package.targets.append(
            .executableTarget(name: fuzz.name, dependencies: fuzz.dependencies, path: "Tools/fuzz/\(fuzz.name)"))
    }
}

for target in package.targets where target.type != .system {
    var settings = target.swiftSettings ?? []
    settings.append(.enableUpcomingFeature("ExistentialAny"))
    settings.append(.enableUpcomingFeature("MemberImportVisibility"))
    settings.append(.enableUpcomingFeature("InternalImportsByDefault"))
    target.swiftSettings = settings
}
