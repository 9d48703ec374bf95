/// Everything a client is configured with, read from the JSON options object of
/// `oreg_client_new`. The defaults are api-contract.md's (§2, §9).
public struct ClientConfiguration: Sendable {
    static let productionBaseURL = "https://onderwijsregio.onderwijsin.nl/api/v2"
    static let megabytes32 = 32 * 1024 * 1024

    var baseURL = ClientConfiguration.productionBaseURL
    var apiKey = ""
    var sandbox = false
    var connectTimeoutMilliseconds: Int64 = 10_000
    var requestTimeoutMilliseconds: Int64 = 30_000
    var deadlineMilliseconds: Int64 = 120_000
    var retry = RetryPolicy()
    var jitterSeed: UInt64?
    var schemaCacheDirectory: String?
    var schemaCacheTTLSeconds: Int64 = 3600
    var caBundlePath: String?
    var userAgentSuffix: String?
    var maxResponseBytes = ClientConfiguration.megabytes32
    var maxRequestBytes = ClientConfiguration.megabytes32
    var allowInsecureHttp = false
    /// The language of validation reports.
    var language = MessageLanguage.english
    var outboxPath: String?
    /// How long a flusher's claim on an outbox entry lasts; nil: the deadline plus a minute.
    var outboxLeaseSeconds: Int64?

    /// Names this client's region without revealing the key: a SHA-256 over base URL, sandbox
    /// flag and the key's own SHA-256. Cache files and outbox entries are filed under it.
    var regionFingerprint: String {
        let identity = [baseURL, sandbox ? "sandbox" : "production", SHA256.hexDigest(Array(apiKey.utf8))].joined(separator: "\n")
        return SHA256.hexDigest(Array(identity.utf8))
    }

    var userAgent: String {
        "libonderwijsregio/\(LibraryVersion.text)" + (userAgentSuffix.map { " " + $0 } ?? "")
    }

