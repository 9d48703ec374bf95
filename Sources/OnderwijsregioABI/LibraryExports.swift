#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Onderwijsregio

/// The version as a C string, made once from `LibraryVersion` (the one place it is written in
/// Swift) and never freed. `include/onderwijsregio.h` repeats it; the ABI tests compare them.
nonisolated(unsafe) private let versionCString: UnsafePointer<CChar> = {
    guard let copy = strdup(LibraryVersion.text) else { return ("unknown" as StaticString).cString }
    return UnsafePointer(copy)
}()

@c public func oreg_version() -> UnsafePointer<CChar> {
    versionCString
}

@c public func oreg_version_number() -> CInt {
    CInt(LibraryVersion.number)
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
