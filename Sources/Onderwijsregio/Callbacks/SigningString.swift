/// [assumed] What a callback signature covers (api-contract.md §8): timestamp, nonce, the
/// request target (path and query exactly as received) and the raw body, joined by single line
/// feeds, in that order. The one place the library defines it; the simulator has its own,
/// written independently, so each checks the other.
enum SigningString {
    private static let separator: StaticString = "\n"

    /// Hands the string to sign to `update` piece by piece, without copying anything; false as
    /// soon as `update` is.
    static func feed(timestamp: UnsafeRawBufferPointer, nonce: UnsafeRawBufferPointer, pathAndQuery: UnsafeRawBufferPointer,
                     rawBody: UnsafeRawBufferPointer, to update: (UnsafeRawBufferPointer) -> Bool) -> Bool {
        let lineFeed = UnsafeRawBufferPointer(start: separator.utf8Start, count: 1)
        return update(timestamp) && update(lineFeed) && update(nonce) && update(lineFeed)
            && update(pathAndQuery) && update(lineFeed) && update(rawBody)
    }
}
