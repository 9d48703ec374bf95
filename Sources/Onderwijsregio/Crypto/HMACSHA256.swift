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
        let initialised = "SHA256".withCString { digest -> Bool in
            var parameters = [
                OSSL_PARAM_construct_utf8_string("digest", UnsafeMutablePointer(mutating: digest), 0),
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

    /// The MAC of the concatenation of `parts`, or nil when libcrypto fails (memory).
    func authenticate(_ parts: [UnsafeRawBufferPointer]) -> [UInt8]? {
        guard let context = EVP_MAC_CTX_dup(keyed) else { return nil }
        defer { EVP_MAC_CTX_free(context) }
        for part in parts where part.count > 0 {
            guard EVP_MAC_update(context, part.baseAddress?.assumingMemoryBound(to: UInt8.self), part.count) == 1 else { return nil }
        }
        var mac = [UInt8](repeating: 0, count: HMACSHA256.byteCount)
        var length = 0
        guard EVP_MAC_final(context, &mac, &length, mac.count) == 1, length == HMACSHA256.byteCount else { return nil }
        return mac
    }

    /// Constant-time equality of two MACs (CRYPTO_memcmp): the time taken says nothing about
    /// where they differ.
    static func equal(_ first: [UInt8], _ second: [UInt8]) -> Bool {
        guard first.count == second.count else { return false }
        return first.withUnsafeBytes { a in
            second.withUnsafeBytes { b in CRYPTO_memcmp(a.baseAddress, b.baseAddress, a.count) == 0 }
        }
    }
}
