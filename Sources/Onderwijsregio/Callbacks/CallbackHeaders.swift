/// The three x-mutationengine-* headers, checked strictly on their raw bytes and with bounded
/// work however large or hostile they are.
enum CallbackHeaders {
    /// Longer signature headers are refused unread: a header of a few entries (key rotation)
    /// is a few hundred bytes.
    static let maxSignatureHeaderBytes = 8192
    static let nonceLengths = 16...128
    static let schemeVersion: StaticString = "v2="

    /// Decimal Unix seconds: digits only, fitting 64 bits.
    static func timestamp(_ text: UnsafeRawBufferPointer) throws(VerificationError) -> Int64 {
        var value: Int64 = 0
        var valid = !text.isEmpty && text.count <= 19
        for byte in text where valid {
            let (shifted, overflowMultiply) = value.multipliedReportingOverflow(by: 10)
            let (next, overflowAdd) = shifted.addingReportingOverflow(Int64(byte) - 0x30)
            valid = byte >= 0x30 && byte <= 0x39 && !overflowMultiply && !overflowAdd
            value = next
        }
        guard valid else {
            throw VerificationError(.malformedHeader, "x-mutationengine-timestamp must be decimal Unix seconds (digits only, at most 19)")
        }
        return value
    }

    /// 16 to 128 characters of [A-Za-z0-9_-].
    static func checkNonce(_ text: UnsafeRawBufferPointer) throws(VerificationError) {
        let allowed = text.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"): return true
            default: return false
            }
        }
        guard allowed, nonceLengths.contains(text.count) else {
            throw VerificationError(.malformedHeader, "x-mutationengine-nonce must be 16 to 128 characters of A-Z, a-z, 0-9, _ and -")
        }
    }

    /// Calls `body` with each well-formed v2 entry's decoded MAC. Entries are separated by
    /// spaces; entries of other versions and malformed v2 entries are skipped, so one bad
    /// entry cannot hide a good one. No well-formed v2 entry at all is a malformed header.
    /// Returns how many entries were well-formed.
    static func forEachSignature(_ header: UnsafeRawBufferPointer, _ body: (UnsafeRawBufferPointer) -> Void) throws(VerificationError) -> Int {
        guard header.count <= maxSignatureHeaderBytes else {
            throw VerificationError(.malformedHeader, "x-mutationengine-signature is longer than \(maxSignatureHeaderBytes) bytes")
        }
        let prefix = UnsafeRawBufferPointer(start: schemeVersion.utf8Start, count: schemeVersion.utf8CodeUnitCount)
        var wellFormed = 0
        var skipped = 0
        withUnsafeTemporaryAllocation(byteCount: HMACSHA256.byteCount + 1, alignment: 1) { mac in
            var start = 0
            while start < header.count {
                var end = start
                while end < header.count && header[end] != UInt8(ascii: " ") { end += 1 }
                if end > start {
                    let entry = UnsafeRawBufferPointer(rebasing: header[start..<end])
                    if entry.starts(with: prefix),
                       Base64.decode(UnsafeRawBufferPointer(rebasing: entry[prefix.count...]), into: mac) == HMACSHA256.byteCount {
                        wellFormed += 1
                        body(UnsafeRawBufferPointer(rebasing: mac[0..<HMACSHA256.byteCount]))
                    } else {
                        skipped += 1
                    }
                }
                start = end + 1
            }
        }
        guard wellFormed > 0 else {
            throw VerificationError(.malformedHeader, "x-mutationengine-signature holds no well-formed v2= entry (\(skipped) other entr\(skipped == 1 ? "y" : "ies") skipped)")
        }
        return wellFormed
    }
}
