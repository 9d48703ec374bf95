// swift-tools-version:6.0
import PackageDescription

// The ABI target is the only one that exports C symbols; the core stays free of C pointers it did
// not receive from there. The release artefact (`make dist`) is built from the `onderwijsregio`
// dynamic product with extra flags (static Swift runtime, version script, soname): see Makefile.
// Swift imports its Regex and Concurrency modules into every file unless told not to, and the
// static artefact then carries them (about 1.5 MB of regex parser and Unicode name tables) even
// though the library uses neither: patterns go through PCRE2, and there is no async code.
let leanRuntime: [SwiftSetting] = [
    .unsafeFlags([
        "-Xfrontend", "-disable-implicit-string-processing-module-import",
        "-Xfrontend", "-disable-implicit-concurrency-module-import",
    ])
]

let package = Package(
    name: "onderwijsregio",
    products: [
        .library(name: "onderwijsregio", type: .dynamic, targets: ["OnderwijsregioABI"]),
        .library(name: "Onderwijsregio", targets: ["Onderwijsregio"]),
    ],
    targets: [
        // libcurl's headers only: the library is loaded on first use (see Sources/CCurl).
        .target(name: "CCurl", linkerSettings: [.linkedLibrary("dl")]),
        .systemLibrary(
            name: "COpenSSL", pkgConfig: "libcrypto",
            providers: [.apt(["libssl-dev"])]),
        .systemLibrary(
            name: "CPCRE2", pkgConfig: "libpcre2-8",
            providers: [.apt(["libpcre2-dev"])]),
        .systemLibrary(
            name: "CSQLite", pkgConfig: "sqlite3",
            providers: [.apt(["libsqlite3-dev"])]),
        .target(name: "CThreadStack"),
        .target(
            name: "Onderwijsregio",
            dependencies: ["CCurl", "COpenSSL", "CPCRE2", "CSQLite", "CThreadStack"],
            swiftSettings: leanRuntime),
        .target(
            name: "OnderwijsregioABI",
            dependencies: ["Onderwijsregio"],
            swiftSettings: leanRuntime),
        .testTarget(
            name: "OnderwijsregioTests",
            dependencies: ["Onderwijsregio"]),
    ]
)
