/// When and how long to wait before trying a request again: api-contract.md §9, every number
/// a client option.
struct RetryPolicy: Sendable {
    var maxRetries = 3
    var baseDelayMilliseconds: Int64 = 500
    var maxDelayMilliseconds: Int64 = 8000
    var maxRetryAfterSeconds: Int64 = 60

    /// Statuses that mean "try again later": timeouts, rate limits (which the service may
    /// also send as 500) and gateway trouble. Other 4xx repeat identically.
    static func isRetryable(status: Int) -> Bool {
        switch status {
        case 408, 429, 500, 502, 503, 504: return true
        default: return false
        }
    }

    /// The wait before retry number `retry` (1 for the first retry) when the service named
    /// none: exponential from the base, capped, scaled by `jitter` in [0.5, 1].
    func backoffMilliseconds(retry: Int, jitter: Double) -> Int64 {
        let exponent = min(max(retry - 1, 0), 40)
        let (grown, overflow) = baseDelayMilliseconds.multipliedReportingOverflow(by: Int64(1) << Int64(exponent))
        let capped = overflow ? maxDelayMilliseconds : min(maxDelayMilliseconds, grown)
        return Int64(Double(capped) * min(max(jitter, 0.5), 1.0))
    }
}

/// The random factor of the backoff. Seeded (tests, benchmarks) it repeats exactly; otherwise
/// seeded from the CSPRNG. SplitMix64: small, fast, statistically fine for spreading retries.
final class JitterSource: @unchecked Sendable {
    private var state: UInt64
    private let lock = Lock()

    init(seed: UInt64?) {
        if let seed {
            state = seed
        } else {
            let bytes = SecureRandom.bytes(8) ?? [UInt8](repeating: 0x5a, count: 8)
            state = bytes.reduce(0) { $0 << 8 | UInt64($1) }
        }
    }

    /// A factor in [0.5, 1].
    func nextFactor() -> Double {
        let bits = lock.withLock { () -> UInt64 in
            state &+= 0x9E37_79B9_7F4A_7C15
            var mixed = state
            mixed = (mixed ^ (mixed >> 30)) &* 0xBF58_476D_1CE4_E5B9
            mixed = (mixed ^ (mixed >> 27)) &* 0x94D0_49BB_1331_11EB
            return mixed ^ (mixed >> 31)
        }
        return 0.5 + 0.5 * Double(bits >> 11) / Double(UInt64(1) << 53)
    }
}
