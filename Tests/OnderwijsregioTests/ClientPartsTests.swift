#if canImport(Glibc)
import Glibc
#endif
import Testing
@testable import Onderwijsregio

@Suite struct RetryPolicyTests {
    @Test func backoffDoublesUpToTheCap() {
        let policy = RetryPolicy()
        #expect(policy.backoffMilliseconds(retry: 1, jitter: 1) == 500)
        #expect(policy.backoffMilliseconds(retry: 2, jitter: 1) == 1000)
        #expect(policy.backoffMilliseconds(retry: 4, jitter: 1) == 4000)
        #expect(policy.backoffMilliseconds(retry: 5, jitter: 1) == 8000)
        #expect(policy.backoffMilliseconds(retry: 60, jitter: 1) == 8000)
        #expect(policy.backoffMilliseconds(retry: 2, jitter: 0.5) == 500)
        #expect(policy.backoffMilliseconds(retry: 2, jitter: 0.1) == 500, "jitter is clamped to [0.5, 1]")
    }

    @Test func retryableStatusesAreThoseOfTheContract() {
        let retryable = (100..<600).filter(RetryPolicy.isRetryable(status:))
        #expect(retryable == [408, 429, 500, 502, 503, 504])
    }

    @Test func seededJitterRepeatsAndStaysInRange() {
        let first = JitterSource(seed: 42), second = JitterSource(seed: 42)
        for _ in 0..<1000 {
            let factor = first.nextFactor()
            #expect(factor >= 0.5 && factor <= 1)
            #expect(factor == second.nextFactor())
        }
    }
}

@Suite struct RetryAfterTests {
    @Test func seconds() {
        #expect(RetryAfter.seconds("120", now: 0) == 120)
        #expect(RetryAfter.seconds(" 0 ", now: 0) == 0)
        #expect(RetryAfter.seconds("99999999999999999999999", now: 0) == Int64.max)
        #expect(RetryAfter.seconds("-1", now: 0) == nil)
        #expect(RetryAfter.seconds("1.5", now: 0) == nil)
        #expect(RetryAfter.seconds("", now: 0) == nil)
    }

    @Test func httpDatesInAllThreeForms() {
        let expected: Int64 = 784_111_777   // 1994-11-06T08:49:37Z
        #expect(HTTPDate.unixSeconds("Sun, 06 Nov 1994 08:49:37 GMT") == expected)
        #expect(HTTPDate.unixSeconds("Sunday, 06-Nov-94 08:49:37 GMT") == expected)
        #expect(HTTPDate.unixSeconds("Sun Nov  6 08:49:37 1994") == expected)
        #expect(HTTPDate.unixSeconds("Thu, 01 Jan 1970 00:00:00 GMT") == 0)
        #expect(HTTPDate.unixSeconds("Tue, 29 Feb 2028 23:59:59 GMT") == 1_835_481_599)
        #expect(RetryAfter.seconds("Sun, 06 Nov 1994 08:50:07 GMT", now: expected) == 30)
        #expect(RetryAfter.seconds("Sun, 06 Nov 1994 08:49:00 GMT", now: expected) == 0, "a past date means now")
    }

    @Test func malformedDatesAreRefused() {
        for text in ["Sun, 06 Nov 1994 08:49 GMT", "Sun, 32 Nov 1994 08:49:37 GMT", "Sun, 06 Foo 1994 08:49:37 GMT",
                     "06 Nov 1994", "Sun, 06 Nov 1994 25:49:37 GMT", "Sun, 06 Nov 1994 08:49:37 GMT 1", "soon",
                     String(repeating: "Sun, ", count: 40)] {
            #expect(HTTPDate.unixSeconds(text) == nil, "\(text)")
        }
    }
}

@Suite struct IdempotencyKeyTests {
    @Test func randomKeysAreVersion4UUIDs() throws {
        var seen = Set<String>()
        for _ in 0..<200 {
            let key = try IdempotencyKey.random()
            let bytes = Array(key.utf8)
            #expect(bytes.count == 36)
            #expect([8, 13, 18, 23].allSatisfy { bytes[$0] == UInt8(ascii: "-") })
            #expect(bytes[14] == UInt8(ascii: "4"))
            #expect("89ab".utf8.contains(bytes[19]))
            seen.insert(key)
        }
        #expect(seen.count == 200)
    }

