#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import Onderwijsregio

@Suite struct Base64Tests {
    private func decode(_ text: String) -> [UInt8]? {
        var output = [UInt8](repeating: 0, count: 512)
        let count = Array(text.utf8).withUnsafeBytes { input in output.withUnsafeMutableBytes { Base64.decode(input, into: $0) } }
        return count.map { Array(output[0..<$0]) }
    }

    @Test func rfc4648Vectors() {
        let vectors = [("", ""), ("f", "Zg=="), ("fo", "Zm8="), ("foo", "Zm9v"), ("foob", "Zm9vYg=="),
                       ("fooba", "Zm9vYmE="), ("foobar", "Zm9vYmFy")]
        for (plain, encoded) in vectors {
            #expect(Base64.encode(Array(plain.utf8)) == encoded)
            #expect(decode(encoded) == Array(plain.utf8))
            #expect(decode(String(encoded.prefix(while: { $0 != "=" }))) == Array(plain.utf8), "padding is optional")
        }
    }

    @Test func strictness() {
        for text in ["Z", "Zg=", "Zm9vYg=", "Zg===", "Zh==", "Zm9=", "Zm 9v", "Zm9v\n", "Zm-v", "Zm_v", "=Zm9", "Zm=v", "é"] {
            #expect(decode(text) == nil, "\(text)")
        }
        let all = (0...255).map(UInt8.init)
        #expect(decode(Base64.encode(all)) == all)
    }
}

@Suite struct HMACTests {
    private func hex(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        var index = text.startIndex
        while index < text.endIndex {
            let next = text.index(index, offsetBy: 2)
            bytes.append(UInt8(text[index..<next], radix: 16) ?? 0)
            index = next
        }
        return bytes
    }

    private func mac(_ key: [UInt8], _ data: [UInt8]) -> [UInt8]? {
        data.withUnsafeBytes { HMACSHA256(key: key)?.authenticate([$0]) }
    }

    /// RFC 4231 test cases 1, 2 and 6.
    @Test func rfc4231Vectors() {
        #expect(mac([UInt8](repeating: 0x0b, count: 20), Array("Hi There".utf8))
                == hex("b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"))
        #expect(mac(Array("Jefe".utf8), Array("what do ya want for nothing?".utf8))
                == hex("5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"))
        #expect(mac([UInt8](repeating: 0xaa, count: 131), Array("Test Using Larger Than Block-Size Key - Hash Key First".utf8))
                == hex("60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"))
    }

    @Test func partsAreConcatenated() {
        let key = Array("0123456789abcdef".utf8)
        let whole = mac(key, Array("abc\ndef".utf8))
        let parts = "abc".utf8.withContiguousStorageIfAvailable { a in
            "\ndef".utf8.withContiguousStorageIfAvailable { b in
                HMACSHA256(key: key)?.authenticate([UnsafeRawBufferPointer(a), UnsafeRawBufferPointer(b)])
            }
        }
        #expect(whole != nil && parts == .some(.some(whole)))
        func equal(_ a: [UInt8], _ b: [UInt8]) -> Bool { a.withUnsafeBytes { x in b.withUnsafeBytes { HMACSHA256.equal(x, $0) } } }
        #expect(equal([1, 2, 3], [1, 2, 3]) && !equal([1, 2, 3], [1, 2, 4]) && !equal([1], [1, 2]))
    }
}

@Suite struct CallbackVerifierTests {
    private let secret = "test-secret-0123456789"
    private let path = "/hooks/x?site=3"
    private let nonce = "abcdefghijklmnop"
    private let timestamp: Int64 = 1_800_000_000

    private func verifier(_ options: String = #"{"secrets":["test-secret-0123456789"]}"#) throws -> CallbackVerifier {
        try CallbackVerifier(options: try JSONParser.parse(options))
    }

    private func sign(_ body: String, nonce: String? = nil, timestamp: Int64? = nil, secret: String? = nil) throws -> String {
        try withBytes(body, path, String(timestamp ?? self.timestamp), nonce ?? self.nonce) { body, path, timestamp, nonce in
            try CallbackVerifier.sign(secret: secret ?? self.secret, pathAndQuery: path, body: body, timestamp: timestamp, nonce: nonce)
        }
    }

