/// A failed client call, with everything a caller needs to decide what to do next. Never holds
/// the API key: messages are built from our own text, libcurl's (host and port only) and the
/// service's answer.
public struct ClientError: Error, Sendable {
    public enum Kind: Sendable {
        /// The call was wrong: bad options, unknown mutation, missing target, ...
        case misuse
        /// An input is not JSON.
        case json
        /// An input or answer exceeds a limit.
        case limit
        /// The service could not be reached, or answered with a redirect.
        case transport
        /// The service answered with an error status.
        case http
        /// The call's overall deadline ran out.
        case deadline
        /// The service answered 2xx with something unusable.
        case response
        /// Sandbox mode, but the answer came from production data.
        case sandbox
        /// The service's schema does not compile.
        case schema
        /// A local file could not be read or written.
        case io
        /// Memory or the random generator failed.
        case resource
    }

    public var kind: Kind
    public var message: String
    public var httpStatus: Int?
    public var requestId: String?
    public var idempotencyKey: String?
    public var mutationId: String?
    public var attempts: Int?
    /// Whether the same call (with the same idempotency key) may succeed later.
    public var isRetryable = false
    public var serviceMessage: String?
    /// The service's error code ("ValidationError", ...).
    public var serviceError: String?
    public var issues: JSONValue?
    /// The start of an answer that was not JSON.
    public var body: String?
    public var retryAfterSeconds: Int64?
    /// For `.json` errors: where the input broke.
    public var parseError: JSONParseError?

    init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    /// The members this error adds to a JSON description of itself.
    public var details: [(String, JSONValue)] {
        var members: [(String, JSONValue)] = []
        func add(_ name: String, _ value: String?) { if let value { members.append((name, .string(value))) } }
        func add(_ name: String, _ value: Int64?) { if let value { members.append((name, .number(JSONNumber(value)))) } }
        add("httpStatus", httpStatus.map(Int64.init))
        add("requestId", requestId)
        add("idempotencyKey", idempotencyKey)
        add("mutationId", mutationId)
        add("attempts", attempts.map(Int64.init))
        if idempotencyKey != nil || attempts != nil { members.append(("retryable", .bool(isRetryable))) }
        add("serviceMessage", serviceMessage)
        add("error", serviceError)
        if let issues { members.append(("issues", issues)) }
        add("body", body)
        add("retryAfterSeconds", retryAfterSeconds)
        if let parseError {
            add("offset", Int64(parseError.offset))
            add("line", Int64(parseError.line))
            add("column", Int64(parseError.column))
        }
        return members
    }
}
