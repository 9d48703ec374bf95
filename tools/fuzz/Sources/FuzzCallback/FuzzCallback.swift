// Callback signature verification. Input: timestamp NUL nonce NUL signature NUL path NUL body
// (split at the first four NULs; the body keeps any further NULs). Missing parts are absent headers.
//   - CallbackHeaders.timestamp / checkNonce / forEachSignature on the raw parts;
//   - CallbackVerifier.verify with the parts as headers, at a fixed clock and at the extremes of
//     Int64 (the overflow-checked window arithmetic);
//   - whenever CallbackVerifier.sign accepts the parts, the signature it makes must verify at the
//     timestamp's own time, also among junk entries, and must not verify another body.
@testable import Onderwijsregio
import FuzzSupport

let secret = "fuzzing-secret-0123456789abcdef"
let otherSecret = "another-secret-fedcba9876543210"
// Nonces are not remembered: each input is judged on its own, as the fuzzer needs.
let verifier = try! CallbackVerifier(options: try! JSONParser.parse(
    #"{"secrets": ["\#(otherSecret)", "\#(secret)"], "toleranceSeconds": 300, "replayStore": false}"#))

func raw<R>(_ part: UnsafeBufferPointer<UInt8>?, _ body: (UnsafeRawBufferPointer?) throws(VerificationError) -> R) throws(VerificationError) -> R {
    guard let part else { return try body(nil) }
    return try body(UnsafeRawBufferPointer(part))
}

func verify(_ parts: [UnsafeBufferPointer<UInt8>], signature: UnsafeRawBufferPointer?, body: UnsafeRawBufferPointer? = nil, now: Int64) -> VerificationError? {
    let path = parts.count > 3 ? UnsafeRawBufferPointer(parts[3]) : UnsafeRawBufferPointer(start: nil, count: 0)
    let body = body ?? (parts.count > 4 ? UnsafeRawBufferPointer(parts[4]) : UnsafeRawBufferPointer(start: nil, count: 0))
    do throws(VerificationError) {
        try raw(parts[0]) { timestamp throws(VerificationError) in
            try raw(parts.count > 1 ? parts[1] : nil) { nonce throws(VerificationError) in
                try verifier.verify(pathAndQuery: path, body: body, timestamp: timestamp, nonce: nonce, signature: signature, now: now)
            }
        }
        return nil
    } catch {
        return error
    }
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzCallback(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    withInput(data, count) { input in
        let parts = split(input, limit: 4)
        for part in parts {
            let bytes = UnsafeRawBufferPointer(part)
            _ = try? CallbackHeaders.timestamp(bytes)
            _ = try? CallbackHeaders.checkNonce(bytes)
            _ = try? CallbackHeaders.forEachSignature(bytes) { mac in
                guard mac.count == HMACSHA256.byteCount else { violated("forEachSignature passed \(mac.count) bytes") }
            }
        }

        let signature = parts.count > 2 ? UnsafeRawBufferPointer(parts[2]) : nil
        // (Seeds carry real signatures, so some of these are accepted.)
        for now: Int64 in [1_750_000_000, .min, .max, 0] {
            _ = verify(parts, signature: signature, now: now)
        }

        // The signing side, and a real signature through the verifier.
        guard parts.count == 5 else { return 0 }
        let made: String
        do {
            made = try CallbackVerifier.sign(secret: secret, pathAndQuery: UnsafeRawBufferPointer(parts[3]), body: UnsafeRawBufferPointer(parts[4]),
                                             timestamp: UnsafeRawBufferPointer(parts[0]), nonce: UnsafeRawBufferPointer(parts[1]))
        } catch {
            return 0
        }
        guard let sent = try? CallbackHeaders.timestamp(UnsafeRawBufferPointer(parts[0])) else { violated("sign accepted a timestamp the verifier refuses") }
        var header = Array(made.utf8)
        if let error = header.withUnsafeBytes({ verify(parts, signature: $0, now: sent) }) {
            violated("a signature made by sign does not verify: \(error)")
        }
        // Among other entries (other versions, malformed v2, fuzzed text without spaces), it still verifies.
        let junk = parts[2].filter { $0 != UInt8(ascii: " ") }.prefix(64)
        header = Array("v1=abc v2=!!! ".utf8) + junk + [UInt8(ascii: " ")] + header + Array(" v2=".utf8)
        if let error = header.withUnsafeBytes({ verify(parts, signature: $0, now: sent) }) {
            violated("a signature made by sign does not verify among other entries: \(error)")
        }
        // Within the tolerance window on both sides, and not beyond it.
        if sent <= Int64.max - 301 {
            for (now, accepted) in [(sent + 300, true), (sent - 300, true), (sent + 301, false), (sent - 301, false)] {
                let error = header.withUnsafeBytes { verify(parts, signature: $0, now: now) }
                guard (error == nil) == accepted else {
                    violated("time window: now \(now), sent \(sent): \(error.map { $0.message } ?? "accepted")")
                }
            }
        }
        // Another body is refused.
        var other = Array(parts[4])
        other.append(0x0A)
        let tampered = header.withUnsafeBytes { signature in
            other.withUnsafeBytes { body in verify(parts, signature: signature, body: body, now: sent) }
        }
        guard let tampered, tampered.kind == .signatureMismatch else { violated("a changed body did not give signatureMismatch") }
        return 0
    }
}

@_cdecl("FuzzCallback_main")
func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzCallback)
}
