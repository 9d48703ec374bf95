#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Keep in step with OREG_VERSION and OREG_VERSION_NUMBER in include/onderwijsregio.h; the C
/// ABI test compares them.
private let versionText: StaticString = "0.1.0"
private let versionNumber: CInt = 1000  // major * 1_000_000 + minor * 1_000 + patch

@c public func oreg_version() -> UnsafePointer<CChar> {
    versionText.cString
}

@c public func oreg_version_number() -> CInt {
    versionNumber
}

@c public func oreg_status_name(_ status: CInt) -> UnsafePointer<CChar> {
    guard let known = Status(rawValue: status) else { return ("OREG_UNKNOWN" as StaticString).cString }
    return known.name.cString
}

@c public func oreg_last_error() -> UnsafePointer<CChar> {
    LastError.current
}

@c public func oreg_free(_ pointer: UnsafeMutableRawPointer?) {
    free(pointer)
}
