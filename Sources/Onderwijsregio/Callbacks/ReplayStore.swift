/// Where accepted nonces are remembered, so that a captured callback cannot be replayed.
protocol ReplayStore: AnyObject, Sendable {
    /// Records `nonce` until `expiresAt`. False when it is already recorded and not expired:
    /// a replay.
    func insert(_ nonce: String, now: Int64, expiresAt: Int64) throws(VerificationError) -> Bool
}

/// Nonces in the verifier's memory: enough for one long-lived process.
final class MemoryReplayStore: ReplayStore, @unchecked Sendable {
    private var expiries: [String: Int64] = [:]
    private let maxEntries: Int
    private let lock = Lock()

    init(maxEntries: Int) {
        self.maxEntries = maxEntries
    }

    func insert(_ nonce: String, now: Int64, expiresAt: Int64) -> Bool {
        lock.withLock {
            if let expiry = expiries[nonce], expiry > now { return false }
            expiries[nonce] = expiresAt
            if expiries.count > maxEntries { shrink(now: now) }
            return true
        }
    }

    /// Drops expired nonces; when that is not enough, the tenth that expire soonest (the
    /// oldest callbacks, the least likely to be replayed inside their window).
    private func shrink(now: Int64) {
        expiries = expiries.filter { $0.value > now }
        guard expiries.count > maxEntries else { return }
        let keep = maxEntries - maxEntries / 10
        let newest = expiries.sorted { $0.value > $1.value }.prefix(keep)
        expiries = Dictionary(uniqueKeysWithValues: newest.map { ($0.key, $0.value) })
    }
}
