// swift-tools-version:6.0
import Foundation
import PackageDescription

// libFuzzer harnesses for the core module (README.md; built and run by run.sh). Each harness is
// an executable exporting LLVMFuzzerTestOneInput. They use `@testable import Onderwijsregio`, so
// everything is built with -enable-testing (run.sh passes it with -sanitize=fuzzer,address).
//
// SwiftPM links a debug executable with `--defsym main=<Target>_main`, which keeps libFuzzer's own
// main() out: each harness defines <Target>_main and hands over to LLVMFuzzerRunDriver.
let harnesses = ["FuzzJSON", "FuzzSchemaCompile", "FuzzValidate", "FuzzCallback", "FuzzEnvelope"]

// A path dependency's identity is its directory's name, which depends on the checkout.
let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("../..").standardized
let rootIdentity = root.lastPathComponent.lowercased()

let package = Package(
    name: "onderwijsregio-fuzz",
    dependencies: [.package(path: root.path)],
    targets: [
        .target(name: "CFuzzDriver"),
        .target(name: "FuzzSupport", dependencies: ["CFuzzDriver"]),
    ] + harnesses.map { name in
        .executableTarget(
            name: name,
            dependencies: ["FuzzSupport", .product(name: "Onderwijsregio", package: rootIdentity)])
    }
)
