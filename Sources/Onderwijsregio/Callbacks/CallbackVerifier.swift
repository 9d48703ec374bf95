/// Verifies the Mutation Engine's signed callbacks (api-contract.md §8): signature over the
/// raw bytes as received, timestamp inside the tolerance window on both sides, nonce never
/// seen before. Immutable apart from its replay store; share it between threads.
public final class CallbackVerifier: @unchecked Sendable {
    /// [assumed] Secrets shorter than this are refused: an HMAC key is only as strong as it is long.
    static let minimumSecretBytes = 16
    static let maxSecrets = 16
    static let defaultToleranceSeconds: Int64 = 300
    static let defaultMaxReplayEntries = 100_000

    private let keys: [HMACSHA256]
    private let toleranceSeconds: Int64
    private let replayStore: ReplayStore?

    /// Options: {"secrets": ["…", …], "toleranceSeconds": 300,
    /// "replayStore": {"path": "…", "maxEntries": 100000} | {"maxEntries": …} (memory) | false}.
    /// Without "replayStore" nonces are remembered in memory.
    public init(options: JSONValue) throws(VerificationError) {
        guard case .object(let object) = options else { throw VerificationError(.misuse, "options must be a JSON object") }
        var secrets: [String] = []
        var tolerance = CallbackVerifier.defaultToleranceSeconds
        var storePath: String?
        var maxEntries = CallbackVerifier.defaultMaxReplayEntries
        var remembersNonces = true
        for member in object.members {
            switch (member.key, member.value) {
            case ("secrets", .array(let values)):
                for value in values {
                    guard case .string(let secret) = value else { throw VerificationError(.misuse, "option secrets must hold strings only") }
                    secrets.append(secret)
                }
            case ("toleranceSeconds", .number(let number)):
                guard let seconds = number.int64Value, (1...86_400).contains(seconds) else {
                    throw VerificationError(.misuse, "option toleranceSeconds must be an integer from 1 to 86400")
                }
                tolerance = seconds
            case ("replayStore", .bool(false)):
                remembersNonces = false
            case ("replayStore", .object(let store)):
                for item in store.members {
                    switch (item.key, item.value) {
                    case ("path", .string(let path)) where !path.isEmpty:
                        storePath = path
                    case ("maxEntries", .number(let number)):
                        guard let count = number.int64Value, (1...100_000_000).contains(count) else {
                            throw VerificationError(.misuse, "option replayStore.maxEntries must be an integer from 1 to 100000000")
                        }
                        maxEntries = Int(count)
                    case ("path", _), ("maxEntries", _):
                        throw VerificationError(.misuse, "option replayStore.\(item.key) has the wrong type or is empty")
                    default:
                        throw VerificationError(.misuse, "unknown option \"replayStore.\(item.key)\"")
                    }
                }
            case ("secrets", _), ("toleranceSeconds", _), ("replayStore", _):
                throw VerificationError(.misuse, "option \(member.key) has the wrong type (\(member.value.typeName))")
            default:
                throw VerificationError(.misuse, "unknown option \"\(member.key)\"")
            }
        }
        guard (1...CallbackVerifier.maxSecrets).contains(secrets.count) else {
            throw VerificationError(.misuse, "option secrets must hold 1 to \(CallbackVerifier.maxSecrets) signing secrets")
        }
        var keys: [HMACSHA256] = []
        for (index, secret) in secrets.enumerated() {
            guard secret.utf8.count >= CallbackVerifier.minimumSecretBytes else {
                throw VerificationError(.misuse, "secret \(index + 1) of \(secrets.count) is shorter than \(CallbackVerifier.minimumSecretBytes) bytes")
            }
            guard let key = HMACSHA256(key: Array(secret.utf8)) else { throw VerificationError(.resource, "libcrypto could not set up HMAC-SHA256") }
            keys.append(key)
        }
        self.keys = keys
        toleranceSeconds = tolerance
        if !remembersNonces {
            replayStore = nil
        } else if let storePath {
            replayStore = try SQLiteReplayStore(path: storePath, maxEntries: maxEntries)
        } else {
            replayStore = MemoryReplayStore(maxEntries: maxEntries)
        }
    }

