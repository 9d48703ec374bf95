import COpenSSL

/// libcrypto's HMAC implementation, fetched once per process.
nonisolated(unsafe) private let hmacAlgorithm: OpaquePointer? = EVP_MAC_fetch(nil, "HMAC", nil)

/// HMAC-SHA256 under one key, through libcrypto's EVP_MAC. The key is set once into a context
/// that every computation duplicates, so a computation costs no key schedule and threads can
/// share the instance. libcrypto wipes the key material when the context is freed.
final class HMACSHA256: @unchecked Sendable {
    static let byteCount = 32

    private let keyed: OpaquePointer

    init?(key: [UInt8]) {
        guard !key.isEmpty, let algorithm = hmacAlgorithm, let context = EVP_MAC_CTX_new(algorithm) else { return nil }
        // OSSL_PARAM keeps both pointers until EVP_MAC_init reads them: the parameter name must
        // be static (a String argument's C string would be gone by then) and the value alive.
        let name: StaticString = "digest"
        let initialised = "SHA256".withCString { digest -> Bool in
            var parameters = [
                OSSL_PARAM_construct_utf8_string(UnsafeRawPointer(name.utf8Start).assumingMemoryBound(to: CChar.self),
                                                 UnsafeMutablePointer(mutating: digest), 0),
                OSSL_PARAM_construct_end(),
            ]
            return key.withUnsafeBufferPointer { EVP_MAC_init(context, $0.baseAddress, $0.count, &parameters) } == 1
        }
        guard initialised else {
            EVP_MAC_CTX_free(context)
            return nil
        }
        keyed = context
    }

    deinit {
        EVP_MAC_CTX_free(keyed)
    }

    /// Writes the MAC of the message into `output` (32 bytes). `message` hands the message
    /// over in pieces through the function it is given, which answers false when libcrypto
    /// failed. False when the MAC could not be computed (memory).
    func authenticate(into output: UnsafeMutableRawBufferPointer,
                      message: ((UnsafeRawBufferPointer) -> Bool) -> Bool) -> Bool {
        guard output.count >= HMACSHA256.byteCount, let context = EVP_MAC_CTX_dup(keyed) else { return false }
        defer { EVP_MAC_CTX_free(context) }
        let fed = message { part in
            part.count == 0 || EVP_MAC_update(context, part.baseAddress?.assumingMemoryBound(to: UInt8.self), part.count) == 1
        }
        var length = 0
        return fed && EVP_MAC_final(context, output.baseAddress?.assumingMemoryBound(to: UInt8.self), &length, output.count) == 1
            && length == HMACSHA256.byteCount
    }

    /// The MAC of the concatenation of `parts`.
    func authenticate(_ parts: [UnsafeRawBufferPointer]) -> [UInt8]? {
        var mac = [UInt8](repeating: 0, count: HMACSHA256.byteCount)
        let done = mac.withUnsafeMutableBytes { output in
            authenticate(into: output) { update in parts.allSatisfy(update) }
        }
        return done ? mac : nil
    }

    /// Constant-time equality of two MACs (CRYPTO_memcmp): the time taken says nothing about
    /// where they differ.
    static func equal(_ first: UnsafeRawBufferPointer, _ second: UnsafeRawBufferPointer) -> Bool {
        first.count == second.count && CRYPTO_memcmp(first.baseAddress, second.baseAddress, first.count) == 0
    }
}