    @Test func contentKeysDependOnMeaningNotSpelling() throws {
        let one = try JSONParser.parse(#"{"b":1,"a":[1.0,"x"]}"#)
        let same = try JSONParser.parse(#"{ "a" : [1, "x"], "b" : 1 }"#)
        let other = try JSONParser.parse(#"{"a":[1,"x"],"b":2}"#)
        let key = try IdempotencyKey.derived(mutation: "candidates.update", targetId: "rec1", body: one)
        #expect(key == (try IdempotencyKey.derived(mutation: "candidates.update", targetId: "rec1", body: same)))
        #expect(key != (try IdempotencyKey.derived(mutation: "candidates.update", targetId: "rec1", body: other)))
        #expect(key != (try IdempotencyKey.derived(mutation: "candidates.update", targetId: "rec2", body: one)))
        #expect(key != (try IdempotencyKey.derived(mutation: "candidates.upsert", targetId: "rec1", body: one)))
        #expect(key.hasPrefix("sha256-") && key.utf8.count == 71 && IdempotencyKey.isAcceptable(key))
    }

    @Test func acceptableKeys() {
        #expect(IdempotencyKey.isAcceptable("form-1 submit"))
        #expect(!IdempotencyKey.isAcceptable(""))
        #expect(!IdempotencyKey.isAcceptable(String(repeating: "k", count: 256)))
        #expect(IdempotencyKey.isAcceptable(String(repeating: "k", count: 255)))
        #expect(!IdempotencyKey.isAcceptable("tab\there"))
        #expect(!IdempotencyKey.isAcceptable("é"))
    }
}

@Suite struct ServiceURLTests {
    @Test func loopbackHosts() {
        for url in ["http://127.0.0.1:8080/x", "http://localhost/", "http://[::1]:9/hook", "http://127.1.2.3"] {
            #expect(ServiceURL(url)?.isLoopback == true, "\(url)")
        }
        for url in ["http://128.0.0.1/", "http://example.com/", "http://127.0.0.1.example.com/", "http://[::2]/"] {
            #expect(ServiceURL(url)?.isLoopback == false, "\(url)")
        }
    }

    @Test func refusedURLs() {
        for url in ["ftp://example.com/", "https://user:pw@example.com/", "https:///path", "https://example.com:0/",
                    "https://example.com:65536/", "https://exa mple.com/", "https://example.com/\u{7f}", "example.com",
                    "https://[::1/", "https://example.com:/"] {
            #expect(ServiceURL(url) == nil, "\(url)")
        }
        #expect(ServiceURL("HTTPS://Example.com:443/api?x=1")?.scheme == "https")
    }

    @Test func percentEncodingLeavesOnlyUnreserved() {
        #expect(ServiceURL.percentEncode("a-b_c.d~e") == "a-b_c.d~e")
        #expect(ServiceURL.percentEncode("https://h/p?q=1&r=é") == "https%3A%2F%2Fh%2Fp%3Fq%3D1%26r%3D%C3%A9")
        #expect(MutationQuery.target("/candidates", idempotencyKey: "k 1", callbackURL: "https://h/x?y=1")
                == "/candidates?idempotencyKey=k%201&callbackUrl=https%3A%2F%2Fh%2Fx%3Fy%3D1")
    }
}

@Suite struct MutationRouteTests {
    @Test func everyMutationHasItsPath() throws {
        let paths = try MutationRoute.all.map { route -> String in
            switch route.target {
            case .none: return try route.path(targetId: nil)
            case .candidate: return try route.path(targetId: "rec/1")
            case .candidateAndSub: return try route.path(targetId: "rec1/int 2")
            }
        }
        #expect(paths == ["/candidates", "/candidates/upsert", "/candidates/rec%2F1", "/candidates/rec%2F1/archive",
                          "/candidates/rec%2F1", "/candidates/rec%2F1/interactions", "/candidates/rec1/interactions/int%202",
                          "/candidates/rec1/interactions/int%202", "/candidates/rec%2F1/attachments",
                          "/candidates/rec1/attachments/int%202"])
    }

    @Test func targetRulesAreEnforced() throws {
        let create = try #require(MutationRoute.named("candidates.create"))
        let update = try #require(MutationRoute.named("candidates.update"))
        let deleteInteraction = try #require(MutationRoute.named("interactions.delete"))
        #expect(throws: ClientError.self) { try create.path(targetId: "rec1") }
        #expect(throws: ClientError.self) { try update.path(targetId: nil) }
        #expect(throws: ClientError.self) { try update.path(targetId: "") }
        #expect(throws: ClientError.self) { try deleteInteraction.path(targetId: "rec1") }
        #expect(throws: ClientError.self) { try deleteInteraction.path(targetId: "rec1/") }
        #expect(throws: ClientError.self) { try deleteInteraction.path(targetId: "a/b/c") }
        #expect(MutationRoute.named("candidates.destroy") == nil)
    }
}

