// swift-tools-version:6.1
import PackageDescription

let package = Package(
    name: "ctsync",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "ctsync", targets: ["ctsync"]),
        .executable(name: "ctsync-fake-registry", targets: ["ctsync-fake-registry"]),
        .executable(name: "ctsync-bench", targets: ["ctsync-bench"]),
        .library(name: "CTSyncCore", targets: ["CTSyncCore"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/groue/GRDB.swift", from: "7.10.0"),
        .package(url: "https://github.com/weichsel/ZIPFoundation", from: "0.9.20"),
    ],
    targets: [
        // C libraries through tiny system-library targets; only one Swift file imports each.
        .systemLibrary(name: "CCurl", pkgConfig: "libcurl", providers: [.apt(["libcurl4-openssl-dev"])]),
        .systemLibrary(name: "CTZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CLibXML2", pkgConfig: "libxml-2.0", providers: [.apt(["libxml2-dev"])]),
        .systemLibrary(name: "CCrypto", pkgConfig: "libcrypto", providers: [.apt(["libssl-dev"])]),
        .systemLibrary(name: "CDeflate", pkgConfig: "libdeflate", providers: [.apt(["libdeflate-dev"])]),
        .systemLibrary(name: "CZstd", pkgConfig: "libzstd", providers: [.apt(["libzstd-dev"])]),

        // The library: fetch, records, store, diff, sync. All logic lives here.
        .target(
            name: "CTSyncCore",
            dependencies: [
                "CCurl", "CTZlib", "CLibXML2", "CCrypto", "CDeflate", "CZstd",
                .product(name: "GRDB", package: "GRDB.swift"),
                // SQLite's C API, for the FTS5 ranking function (Store/SearchRank.swift) only.
                .product(name: "GRDBSQLite", package: "GRDB.swift"),
            ]
        ),
        // A registry that speaks API v2 on loopback, serving real records from a folder.
        // Tests start it in-process; the quick start runs it as `ctsync-fake-registry`.
        .target(name: "CTSyncFakeRegistry", dependencies: ["CTSyncCore"]),
        .executableTarget(name: "ctsync-fake-registry", dependencies: ["CTSyncFakeRegistry"]),

        // The thin executable: arguments in, text/JSON and exit codes out.
        .executableTarget(
            name: "ctsync",
            dependencies: [
                "CTSyncCore",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ],
            // mimalloc replaces the C library's malloc in the executable: an import allocates and frees millions
            // of small strings and arrays on several threads, and with glibc's malloc a 100 k import used ~8 %
            // more CPU and time (docs/benchmarks-import.md).
            linkerSettings: [.linkedLibrary("mimalloc")]
        ),

        // Throughput figures, not tests: `swift build -c release --product ctsync-bench`; see the README.
        .executableTarget(name: "ctsync-bench", dependencies: [
            "CTSyncCore", "CTSyncFakeRegistry", .product(name: "GRDB", package: "GRDB.swift"),
        ]),

        // The import benchmark: a synthetic bulk archive from the real records, ctsync import vs a Python baseline.
        // Release-built and run by hand (see docs/benchmarks-import.md); not part of the tests.
        .executableTarget(name: "ctsync-import-bench"),

        // The search benchmark: a synthetic store cloned from the real records; search and similar latency.
        // Release-built and run by hand (see docs/benchmarks-search.md); not part of the tests.
        .executableTarget(name: "ctsync-search-bench", dependencies: ["CTSyncCore", "CTSyncFakeRegistry"]),

        .testTarget(
            name: "CTSyncCoreTests",
            // CDeflate: tests write zlib streams (zip entries, the stored bodies of older stores).
            dependencies: ["CTSyncCore", "CTSyncFakeRegistry", "CDeflate", .product(name: "ZIPFoundation", package: "ZIPFoundation")]
        ),
        .testTarget(
            name: "CTSyncCLITests",
            dependencies: ["CTSyncCore", "CTSyncFakeRegistry", .product(name: "ZIPFoundation", package: "ZIPFoundation")]
        ),
    ]
)
