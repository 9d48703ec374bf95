#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// Buffers handed to the caller: allocated with malloc so that `oreg_free` (free) releases them
/// whatever allocator the host language uses.
enum CStringBuffer {
    /// A NUL-terminated copy of `bytes`, or nil when memory runs out.
    static func make(_ bytes: UnsafeBufferPointer<UInt8>) -> UnsafeMutablePointer<CChar>? {
        let (size, overflow) = bytes.count.addingReportingOverflow(1)
        guard !overflow, let raw = malloc(size) else { return nil }
        if let source = bytes.baseAddress, bytes.count > 0 { memcpy(raw, source, bytes.count) }
        raw.storeBytes(of: 0, toByteOffset: bytes.count, as: UInt8.self)
        return raw.assumingMemoryBound(to: CChar.self)
    }

    static func make(_ bytes: [UInt8]) -> UnsafeMutablePointer<CChar>? {
        bytes.withUnsafeBufferPointer { make($0) }
    }

    static func make(_ text: String) -> UnsafeMutablePointer<CChar>? {
        var text = text
        return text.withUTF8 { make($0) }
    }
}
