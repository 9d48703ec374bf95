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
///
/// The table is open addressing over one array of slots (key and expiry side by side: one cache
/// line per probe, where a `Dictionary` reads its keys and values from two arrays and hashes
/// every key again with SipHash).
final class MemoryReplayStore: ReplayStore, @unchecked Sendable {
    /// A nonce as the table keeps it: 128 bits of two differently seeded mixes of its bytes, so
    /// no string is allocated per callback. A false "replayed" would need two nonces to collide
    /// in all 128 bits. Nonces reach the store only after their signature was checked, so nobody
    /// without the secret can choose them: the mix needs to spread, not to resist an attacker.
    struct Key: Equatable {
        let first: UInt64
        let second: UInt64

        init(first: UInt64, second: UInt64) {
            self.first = first
            self.second = second
        }

        init(_ nonce: UnsafeRawBufferPointer, seed: (UInt64, UInt64)) {
            var a = seed.0 ^ UInt64(nonce.count)
            var b = seed.1 &+ UInt64(nonce.count)
            var offset = 0
            while offset < nonce.count {
                var word: UInt64 = 0
                let take = min(8, nonce.count - offset)
                withUnsafeMutableBytes(of: &word) { $0.copyMemory(from: UnsafeRawBufferPointer(rebasing: nonce[offset..<offset + take])) }
                a = (a ^ word) &* 0x9E37_79B9_7F4A_7C15
                a ^= a >> 32
                b = (b &+ word) &* 0xC2B2_AE3D_27D4_EB4F
                b ^= b >> 29
                offset += take
            }
            first = Self.finalMix(a)
            second = Self.finalMix(b ^ 0x5A17_ED00_0000_0001)
        }

        /// MurmurHash3's 64-bit finaliser: every input bit reaches every output bit.
        private static func finalMix(_ value: UInt64) -> UInt64 {
            var x = value
            x ^= x >> 33
            x = x &* 0xFF51_AFD7_ED55_8CCD
            x ^= x >> 33
            x = x &* 0xC4CE_B9FE_1A85_EC53
            x ^= x >> 33
            return x
        }
    }

    private struct Slot {
        var key: Key
        /// `Int64.min` marks an empty slot: no expiry is ever that.
        var expiresAt: Int64
        var isEmpty: Bool { expiresAt == Int64.min }
        static let empty = Slot(key: Key(first: 0, second: 0), expiresAt: Int64.min)
    }

    private let seed: (UInt64, UInt64)
    /// Everything that changes, in one value: the lock's holder reaches it with one access (a
    /// class's own stored properties would each be checked for exclusive access at run time).
    private var table: Table
    private let lock = Lock()

    init(maxEntries: Int) {
        table = Table(maxEntries: maxEntries)
        // Per store, so that no two processes (or test runs) place the same nonces alike. The
        // system generator (getrandom) rather than libcrypto's: setting up libcrypto's generator
        // would add milliseconds to a PHP request's first verification.
        var system = SystemRandomNumberGenerator()
        seed = (system.next(), system.next())
    }

    func insert(_ bytes: UnsafeRawBufferPointer, now: Int64, expiresAt: Int64) -> Bool {
        let nonce = Key(bytes, seed: seed)
        return lock.withLock { table.insert(nonce, now: now, expiresAt: expiresAt) }
    }

    private struct Table {
        /// A power of two long, at most half full.
        private var slots = [Slot](repeating: .empty, count: 64)
        private var count = 0
        private var queue: [(nonce: Key, expiresAt: Int64)] = []
        private var queueStart = 0
        private let maxEntries: Int

        init(maxEntries: Int) {
            self.maxEntries = maxEntries
        }

        mutating func insert(_ nonce: Key, now: Int64, expiresAt: Int64) -> Bool {
            let (index, found) = find(nonce)
            // Expiry is inclusive: a nonce capped at Int64.max never leaves.
            if found && slots[index].expiresAt >= now { return false }
            slots[index] = Slot(key: nonce, expiresAt: expiresAt)
            if !found {
                count += 1
                if count * 2 > slots.count { grow() }
            }
            queue.append((nonce, expiresAt))
            while queueStart < queue.count, count > maxEntries || queue[queueStart].expiresAt < now {
                let oldest = queue[queueStart]
                queueStart += 1
                // A nonce accepted again after it expired has a newer entry further back.
                let (index, found) = find(oldest.nonce)
                if found && slots[index].expiresAt == oldest.expiresAt { remove(at: index) }
            }
            if queueStart > 1024 && queueStart * 2 > queue.count {
                queue.removeFirst(queueStart)
                queueStart = 0
            }
            return true
        }

        /// Where `key` is, or the empty slot where it would go.
        private func find(_ key: Key) -> (index: Int, found: Bool) {
            let mask = slots.count - 1
            var index = Int(truncatingIfNeeded: key.first) & mask
            while !slots[index].isEmpty {
                if slots[index].key == key { return (index, true) }
                index = (index + 1) & mask
            }
            return (index, false)
        }

        /// Linear probing's deletion without tombstones: later members of the cluster that may
        /// move back (their home is not between the hole and them) fill the hole.
        private mutating func remove(at removed: Int) {
            let mask = slots.count - 1
            var hole = removed
            var next = (hole + 1) & mask
            while !slots[next].isEmpty {
                let home = Int(truncatingIfNeeded: slots[next].key.first) & mask
                // Distances along the probe direction, wrapping around the end.
                if (next - home) & mask >= (next - hole) & mask {
                    slots[hole] = slots[next]
                    hole = next
                }
                next = (next + 1) & mask
            }
            slots[hole] = .empty
            count -= 1
        }

        private mutating func grow() {
            let old = slots
            slots = [Slot](repeating: .empty, count: old.count * 2)
            for slot in old where !slot.isEmpty {
                slots[find(slot.key).index] = slot
            }
        }
    }
}
