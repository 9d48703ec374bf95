/// Where accepted nonces are remembered, so that a captured callback cannot be replayed.
protocol ReplayStore: AnyObject, Sendable {
    /// Records `nonce` until `expiresAt`. False when it is already recorded and not expired:
    /// a replay.
    func insert(_ nonce: UnsafeRawBufferPointer, now: Int64, expiresAt: Int64) throws(VerificationError) -> Bool
}

/// Nonces in the verifier's memory: enough for one long-lived process. Nonces also wait in a
/// queue in the order they were accepted, which (with a clock that does not run backwards) is
/// the order they expire in: expired and, beyond the bound, oldest nonces leave from its front,
/// so every insert costs O(1) amortised and there is never a pause to rebuild the table.
final class MemoryReplayStore: ReplayStore, @unchecked Sendable {
    /// A nonce as the table keeps it: 128 bits of two differently salted hashes (SipHash with a
    /// per-process seed), so no string is allocated per callback. A false "replayed" would need
    /// two nonces to collide in all 128 bits.
    private struct Key: Hashable {
        let first: UInt64
        let second: UInt64

        init(_ nonce: UnsafeRawBufferPointer) {
            var hasher = Hasher()
            hasher.combine(bytes: nonce)
            first = UInt64(truncatingIfNeeded: hasher.finalize())
            var salted = Hasher()
            salted.combine(0x5a17_ed00_0000_0001 as UInt64)
            salted.combine(bytes: nonce)
            second = UInt64(truncatingIfNeeded: salted.finalize())
        }
    }

    private var expiries: [Key: Int64] = [:]
    private var queue: [(nonce: Key, expiresAt: Int64)] = []
    private var queueStart = 0
    private let maxEntries: Int
    private let lock = Lock()

    init(maxEntries: Int) {
        self.maxEntries = maxEntries
    }

    func insert(_ bytes: UnsafeRawBufferPointer, now: Int64, expiresAt: Int64) -> Bool {
        let nonce = Key(bytes)
        return lock.withLock {
            // Expiry is inclusive: a nonce capped at Int64.max never leaves.
            if let expiry = expiries[nonce], expiry >= now { return false }
            expiries[nonce] = expiresAt
            queue.append((nonce, expiresAt))
            while queueStart < queue.count, expiries.count > maxEntries || queue[queueStart].expiresAt < now {
                let oldest = queue[queueStart]
                queueStart += 1
                // A nonce accepted again after it expired has a newer entry further back.
                if expiries[oldest.nonce] == oldest.expiresAt { expiries[oldest.nonce] = nil }
            }
            if queueStart > 1024 && queueStart * 2 > queue.count {
                queue.removeFirst(queueStart)
                queueStart = 0
            }
            return true
        }
    }
}