@Suite struct ClientConfigurationTests {
    private func configuration(_ json: String) throws -> ClientConfiguration {
        try ClientConfiguration(options: try JSONParser.parse(json))
    }

    private func message(_ json: String) -> String? {
        do {
            _ = try configuration(json)
            return nil
        } catch let error as ClientError {
            return error.message
        } catch {
            return "\(error)"
        }
    }

    @Test func defaultsAreTheContracts() throws {
        let defaults = try configuration(#"{"apiKey":"k"}"#)
        #expect(defaults.baseURL == "https://onderwijsregio.onderwijsin.nl/api/v2")
        #expect(defaults.retry.maxRetries == 3 && defaults.retry.baseDelayMilliseconds == 500)
        #expect(defaults.retry.maxDelayMilliseconds == 8000 && defaults.retry.maxRetryAfterSeconds == 60)
        #expect(defaults.connectTimeoutMilliseconds == 10_000 && defaults.requestTimeoutMilliseconds == 30_000)
        #expect(defaults.userAgent == "libonderwijsregio/\(LibraryVersion.text)")
    }

    @Test func errorsNameTheOption() {
        #expect(message(#"{"apiKey":"k","retries":3}"#)?.contains("\"retries\"") == true)
        #expect(message(#"{"apiKey":"k","retry":{"maxRetry":3}}"#)?.contains("\"retry.maxRetry\"") == true)
        #expect(message(#"{"apiKey":"k","retry":{"maxRetries":-1}}"#)?.contains("retry.maxRetries") == true)
        #expect(message(#"{"apiKey":"k","sandbox":"yes"}"#)?.contains("sandbox") == true)
        #expect(message(#"{"apiKey":"k","timeouts":{"connectMs":1.5}}"#)?.contains("timeouts.connectMs") == true)
        #expect(message(#"{}"#)?.contains("apiKey") == true)
        #expect(message(#"[]"#) != nil)
    }

    @Test func baseURLRules() {
        #expect(message(#"{"apiKey":"k","baseUrl":"ftp://example.com"}"#) != nil)
        #expect(message(#"{"apiKey":"k","baseUrl":"http://example.com/api/v2"}"#)?.contains("allowInsecureHttp") == true)
        #expect(message(#"{"apiKey":"k","baseUrl":"http://example.com/api/v2","allowInsecureHttp":true}"#) == nil)
        #expect(message(#"{"apiKey":"k","baseUrl":"http://127.0.0.1:9/api/v2/"}"#) == nil)
        #expect(message(#"{"apiKey":"k","baseUrl":"https://h/api?x=1"}"#) != nil)
    }

    @Test func theKeyIsNeverQuoted() {
        let key = "SECRET-KEY-\u{1}-VALUE"
        let text = message(#"{"apiKey":"\#(key)"}"#.replacingControl())
        #expect(text != nil)
        #expect(text?.contains("SECRET-KEY") == false)
    }
}

private extension String {
    /// JSON-escapes the control characters a raw string literal cannot carry.
    func replacingControl() -> String {
        var out = ""
        for scalar in unicodeScalars {
            if scalar.value < 0x20 { out += "\\u00" + (scalar.value < 0x10 ? "0" : "") + String(scalar.value, radix: 16) } else { out.unicodeScalars.append(scalar) }
        }
        return out
    }
}

@Suite struct SchemaCacheFileTests {
    @Test func roundTripPrivateAndWithoutTheKey() throws {
        var template = Array("/tmp/oreg-cache-XXXXXX".utf8CString)
        let directory = try #require(template.withUnsafeMutableBufferPointer { buffer -> String? in
            guard let base = buffer.baseAddress, let made = mkdtemp(base) else { return nil }
            return String(cString: made)
        })
        try SchemaCacheFile.prepare(directory: directory)
        let apiKey = "very-secret-api-key-123"
        func region(sandbox: Bool, key: String) throws -> String {
            try ClientConfiguration(options: try JSONParser.parse(#"{"apiKey":"\#(key)","baseUrl":"https://h/api/v2","sandbox":\#(sandbox)}"#)).regionFingerprint
        }
        let file = SchemaCacheFile(directory: directory, region: try region(sandbox: false, key: apiKey), operation: .create, maxBytes: 1 << 20)
        #expect(file.read() == nil)
        let schema = try JSONParser.parse(#"{"type":"object","properties":{"email":{"type":"string"}}}"#)
        #expect(file.write(CachedSchema(schema: schema, etag: "\"v1\"", fetchedAt: 1234)))
        let stored = try #require(file.read())
        #expect(stored.schema == schema && stored.etag == "\"v1\"" && stored.fetchedAt == 1234)

        var info = stat()
        #expect(stat(file.path, &info) == 0)
        #expect(info.st_mode & 0o777 == 0o600)
        let text = try #require(readWhole(file.path))
        #expect(!text.contains(apiKey))
        #expect(!file.path.contains(apiKey))

        let sandboxFile = SchemaCacheFile(directory: directory, region: try region(sandbox: true, key: apiKey), operation: .create, maxBytes: 1 << 20)
        let otherKeyFile = SchemaCacheFile(directory: directory, region: try region(sandbox: false, key: "other"), operation: .create, maxBytes: 1 << 20)
        let updateFile = SchemaCacheFile(directory: directory, region: try region(sandbox: false, key: apiKey), operation: .update, maxBytes: 1 << 20)
        #expect(Set([file.path, sandboxFile.path, otherKeyFile.path, updateFile.path]).count == 4)

        // A corrupt file counts as absent, never as an error.
        let descriptor = open(file.path, O_WRONLY | O_TRUNC)
        _ = write(descriptor, "{not json", 9)
        close(descriptor)
        #expect(file.read() == nil)
    }

    @Test func aFileIsNotADirectory() {
        #expect(throws: ClientError.self) { try SchemaCacheFile.prepare(directory: "/etc/hostname") }
    }

    private func readWhole(_ path: String) -> String? {
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, 4096) }
            guard count > 0 else { break }
            bytes += chunk[0..<count]
        }
        return String(decoding: bytes, as: UTF8.self)
    }
}

