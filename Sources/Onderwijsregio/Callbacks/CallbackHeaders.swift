/// The three x-mutationengine-* headers, checked strictly and with bounded work however large
/// or hostile they are.
enum CallbackHeaders {
    /// Longer signature headers are refused unread: a header of a few entries (key rotation)
    /// is a few hundred bytes.
    static let maxSignatureHeaderBytes = 8192
    static let nonceLengths = 16...128
    static let schemeVersion = "v2="

    /// Decimal Unix seconds: digits only, fitting 64 bits.
    static func timestamp(_ text: String) throws(VerificationError) -> Int64 {
        guard text.utf8.count <= 19, !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }),
              let value = Int64(text) else {
            throw VerificationError(.malformedHeader, "x-mutationengine-timestamp must be decimal Unix seconds (digits only, at most 19)")
        }
        return value
    }

    /// 16 to 128 characters of [A-Za-z0-9_-].
    static func checkNonce(_ text: String) throws(VerificationError) {
        let allowed = text.utf8.allSatisfy { byte in
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"), UInt8(ascii: "-"): return true
            default: return false
            }
        }
        guard allowed, nonceLengths.contains(text.utf8.count) else {
            throw VerificationError(.malformedHeader, "x-mutationengine-nonce must be 16 to 128 characters of A-Z, a-z, 0-9, _ and -")
        }
    }

    /// The decoded MACs of the header's well-formed v2 entries. Entries are separated by
    /// spaces; entries of other versions and malformed v2 entries are skipped, so one bad
    /// entry cannot hide a good one. No well-formed v2 entry at all is a malformed header.
    static func signatures(_ header: String) throws(VerificationError) -> [[UInt8]] {
        guard header.utf8.count <= maxSignatureHeaderBytes else {
            throw VerificationError(.malformedHeader, "x-mutationengine-signature is longer than \(maxSignatureHeaderBytes) bytes")
        }
        var macs: [[UInt8]] = []
        var skipped = 0
        for entry in header.utf8.split(separator: UInt8(ascii: " ")) {
            guard entry.starts(with: schemeVersion.utf8) else { skipped += 1; continue }
            let encoded = Substring(entry.dropFirst(schemeVersion.utf8.count)).utf8
            guard let mac = Base64.decode(encoded), mac.count == HMACSHA256.byteCount else { skipped += 1; continue }
            macs.append(mac)
        }
        guard !macs.isEmpty else {
            throw VerificationError(.malformedHeader, "x-mutationengine-signature holds no well-formed v2= entry (\(skipped) other entr\(skipped == 1 ? "y" : "ies") skipped)")
        }
        return macs
    }
}