    /// Runs `body` with the UTF-8 bytes of four strings.
    private func withBytes<T>(_ a: String, _ b: String, _ c: String, _ d: String,
                              _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer, UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> T) rethrows -> T {
        try Array(a.utf8).withUnsafeBytes { a in
            try Array(b.utf8).withUnsafeBytes { b in
                try Array(c.utf8).withUnsafeBytes { c in try Array(d.utf8).withUnsafeBytes { d in try body(a, b, c, d) } }
            }
        }
    }

    private func outcome(_ verifier: CallbackVerifier, body: String = "{}", timestamp: String? = nil, nonce: String? = nil,
                         signature: String?, now: Int64? = nil) -> VerificationError.Kind? {
        do {
            try withBytes(body, timestamp ?? String(self.timestamp), nonce ?? self.nonce, signature ?? "") { body, timestamp, nonce, signatureBytes in
                try Array(path.utf8).withUnsafeBytes { path in
                    try verifier.verify(pathAndQuery: path, body: body, timestamp: timestamp, nonce: nonce,
                                        signature: signature == nil ? nil : signatureBytes, now: now ?? self.timestamp)
                }
            }
            return nil
        } catch let error as VerificationError {
            return error.kind
        } catch {
            return .resource
        }
    }

    @Test func genuineThenReplayed() throws {
        let subject = try verifier()
        let signature = try sign("{}")
        #expect(outcome(subject, signature: signature) == nil)
        #expect(outcome(subject, signature: signature) == .replayed)
    }