@Suite struct ValidationTargetTests {
    private let region = """
        {"type":"object","required":["email"],"properties":{"email":{"type":"string","format":"email"},
         "interactions":{"type":"array","items":{"$ref":"#/$defs/I"}},
         "curriculumVitae":{"type":"array","maxItems":1,"items":{"type":"object","required":["url"]}}},
         "$defs":{"I":{"type":"object","required":["type"]}}}
        """

    private func validator(_ target: ValidationTarget) throws -> JSONSchema? {
        let document = try JSONParser.parse(region)
        guard let (schema, resources) = target.schemaDocument(region: document) else { return nil }
        var options = SchemaOptions()
        options.resources = resources
        return try JSONSchema(schema, options: options)
    }

    private func isValid(_ target: ValidationTarget, _ instance: String) throws -> Bool {
        try #require(try validator(target)).isValid(try JSONParser.parse(instance))
    }

    @Test func batchesHoldOneToTenCandidates() throws {
        #expect(try isValid(.candidateBatch, #"[{"email":"a@example.nl"}]"#))
        #expect(try !isValid(.candidateBatch, #"[]"#))
        #expect(try !isValid(.candidateBatch, #"[{"email":"nope"}]"#))
        let eleven = "[" + Array(repeating: #"{"email":"a@example.nl"}"#, count: 11).joined(separator: ",") + "]"
        #expect(try !isValid(.candidateBatch, eleven))
        let report = try #require(try validator(.candidateBatch)).validate(try JSONParser.parse(#"[{"email":"a@example.nl"},{}]"#))
        #expect(report.errors.first?.instanceLocation.description == "/1")
    }

    @Test func interactionsUseTheirPartOfTheSchema() throws {
        #expect(try isValid(.interactions, #"[{"type":"call"}]"#))
        #expect(try !isValid(.interactions, #"[{}]"#))
        #expect(try !isValid(.interactions, #"[]"#))
    }

    @Test func attachmentsPickTheFieldsSchema() throws {
        #expect(try isValid(.attachments, #"{"field":"curriculumVitae","files":[{"url":"https://x/cv.pdf"}]}"#))
        #expect(try !isValid(.attachments, #"{"field":"curriculumVitae","files":[{}]}"#))
        #expect(try !isValid(.attachments, #"{"field":"curriculumVitae","files":[{"url":"a"},{"url":"b"}]}"#))
        #expect(try !isValid(.attachments, #"{"field":"otherAttachments","files":[{"url":"a"}]}"#), "not in this region's schema")
        #expect(try !isValid(.attachments, #"{"field":"curriculumVitae","files":[{"url":"a"}],"extra":1}"#))
    }

    @Test func absentPartsMeanNothingToCheck() throws {
        let bare = try JSONParser.parse(#"{"type":"object"}"#)
        #expect(ValidationTarget.interactions.schemaDocument(region: bare) == nil)
        #expect(ValidationTarget.attachments.schemaDocument(region: bare) == nil)
    }
}
