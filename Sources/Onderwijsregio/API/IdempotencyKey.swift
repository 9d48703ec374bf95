/// Idempotency keys (api-contract.md §7): chosen before a mutation's first attempt and sent
/// with every retry, so the service applies it once however often it arrives.
enum IdempotencyKey {
    static let contentRequest = "content"
    /// [assumed] 1 to 255 printable ASCII characters.
    static let maxLength = 255

    static func isAcceptable(_ key: String) -> Bool {
        !key.isEmpty && key.utf8.count <= maxLength && key.utf8.allSatisfy { $0 >= 0x20 && $0 < 0x7f }
    }

    /// A random UUID, version 4, from the CSPRNG.
    static func random() throws(ClientError) -> String {
        guard var bytes = SecureRandom.bytes(16) else {
            throw ClientError(.resource, "the random generator failed (RAND_bytes): no idempotency key could be made")
        }
        bytes[6] = bytes[6] & 0x0f | 0x40
        bytes[8] = bytes[8] & 0x3f | 0x80
        let hex = Array(Hex.encode(bytes).utf8)
        var text: [UInt8] = []
        for (index, digit) in hex.enumerated() {
            if index == 8 || index == 12 || index == 16 || index == 20 { text.append(UInt8(ascii: "-")) }
            text.append(digit)
        }
        return String(decoding: text, as: UTF8.self)
    }

    /// A key derived from what the mutation does, so the same submission made twice (a form
    /// posted again) is one mutation: SHA-256 over the mutation name, the target id and the
    /// RFC 8785 canonical body, each length-prefixed so no two inputs share a digest input.
    static func derived(mutation: String, targetId: String?, body: JSONValue?) throws(ClientError) -> String {
        var input: [UInt8] = Array("onderwijsregio-idempotency-v1".utf8)
        func append(_ part: [UInt8]) {
            input += Array(String(part.count).utf8) + [UInt8(ascii: ":")] + part
        }
        append(Array(mutation.utf8))
        append(Array((targetId ?? "").utf8))
        if let body {
            do throws(CanonicalizationError) {
                append(try JSONSerializer.canonicalize(body))
            } catch {
                throw ClientError(.misuse, "the body cannot be canonicalised for a content-derived key: \(error.description)")
            }
        } else {
            append([])
        }
        return "sha256-" + SHA256.hexDigest(input)
    }
}
