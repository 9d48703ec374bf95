/// [assumed] What a callback signature covers (api-contract.md §8): timestamp, nonce, the
/// request target (path and query exactly as received) and the raw body, joined by single line
/// feeds, in that order. The one place the library defines it; the simulator has its own,
/// written independently, so each checks the other.
enum SigningString {
    private static let separator: [UInt8] = [0x0a]

    /// Runs `body` with the string to sign as a list of byte ranges (the body is not copied).
    static func withParts<T>(timestamp: [UInt8], nonce: [UInt8], pathAndQuery: [UInt8], rawBody: UnsafeRawBufferPointer,
                             _ body: ([UnsafeRawBufferPointer]) -> T) -> T {
        timestamp.withUnsafeBytes { timestamp in
            nonce.withUnsafeBytes { nonce in
                pathAndQuery.withUnsafeBytes { path in
                    separator.withUnsafeBytes { separator in
                        body([timestamp, separator, nonce, separator, path, separator, rawBody])
                    }
                }
            }
        }
    }
}