    @Test func windowEdgesOnBothSides() throws {
        let subject = try verifier(#"{"secrets":["test-secret-0123456789"],"replayStore":false}"#)
        let signature = try sign("{}")
        #expect(outcome(subject, signature: signature, now: timestamp + 300) == nil)
        #expect(outcome(subject, signature: signature, now: timestamp - 300) == nil)
        #expect(outcome(subject, signature: signature, now: timestamp + 301) == .tooOld)
        #expect(outcome(subject, signature: signature, now: timestamp - 301) == .tooNew)
        #expect(outcome(subject, signature: signature, now: Int64.min) == .tooNew)
        #expect(outcome(subject, signature: signature, now: Int64.max) == .tooOld)
    }

    @Test func headerProblems() throws {
        let subject = try verifier(#"{"secrets":["test-secret-0123456789"],"replayStore":false}"#)
        let signature = try sign("{}")
        #expect(outcome(subject, signature: nil) == .missingHeader)
        #expect(outcome(subject, signature: "") == .missingHeader)
        #expect(outcome(subject, timestamp: "", signature: signature) == .missingHeader)
        #expect(outcome(subject, timestamp: "+1800000000", signature: signature) == .malformedHeader)
        #expect(outcome(subject, timestamp: "99999999999999999999", signature: signature) == .malformedHeader)
        #expect(outcome(subject, nonce: "short", signature: signature) == .malformedHeader)
        #expect(outcome(subject, nonce: "abcdefghijklmnop!", signature: signature) == .malformedHeader)
        #expect(outcome(subject, signature: "v1=abc v3=def") == .malformedHeader)
        #expect(outcome(subject, signature: "v2=!!!! " + signature) == nil, "a malformed entry does not hide a good one")
        #expect(outcome(subject, signature: "v2=" + Base64.encode([UInt8](repeating: 7, count: 32))) == .signatureMismatch)
        #expect(outcome(subject, signature: String(signature.dropLast())) == nil, "padding is optional")
        #expect(outcome(subject, signature: String(repeating: "v2=AAAA ", count: 2000)) == .malformedHeader)
        #expect(outcome(subject, body: "{ }", signature: signature) == .signatureMismatch)
    }

    @Test func rotationAndWrongSecrets() throws {
        let rotating = try verifier(#"{"secrets":["old-secret-0123456789","test-secret-0123456789"],"replayStore":false}"#)
        #expect(outcome(rotating, signature: try sign("{}")) == nil)
        let other = try verifier(#"{"secrets":["other-secret-0123456789"],"replayStore":false}"#)
        #expect(outcome(other, signature: try sign("{}")) == .signatureMismatch)
    }

    @Test func optionsAreChecked() {
        for options in [#"{"secrets":["short"]}"#, #"{"secrets":[]}"#, #"{}"#, #"{"secrets":["test-secret-0123456789"],"tolerance":5}"#,
                        #"{"secrets":["test-secret-0123456789"],"toleranceSeconds":0}"#, #"{"secrets":"test-secret-0123456789"}"#,
                        #"{"secrets":["test-secret-0123456789"],"replayStore":{"file":"x"}}"#] {
            #expect(throws: VerificationError.self, "\(options)") { try verifier(options) }
        }
        do {
            _ = try verifier(#"{"secrets":["fifteen-bytes!!"]}"#)
            Issue.record("a 15-byte secret was accepted")
        } catch let error as VerificationError {
            #expect(!error.message.contains("fifteen"), "the secret is never quoted")
        } catch {
            Issue.record("unexpected \(error)")
        }
    }

    @Test func sharedStoreRefusesAcrossInstancesAndSurvivesCorruption() throws {
        var template = Array("/tmp/oreg-replay-XXXXXX".utf8CString)
        let directory = try #require(template.withUnsafeMutableBufferPointer { buffer -> String? in
            guard let base = buffer.baseAddress, let made = mkdtemp(base) else { return nil }
            return String(cString: made)
        })
        let storePath = directory + "/replay.db"
        let descriptor = open(storePath, O_WRONLY | O_CREAT, 0o600)
        _ = write(descriptor, "this is not a database, not even close to one......", 50)
        close(descriptor)

        let options = #"{"secrets":["test-secret-0123456789"],"replayStore":{"path":"\#(storePath)"}}"#
        let first = try verifier(options), second = try verifier(options)
        let signature = try sign("{}")
        #expect(outcome(first, signature: signature) == nil)
        #expect(outcome(second, signature: signature) == .replayed)
        var info = stat()
        #expect(stat(storePath, &info) == 0 && info.st_mode & 0o777 == 0o600)
        let listing = try #require(opendir(directory))
        var names: [String] = []
        while let entry = readdir(listing) {
            names.append(withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix(while: { $0 != 0 }), as: UTF8.self) })
        }
        closedir(listing)
        #expect(names.contains { $0.hasPrefix("replay.db.corrupt-") }, "the junk file is kept aside")
    }

    @Test func memoryStoreStaysBounded() throws {
        let store = MemoryReplayStore(maxEntries: 100)
        func insert(_ nonce: String, now: Int64, expiresAt: Int64) -> Bool {
            Array(nonce.utf8).withUnsafeBytes { store.insert($0, now: now, expiresAt: expiresAt) }
        }
        for index in 0..<1000 { #expect(insert("nonce-\(index)", now: 0, expiresAt: 1000 + Int64(index))) }
        #expect(!insert("nonce-999", now: 0, expiresAt: 5000), "the newest are kept")
        #expect(insert("nonce-0", now: 0, expiresAt: 5000), "the oldest were dropped beyond the bound")
        #expect(insert("nonce-999", now: 2000, expiresAt: 5000), "an expired nonce may come again")
    }

    /// The store's hash table (open addressing, deletion by moving entries back) against a
    /// plain model of the same rules, over many random inserts, expiries and evictions.
    @Test func memoryStoreAgreesWithASimpleModel() {
        for (maxEntries, pool) in [(7, 20), (50, 200), (300, 5000)] {
            let store = MemoryReplayStore(maxEntries: maxEntries)
            var expiries: [String: Int64] = [:]
            var queue: [(nonce: String, expiresAt: Int64)] = []
            var random = SystemRandomNumberGenerator()
            var now: Int64 = 0
            for step in 0..<20_000 {
                if Int.random(in: 0..<10, using: &random) == 0 { now += Int64.random(in: 0...3, using: &random) }
                let nonce = "n-\(Int.random(in: 0..<pool, using: &random))"
                let expiresAt = now + Int64.random(in: 0...40, using: &random)
                // The rules, written the plain way.
                var expected = true
                if let expiry = expiries[nonce], expiry >= now {
                    expected = false
                } else {
                    expiries[nonce] = expiresAt
                    queue.append((nonce, expiresAt))
                    while let oldest = queue.first, expiries.count > maxEntries || oldest.expiresAt < now {
                        queue.removeFirst()
                        if expiries[oldest.nonce] == oldest.expiresAt { expiries[oldest.nonce] = nil }
                    }
                }
                let got = Array(nonce.utf8).withUnsafeBytes { store.insert($0, now: now, expiresAt: expiresAt) }
                if got != expected {
                    Issue.record("maxEntries \(maxEntries), step \(step): \(nonce) at \(now) gave \(got), the model \(expected)")
                    break
                }
            }
        }
    }
}