    /// Verifies one callback. `pathAndQuery` and `body` must be the request target and the
    /// body bytes exactly as received; the headers' values as received (nil or empty when
    /// absent); `now` in Unix seconds (nil: the system clock). Checks, in order: presence,
    /// format, signature, time window, nonce. Works on the bytes as given: nothing is copied
    /// except the nonce of an accepted callback, into the replay store.
    public func verify(pathAndQuery: UnsafeRawBufferPointer, body: UnsafeRawBufferPointer, timestamp: UnsafeRawBufferPointer?,
                       nonce: UnsafeRawBufferPointer?, signature: UnsafeRawBufferPointer?, now clock: Int64? = nil) throws(VerificationError) {
        guard pathAndQuery.first == UInt8(ascii: "/") else {
            throw VerificationError(.misuse, "path_and_query must be the request target as received (it starts with \"/\"), not a full URL")
        }
        guard let timestamp, !timestamp.isEmpty else { throw VerificationError(.missingHeader, "x-mutationengine-timestamp is missing") }
        guard let nonce, !nonce.isEmpty else { throw VerificationError(.missingHeader, "x-mutationengine-nonce is missing") }
        guard let signature, !signature.isEmpty else { throw VerificationError(.missingHeader, "x-mutationengine-signature is missing") }
        let sent = try CallbackHeaders.timestamp(timestamp)
        try CallbackHeaders.checkNonce(nonce)

        let macLength = HMACSHA256.byteCount
        let (matched, offered) = try withUnsafeTemporaryAllocation(byteCount: macLength * keys.count, alignment: 1) { expected throws(VerificationError) -> (Bool, Int) in
            for (index, key) in keys.enumerated() {
                let output = UnsafeMutableRawBufferPointer(rebasing: expected[index * macLength..<(index + 1) * macLength])
                let computed = key.authenticate(into: output) { update in
                    SigningString.feed(timestamp: timestamp, nonce: nonce, pathAndQuery: pathAndQuery, rawBody: body, to: update)
                }
                guard computed else { throw VerificationError(.resource, "libcrypto failed to compute HMAC-SHA256") }
            }
            var matched = false
            // Every entry is compared with every MAC, match or not: the time taken depends only on the counts.
            let offered = try CallbackHeaders.forEachSignature(signature) { candidate in
                for index in 0..<keys.count where HMACSHA256.equal(candidate, UnsafeRawBufferPointer(rebasing: expected[index * macLength..<(index + 1) * macLength])) {
                    matched = true
                }
            }
            return (matched, offered)
        }
        guard matched else {
            throw VerificationError(.signatureMismatch, "no signature matches (\(offered) v2 entr\(offered == 1 ? "y" : "ies") checked against \(keys.count) secret\(keys.count == 1 ? "" : "s"))")
        }

        // `now` comes from the caller: every step is overflow-checked.
        let now = clock ?? Clock.unixSeconds()
        let (age, overflow) = now.subtractingReportingOverflow(sent)
        if overflow ? now >= 0 : age > toleranceSeconds {
            throw VerificationError(.tooOld, "the timestamp is \(overflow ? "far" : "\(age) s") in the past, beyond the tolerance of \(toleranceSeconds) s")
        }
        if overflow || age < -toleranceSeconds {
            throw VerificationError(.tooNew, "the timestamp is \(overflow ? "far" : "\(age.magnitude) s") in the future, beyond the tolerance of \(toleranceSeconds) s")
        }
        if let replayStore {
            let (expiry, late) = now.addingReportingOverflow(2 * toleranceSeconds)
            guard try replayStore.insert(nonce, now: now, expiresAt: late ? Int64.max : expiry) else {
                throw VerificationError(.replayed, "this nonce was accepted before: the callback is a replay")
            }
        }
    }

    /// The header value ("v2=<base64>") the engine would send: for tests of callback
    /// endpoints. The same format checks as verification apply to what is signed.
    public static func sign(secret: String, pathAndQuery: UnsafeRawBufferPointer, body: UnsafeRawBufferPointer,
                            timestamp: UnsafeRawBufferPointer, nonce: UnsafeRawBufferPointer) throws(VerificationError) -> String {
        guard secret.utf8.count >= minimumSecretBytes else {
            throw VerificationError(.misuse, "the secret is shorter than \(minimumSecretBytes) bytes")
        }
        guard pathAndQuery.first == UInt8(ascii: "/") else { throw VerificationError(.misuse, "path_and_query must start with \"/\"") }
        _ = try CallbackHeaders.timestamp(timestamp)
        try CallbackHeaders.checkNonce(nonce)
        var mac = [UInt8](repeating: 0, count: HMACSHA256.byteCount)
        let computed = HMACSHA256(key: Array(secret.utf8)).map { key in
            mac.withUnsafeMutableBytes { output in
                key.authenticate(into: output) { update in
                    SigningString.feed(timestamp: timestamp, nonce: nonce, pathAndQuery: pathAndQuery, rawBody: body, to: update)
                }
            }
        } ?? false
        guard computed else { throw VerificationError(.resource, "libcrypto failed to compute HMAC-SHA256") }
        return "\(CallbackHeaders.schemeVersion)" + Base64.encode(mac)
    }
}