    /// Reads and checks the options; an unknown name, a wrong type or a value out of range is
    /// a `.misuse` error naming the option.
    public init(options: JSONValue) throws(ClientError) {
        guard case .object(let object) = options else { throw ClientError(.misuse, "options must be a JSON object") }
        let reader = OptionReader(prefix: "")
        for member in object.members {
            let value = member.value
            switch member.key {
            case "baseUrl": baseURL = try reader.string(member.key, value)
            case "apiKey": apiKey = try reader.string(member.key, value)
            case "sandbox": sandbox = try reader.bool(member.key, value)
            case "timeouts":
                let nested = OptionReader(prefix: "timeouts.")
                for item in try nested.object(member.key, value) {
                    switch item.key {
                    case "connectMs": connectTimeoutMilliseconds = try nested.integer(item.key, item.value, 1...3_600_000)
                    case "requestMs": requestTimeoutMilliseconds = try nested.integer(item.key, item.value, 1...86_400_000)
                    case "deadlineMs": deadlineMilliseconds = try nested.integer(item.key, item.value, 1...86_400_000)
                    default: throw nested.unknown(item.key)
                    }
                }
            case "retry":
                let nested = OptionReader(prefix: "retry.")
                for item in try nested.object(member.key, value) {
                    switch item.key {
                    case "maxRetries": retry.maxRetries = Int(try nested.integer(item.key, item.value, 0...100))
                    case "baseDelayMs": retry.baseDelayMilliseconds = try nested.integer(item.key, item.value, 0...3_600_000)
                    case "maxDelayMs": retry.maxDelayMilliseconds = try nested.integer(item.key, item.value, 0...3_600_000)
                    case "maxRetryAfterSeconds": retry.maxRetryAfterSeconds = try nested.integer(item.key, item.value, 0...86_400)
                    case "jitterSeed": jitterSeed = UInt64(try nested.integer(item.key, item.value, 0...Int64.max))
                    default: throw nested.unknown(item.key)
                    }
                }
            case "schemaCache":
                let nested = OptionReader(prefix: "schemaCache.")
                for item in try nested.object(member.key, value) {
                    switch item.key {
                    case "dir": schemaCacheDirectory = try nested.string(item.key, item.value)
                    case "ttlSeconds": schemaCacheTTLSeconds = try nested.integer(item.key, item.value, 0...31_536_000)
                    default: throw nested.unknown(item.key)
                    }
                }
            case "caBundle": caBundlePath = try reader.string(member.key, value)
            case "userAgentSuffix":
                let suffix = try reader.string(member.key, value)
                guard suffix.utf8.count <= 256, suffix.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7f }) else {
                    throw ClientError(.misuse, "option userAgentSuffix must be at most 256 printable ASCII characters")
                }
                userAgentSuffix = suffix
            case "maxResponseBytes": maxResponseBytes = Int(try reader.integer(member.key, value, 1...(1 << 30)))
            case "maxRequestBytes": maxRequestBytes = Int(try reader.integer(member.key, value, 1...(1 << 30)))
            case "allowInsecureHttp": allowInsecureHttp = try reader.bool(member.key, value)
            case "outbox":
                let nested = OptionReader(prefix: "outbox.")
                for item in try nested.object(member.key, value) {
                    switch item.key {
                    case "path": outboxPath = try nested.string(item.key, item.value)
                    case "leaseSeconds": outboxLeaseSeconds = try nested.integer(item.key, item.value, 1...86_400)
                    default: throw nested.unknown(item.key)
                    }
                }
                guard let path = outboxPath, !path.isEmpty else { throw ClientError(.misuse, "option outbox.path is required") }
            case "language":
                let name = try reader.string(member.key, value)
                guard let known = MessageLanguage(rawValue: name) else {
                    throw ClientError(.misuse, "option language must be \"en\" or \"nl\"")
                }
                language = known
            default: throw reader.unknown(member.key)
            }
        }
        try check()
    }

    private mutating func check() throws(ClientError) {
        guard !apiKey.isEmpty else { throw ClientError(.misuse, "option apiKey is required") }
        // The key becomes a header line: anything outside visible ASCII could split it.
        guard apiKey.utf8.count <= 1024, apiKey.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f }) else {
            throw ClientError(.misuse, "option apiKey must be 1 to 1024 visible ASCII characters (not shown here)")
        }
        while baseURL.hasSuffix("/") { baseURL.removeLast() }
        guard let url = ServiceURL(baseURL) else {
            // Echoed only when it cannot hold credentials: they are secrets like the key.
            let shown = baseURL.contains("@") ? "" : " (got \"\(baseURL.prefix(200))\")"
            throw ClientError(.misuse, "option baseUrl must be an absolute http:// or https:// URL without credentials, spaces or control characters\(shown)")
        }
        guard !url.rest.contains("?") && !url.rest.contains("#") else {
            throw ClientError(.misuse, "option baseUrl must not have a query or fragment")
        }
        if url.scheme == "http" && !url.isLoopback && !allowInsecureHttp {
            throw ClientError(.misuse, "option baseUrl: plain http would send the API key in clear over the network; use https, a loopback host, or set allowInsecureHttp")
        }
        guard retry.maxDelayMilliseconds >= retry.baseDelayMilliseconds else {
            throw ClientError(.misuse, "option retry.maxDelayMs must not be smaller than retry.baseDelayMs")
        }
        if let directory = schemaCacheDirectory, directory.isEmpty || directory.utf8.contains(0) {
            throw ClientError(.misuse, "option schemaCache.dir must be a non-empty path")
        }
    }
}

/// Typed access to option values with errors that name the option (with its parent, as in
/// "retry.maxRetries"). Secret values are never quoted.
struct OptionReader {
    let prefix: String

    func unknown(_ name: String) -> ClientError {
        ClientError(.misuse, "unknown option \"\(prefix)\(name)\"")
    }

    private func wrongType(_ name: String, _ expected: String, _ value: JSONValue) -> ClientError {
        ClientError(.misuse, "option \(prefix)\(name) must be \(expected), not \(value.typeName)")
    }

    func string(_ name: String, _ value: JSONValue) throws(ClientError) -> String {
        guard case .string(let text) = value else { throw wrongType(name, "a string", value) }
        return text
    }

    func bool(_ name: String, _ value: JSONValue) throws(ClientError) -> Bool {
        guard case .bool(let flag) = value else { throw wrongType(name, "true or false", value) }
        return flag
    }

    func integer(_ name: String, _ value: JSONValue, _ range: ClosedRange<Int64>) throws(ClientError) -> Int64 {
        guard case .number(let number) = value else { throw wrongType(name, "an integer", value) }
        guard let integer = number.int64Value, range.contains(integer) else {
            throw ClientError(.misuse, "option \(prefix)\(name) must be an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return integer
    }

    func object(_ name: String, _ value: JSONValue) throws(ClientError) -> [JSONObject.Member] {
        guard case .object(let object) = value else { throw wrongType(name, "an object", value) }
        return object.members
    }
}
