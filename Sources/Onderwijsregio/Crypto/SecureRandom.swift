import COpenSSL

/// Unpredictable bytes from libcrypto's CSPRNG.
enum SecureRandom {
    /// `count` random bytes, or nil when the generator is not seeded (RAND_bytes failed).
    static func bytes(_ count: Int) -> [UInt8]? {
        guard count > 0 else { return [] }
        var output = [UInt8](repeating: 0, count: count)
        let status = output.withUnsafeMutableBufferPointer { RAND_bytes($0.baseAddress, Int32($0.count)) }
        return status == 1 ? output : nil
    }
}
