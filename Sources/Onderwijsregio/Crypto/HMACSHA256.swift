import COpenSSL

/// HMAC-SHA256 (RFC 2104) under one key, on libcrypto's SHA-256. The key's inner and outer
/// blocks are absorbed once, into two SHA-256 states that every computation copies: a
/// computation costs no key schedule, no allocation and no provider dispatch (EVP_MAC's
/// context duplication cost more than hashing a 1 KiB body), and threads can share the
/// instance. The states are key material: they are wiped when the instance goes, and so are
/// the copies a computation makes.
final class HMACSHA256: @unchecked Sendable {
    static let byteCount = 32
    private static let blockSize = 64

    private var inner = SHA256_CTX()
    private var outer = SHA256_CTX()

    init?(key: [UInt8]) {
        guard !key.isEmpty else { return nil }
        var block = [UInt8](repeating: 0, count: Self.blockSize)
        defer { Self.wipe(&block) }
        if key.count > Self.blockSize {
            var digest = SHA256.digest(key)
            defer { Self.wipe(&digest) }
            block.replaceSubrange(0..<digest.count, with: digest)
        } else {
            block.replaceSubrange(0..<key.count, with: key)
        }
        for i in block.indices { block[i] ^= 0x36 }
        guard SHA256_Init(&inner) == 1, SHA256_Update(&inner, block, block.count) == 1 else { return nil }
        // 0x36 ^ 0x5c turns the inner pad into the outer one.
        for i in block.indices { block[i] ^= 0x36 ^ 0x5c }
        guard SHA256_Init(&outer) == 1, SHA256_Update(&outer, block, block.count) == 1 else { return nil }
    }

    deinit {
        Self.wipe(&inner)
        Self.wipe(&outer)
    }

    /// Writes the MAC of the message into `output` (32 bytes). `message` hands the message
    /// over in pieces through the function it is given, which answers false when libcrypto
    /// failed. False when the MAC could not be computed.
    func authenticate(into output: UnsafeMutableRawBufferPointer,
                      message: ((UnsafeRawBufferPointer) -> Bool) -> Bool) -> Bool {
        guard output.count >= HMACSHA256.byteCount, let mac = output.baseAddress?.assumingMemoryBound(to: UInt8.self) else { return false }
        var state = inner
        defer { Self.wipe(&state) }
        let fed = message { part in
            part.count == 0 || SHA256_Update(&state, part.baseAddress, part.count) == 1
        }
        guard fed, SHA256_Final(mac, &state) == 1 else { return false }
        state = outer
        return SHA256_Update(&state, mac, HMACSHA256.byteCount) == 1 && SHA256_Final(mac, &state) == 1
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

    /// Overwrites key material in a way the optimiser may not drop (OPENSSL_cleanse).
    private static func wipe<T>(_ value: inout T) {
        withUnsafeMutableBytes(of: &value) { OPENSSL_cleanse($0.baseAddress, $0.count) }
    }

    private static func wipe(_ bytes: inout [UInt8]) {
        bytes.withUnsafeMutableBytes { OPENSSL_cleanse($0.baseAddress, $0.count) }
    }
}
