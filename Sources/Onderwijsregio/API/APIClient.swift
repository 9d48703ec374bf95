/// A client of one region's API: the library's main job. Submits mutations exactly once
/// (idempotency key chosen before the first attempt, reused for every retry), reads with
/// retries, fetches and caches the region's schema and validates payloads before sending.
/// Safe to share between threads.
public final class APIClient: @unchecked Sendable {
    /// What a submission came to.
    public enum SubmitOutcome {
        /// The service accepted the mutation (202): the result object.
        case accepted(JSONValue)
        /// The body does not match the region's schema; nothing was sent. The report.
        case invalid([UInt8])
        /// It could not be delivered and is kept in the outbox for a later flush.
        case queued(JSONValue)
    }

    let configuration: ClientConfiguration
    private let transport: CurlTransport
    private let jitter: JitterSource
    private let schemas: SchemaStore
    private let outbox: Outbox?

    public init(configuration: ClientConfiguration) throws(ClientError) {
        self.configuration = configuration
        var files: [SchemaOperation: SchemaCacheFile] = [:]
        if let directory = configuration.schemaCacheDirectory {
            try SchemaCacheFile.prepare(directory: directory)
            for operation in [SchemaOperation.create, .update] {
                files[operation] = SchemaCacheFile(directory: directory, region: configuration.regionFingerprint,
                                                   operation: operation, maxBytes: configuration.maxResponseBytes * 2)
            }
        }
        outbox = try configuration.outboxPath.map { (path) throws(ClientError) -> Outbox in
            try Outbox(path: path, region: configuration.regionFingerprint,
                       leaseSeconds: configuration.outboxLeaseSeconds ?? configuration.deadlineMilliseconds / 1000 + 60)
        }
        schemas = SchemaStore(timeToLive: configuration.schemaCacheTTLSeconds, files: files, language: configuration.language)
        jitter = JitterSource(seed: configuration.jitterSeed)
        var fixedHeaders = ["Accept: application/json"]
        if configuration.sandbox { fixedHeaders.append("x-api-sandbox: true") }
        do throws(TransportError) {
            transport = try CurlTransport(CurlTransport.Configuration(
                connectTimeoutMilliseconds: configuration.connectTimeoutMilliseconds,
                caBundlePath: configuration.caBundlePath,
                userAgent: configuration.userAgent,
                maxResponseBytes: configuration.maxResponseBytes,
                fixedHeaders: fixedHeaders,
                secretHeader: "x-api-key: " + configuration.apiKey))
        } catch {
            throw ClientError(.resource, error.message)
        }
    }

    // MARK: schema and validation

    /// The region's schema for "create" or "update", and the failure that made it stale.
    public func schema(operation: String) throws(ClientError) -> (schema: JSONValue, stale: ClientError?) {
        guard let known = SchemaOperation(rawValue: operation) else {
            throw ClientError(.misuse, "operation must be \"create\" or \"update\", not \"\(operation.prefix(64))\"")
        }
        return try schemas.schema(known, fetch: fetchSchema(known))
    }

    /// Validates `document` as `operation` ("create", "update" or a mutation name). With
    /// `report` false the verdict comes from the fast path and no report is built.
    public func validate(operation: String, document: JSONValue, report: Bool) throws(ClientError) -> (valid: Bool, report: [UInt8]?) {
        let target: ValidationTarget
        if let known = SchemaOperation(rawValue: operation) {
            target = .candidate(known)
        } else if let route = MutationRoute.named(operation) {
            guard let routeTarget = route.validation else {
                throw ClientError(.misuse, "\(operation) has no schema to validate its body against")
            }
            target = routeTarget
        } else {
            throw ClientError(.misuse, "unknown operation \"\(operation.prefix(64))\": use \"create\", \"update\" or a mutation name")
        }
        return try validate(document, against: target, report: report)
    }

    private func validate(_ document: JSONValue, against target: ValidationTarget, report: Bool) throws(ClientError) -> (valid: Bool, report: [UInt8]?) {
        let (validator, _) = try schemas.validator(target, fetch: fetchSchema(target.operation))
        guard let validator else { return (true, nil) }
        do throws(SchemaEvaluationError) {
            if !report { return (try validator.isValid(document), nil) }
            var invalidReport: [UInt8]?
            try validator.report(document) { invalidReport = Array($0) }
            return (invalidReport == nil, invalidReport)
        } catch {
            throw ClientError(.limit, error.message)
        }
    }

    private func fetchSchema(_ operation: SchemaOperation) -> (String?) throws(ClientError) -> SchemaStore.FetchOutcome {
        { (etag: String?) throws(ClientError) -> SchemaStore.FetchOutcome in
            var request = HTTPRequest(method: .get, url: self.configuration.baseURL + (operation == .create ? "/schema" : "/schema?operation=update"))
            if let etag { request.headers.append("If-None-Match: " + etag) }
            let (response, _) = try self.exchange(request)
            if response.status == 304 && etag != nil { return .notModified }
            let envelope = ResponseEnvelope(response)
            try self.requireJSON(envelope, of: response)
            guard let schema = envelope.schema else {
                var error = ClientError(.response, "the service's answer to GET /schema holds no schema")
                error.requestId = envelope.requestId
                throw error
            }
            return .fresh(schema: schema, etag: response.header("etag"))
        }
    }

    // MARK: mutations

    /// Submits one mutation (see `MutationRoute.all` for the names). Every error thrown after
    /// the key was chosen carries it.
    public func submit(mutation: String, targetId: String?, body: [UInt8], options: JSONValue?) throws(ClientError) -> SubmitOutcome {
        guard let route = MutationRoute.named(mutation) else {
            throw ClientError(.misuse, "unknown mutation \"\(mutation.prefix(64))\"; known: " + MutationRoute.all.map(\.name).joined(separator: ", "))
        }
        let submission = try SubmitOptions(options)
        let path: String
        let document: JSONValue?
        let key: String
        do throws(ClientError) {
            path = try route.path(targetId: targetId)
            document = try parseBody(body, for: route)
            switch submission.idempotencyKey {
            case nil: key = try IdempotencyKey.random()
            case IdempotencyKey.contentRequest?: key = try IdempotencyKey.derived(mutation: route.name, targetId: targetId, body: document)
            case let given?: key = given
            }
        } catch {
            var failure = error
            if let given = submission.idempotencyKey, given != IdempotencyKey.contentRequest { failure.idempotencyKey = given }
            throw failure
        }
        do throws(ClientError) {
            // Without a schema (the service is down, nothing cached) the check fails like a send
            // would, and with an outbox the mutation is kept: the service validates it on flush.
            if submission.validate, let target = route.validation, let document {
                let (valid, report) = try validate(document, against: target, report: true)
                if !valid, let report { return .invalid(report) }
            }
            return .accepted(try send(route, path: path, body: document != nil ? body : nil, key: key, callbackURL: submission.callbackURL))
        } catch {
            var annotated = error
            annotated.idempotencyKey = key
            guard let outbox, APIClient.isWorthKeeping(error) else { throw annotated }
            let id: Int64
            do throws(ClientError) {
                id = try outbox.enqueue(mutation: route.name, targetId: targetId, body: document != nil ? body : [], idempotencyKey: key,
                                        callbackURL: submission.callbackURL, attempts: error.attempts ?? 0, lastError: error.message,
                                        now: Clock.unixSeconds())
            } catch {
                annotated.message += "; the outbox could not keep it either (\(error.message))"
                throw annotated
            }
            var result = JSONObject()
            result["queued"] = .bool(true)
            result["outboxId"] = .number(JSONNumber(id))
            result["idempotencyKey"] = .string(key)
            result["attempts"] = .number(JSONNumber(error.attempts ?? 0))
            result["lastError"] = .object(JSONObject([("message", .string(error.message))] + error.details.filter { $0.0 != "idempotencyKey" }))
            return .queued(.object(result))
        }
    }

    /// Sends one mutation with its key; the accepted result, or the error.
    private func send(_ route: MutationRoute, path: String, body: [UInt8]?, key: String, callbackURL: String?) throws(ClientError) -> JSONValue {
        var request = HTTPRequest(method: route.method, url: configuration.baseURL + MutationQuery.target(path, idempotencyKey: key, callbackURL: callbackURL))
        if let body {
            request.body = body
            request.headers.append("Content-Type: application/json")
        } else if route.method == .post {
            request.body = []
        }
        let (response, attempts) = try exchange(request)
        return try acceptedMutation(response, path: path, key: key, attempts: attempts)
    }

    /// Failures the outbox keeps for later: the service could not be reached or was overloaded
    /// (after the retries), or its answer was lost. Never what the service refused for good
    /// (4xx), what the caller got wrong, nor a redirect (it would repeat).
    static func isWorthKeeping(_ error: ClientError) -> Bool {
        switch error.kind {
        case .transport: return error.httpStatus == nil
        case .deadline: return true
        case .http: return error.httpStatus.map(RetryPolicy.isRetryable(status:)) ?? false
        case .response: return error.isRetryable
        default: return false
        }
    }

    // MARK: the outbox

    private func requireOutbox() throws(ClientError) -> Outbox {
        guard let outbox else { throw ClientError(.misuse, "this client has no outbox: set the option outbox.path") }
        return outbox
    }

    /// Sends up to `max` queued mutations, oldest first, each with its original key.
    public func flush(max: Int, ignoringBackoff: Bool) throws(ClientError) -> JSONValue {
        let outbox = try requireOutbox()
        try outbox.prune(now: Clock.unixSeconds())
        var delivered = 0, requeued = 0, dead = 0
        var entries: [JSONValue] = []
        var lastTried: Int64 = 0
        for _ in 0..<max {
            guard let entry = try outbox.claim(now: Clock.unixSeconds(), ignoringBackoff: ignoringBackoff, afterId: lastTried) else { break }
            lastTried = entry.id
            var line = JSONObject([("id", .number(JSONNumber(entry.id))), ("idempotencyKey", .string(entry.idempotencyKey)),
                                   ("mutation", .string(entry.mutation))])
            do throws(ClientError) {
                guard let route = MutationRoute.named(entry.mutation) else {
                    throw ClientError(.misuse, "the outbox entry names an unknown mutation \"\(entry.mutation)\"")
                }
                let path = try route.path(targetId: entry.targetId)
                let result = try send(route, path: path, body: route.body == .none ? nil : entry.body, key: entry.idempotencyKey,
                                      callbackURL: entry.callbackURL)
                let mutationId = result["mutationId"]?.stringValue ?? ""
                try outbox.delivered(entry.id, mutationId: mutationId, now: Clock.unixSeconds())
                delivered += 1
                line["outcome"] = .string("delivered")
                line["mutationId"] = .string(mutationId)
            } catch {
                if case .io = error.kind { throw error }
                if APIClient.isWorthKeeping(error) {
                    try outbox.requeue(entry.id, attempts: entry.attempts + Int64(error.attempts ?? 1), lastError: error.message, now: Clock.unixSeconds())
                    requeued += 1
                    line["outcome"] = .string("requeued")
                } else {
                    let answer = JSONSerializer.serialize(.object(JSONObject([("message", .string(error.message))] + error.details)))
                    try outbox.dead(entry.id, answer: answer, lastError: error.message, now: Clock.unixSeconds())
                    dead += 1
                    line["outcome"] = .string("dead")
                }
                line["error"] = .string(error.message)
            }
            entries.append(.object(line))
        }
        return .object(JSONObject([
            ("delivered", .number(JSONNumber(delivered))), ("requeued", .number(JSONNumber(requeued))),
            ("dead", .number(JSONNumber(dead))), ("remaining", .number(JSONNumber(try outbox.count(.queued) + outbox.count(.sending)))),
            ("entries", .array(entries)),
        ]))
    }

    /// Counts and oldest entries per state.
    public func outboxStatus() throws(ClientError) -> JSONValue {
        try requireOutbox().status()
    }

    /// Marks the outbox entry of a received callback (its raw body) completed or failed.
    public func recordCallback(body: [UInt8]) throws(ClientError) -> JSONValue {
        let outbox = try requireOutbox()
        let document: JSONValue
        do throws(JSONParseError) {
            document = try JSONParser.parse(body)
        } catch {
            var failure = ClientError(.json, "the callback body is not JSON: \(error.description)")
            failure.parseError = error
            throw failure
        }
        let mutationId = document["mutationId"]?.stringValue
        let key = document["idempotencyKey"]?.stringValue
        guard mutationId != nil || key != nil, let status = document["status"]?.stringValue else {
            throw ClientError(.misuse, "the callback body has no mutationId or idempotencyKey, or no status")
        }
        let id = try outbox.recordCallback(mutationId: mutationId, idempotencyKey: key, succeeded: status == "succeeded", now: Clock.unixSeconds())
        return .object(JSONObject([
            ("matched", .bool(id != nil)), ("id", id.map { .number(JSONNumber($0)) } ?? .null),
            ("state", id == nil ? .null : .string(status == "succeeded" ? OutboxState.completed.rawValue : OutboxState.failed.rawValue)),
        ]))
    }

    private func parseBody(_ body: [UInt8], for route: MutationRoute) throws(ClientError) -> JSONValue? {
        if route.body == .none {
            guard body.isEmpty else { throw ClientError(.misuse, "\(route.name) takes no body") }
            return nil
        }
        guard !body.isEmpty else { throw ClientError(.misuse, "\(route.name) needs a JSON body") }
        guard body.count <= configuration.maxRequestBytes else {
            throw ClientError(.limit, "the body is \(body.count) bytes, more than maxRequestBytes (\(configuration.maxRequestBytes))")
        }
        let document: JSONValue
        do throws(JSONParseError) {
            document = try JSONParser.parse(body)
        } catch {
            var failure = ClientError(error.kind == .limit ? .limit : .json, "the body is not valid JSON: \(error.description)")
            failure.parseError = error
            throw failure
        }
        switch (route.body, document) {
        case (.array, .array), (.object, .object): return document
        default:
            throw ClientError(.misuse, "\(route.name) needs a JSON \(route.body == .array ? "array" : "object") as its body, not \(document.typeName)")
        }
    }

    private func acceptedMutation(_ response: HTTPResponse, path: String, key: String, attempts: Int) throws(ClientError) -> JSONValue {
        let envelope = ResponseEnvelope(response)
        do throws(ClientError) {
            try requireJSON(envelope, of: response)
            try checkSandbox(envelope, path: path)
        } catch {
            var failure = error
            failure.attempts = attempts
            failure.mutationId = envelope.data?["mutationId"]?.stringValue
            // Accepted or not, the key makes a resubmission safe.
            failure.isRetryable = error.kind == .response
            throw failure
        }
        guard let mutationId = envelope.data?["mutationId"]?.stringValue else {
            var failure = ClientError(.response, "the service answered HTTP \(response.status) without a mutationId; the mutation may be queued: resubmit with the same idempotency key to find out")
            failure.attempts = attempts
            failure.requestId = envelope.requestId
            failure.httpStatus = response.status
            failure.isRetryable = true
            throw failure
        }
        var result = JSONObject()
        result["httpStatus"] = .number(JSONNumber(response.status))
        result["mutationId"] = .string(mutationId)
        result["idempotencyKey"] = .string(key)
        result["operation"] = envelope.data?["operation"] ?? .null
        result["mutationStatus"] = envelope.data?["status"] ?? .null
        result["replayed"] = .bool(response.header("idempotent-replayed")?.lowercased() == "true")
        result["requestId"] = envelope.requestId.map(JSONValue.string) ?? .null
        result["attempts"] = .number(JSONNumber(attempts))
        result["data"] = envelope.data ?? .null
        result["meta"] = envelope.meta ?? .null
        return .object(result)
    }

    // MARK: reads

    /// GET `pathAndQuery` (relative to the base URL): the result object with `data`, `meta`
    /// and `cursor`.
    public func get(pathAndQuery: String) throws(ClientError) -> JSONValue {
        guard pathAndQuery.hasPrefix("/"), !pathAndQuery.hasPrefix("//"), pathAndQuery.utf8.count <= 8192,
              pathAndQuery.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f && $0 != UInt8(ascii: "#") }) else {
            throw ClientError(.misuse, "path_and_query must start with one \"/\", be percent-encoded and hold no spaces, control characters or \"#\" (at most 8192 bytes)")
        }
        let (response, attempts) = try exchange(HTTPRequest(method: .get, url: configuration.baseURL + pathAndQuery))
        let envelope = ResponseEnvelope(response)
        do throws(ClientError) {
            try requireJSON(envelope, of: response)
            try checkSandbox(envelope, path: pathAndQuery)
        } catch {
            var failure = error
            failure.attempts = attempts
            throw failure
        }
        var result = JSONObject()
        result["httpStatus"] = .number(JSONNumber(response.status))
        result["requestId"] = envelope.requestId.map(JSONValue.string) ?? .null
        result["attempts"] = .number(JSONNumber(attempts))
        result["data"] = envelope.data ?? .null
        result["meta"] = envelope.meta ?? .null
        result["cursor"] = envelope.meta?["cursor"] ?? .null
        return .object(result)
    }

    // MARK: the exchange

    /// Sends `request`, retrying what api-contract.md §9 says to retry, within the call's
    /// deadline. Returns the final response (2xx, 304, or an error status not worth
    /// retrying: those are turned into errors by the caller) and how many attempts it took.
    private func exchange(_ request: HTTPRequest) throws(ClientError) -> (HTTPResponse, attempts: Int) {
        let policy = configuration.retry
        let deadline = Clock.monotonicMilliseconds() + configuration.deadlineMilliseconds
        var attempts = 0
        while true {
            attempts += 1
            let remaining = deadline - Clock.monotonicMilliseconds()
            let timeout = min(configuration.requestTimeoutMilliseconds, remaining)
            var failure: ClientError
            var retryAfterSeconds: Int64?
            switch transport.perform(request, timeoutMilliseconds: timeout) {
            case .success(let response):
                if (200..<300).contains(response.status) || response.status == 304 { return (response, attempts) }
                if (300..<400).contains(response.status) {
                    failure = ClientError(.transport, "the service answered with a redirect (HTTP \(response.status)) to \(response.header("location") ?? "nowhere"); redirects are never followed, so the API key stays with the configured host: fix baseUrl")
                    failure.httpStatus = response.status
                    failure.attempts = attempts
                    throw failure
                }
                failure = ResponseEnvelope(response).httpError(response)
                guard RetryPolicy.isRetryable(status: response.status) else {
                    failure.attempts = attempts
                    throw failure
                }
                retryAfterSeconds = response.header("retry-after").flatMap { RetryAfter.seconds($0, now: Clock.unixSeconds()) }
                failure.retryAfterSeconds = retryAfterSeconds
            case .failure(let error):
                failure = ClientError(error.kind == .responseTooLarge ? .limit : .transport, error.message)
                if error.kind == .timeout && timeout < configuration.requestTimeoutMilliseconds {
                    failure = ClientError(.deadline, "the call's deadline (\(configuration.deadlineMilliseconds) ms) ran out during attempt \(attempts): \(error.message)")
                }
                guard error.isRetryable, failure.kind != .deadline else {
                    failure.attempts = attempts
                    failure.isRetryable = failure.kind != .limit
                    throw failure
                }
            }
            failure.attempts = attempts
            failure.isRetryable = true
            guard attempts <= policy.maxRetries else {
                failure.message += attempts > 1 ? " (after \(attempts) attempts)" : ""
                throw failure
            }
            let wait: Int64
            if let retryAfterSeconds {
                guard retryAfterSeconds <= policy.maxRetryAfterSeconds else {
                    failure.message += "; the service asked to wait \(retryAfterSeconds) s, longer than maxRetryAfterSeconds (\(policy.maxRetryAfterSeconds))"
                    throw failure
                }
                wait = retryAfterSeconds * 1000
            } else {
                wait = policy.backoffMilliseconds(retry: attempts, jitter: jitter.nextFactor())
            }
            guard Clock.monotonicMilliseconds() + wait < deadline else {
                var expired = ClientError(.deadline, "the call's deadline (\(configuration.deadlineMilliseconds) ms) leaves no time for attempt \(attempts + 1); last failure: \(failure.message)")
                expired.httpStatus = failure.httpStatus
                expired.requestId = failure.requestId
                expired.serviceMessage = failure.serviceMessage
                expired.retryAfterSeconds = failure.retryAfterSeconds
                expired.attempts = attempts
                expired.isRetryable = true
                throw expired
            }
            Clock.sleep(milliseconds: wait)
        }
    }

    /// Refuses the envelope of a 2xx answer that is not JSON (or empty): it cannot be used.
    private func requireJSON(_ envelope: ResponseEnvelope, of response: HTTPResponse) throws(ClientError) {
        guard envelope.document != nil else {
            var error = ClientError(.response, response.body.isEmpty
                ? "the service answered HTTP \(response.status) with an empty body"
                : "the service answered HTTP \(response.status) with a body that is not JSON")
            error.httpStatus = response.status
            error.requestId = envelope.requestId
            if !response.body.isEmpty {
                error.body = String(decoding: response.body.prefix(ResponseEnvelope.keptBodyBytes), as: UTF8.self)
            }
            throw error
        }
    }

    /// [assumed] The client's safety net for sandbox mode (api-contract.md §2): an answer from
    /// /candidates must confirm the sandbox, else it came from production data.
    private func checkSandbox(_ envelope: ResponseEnvelope, path: String) throws(ClientError) {
        guard configuration.sandbox, path == "/candidates" || path.hasPrefix("/candidates/") || path.hasPrefix("/candidates?") else { return }
        if case .bool(true)? = envelope.meta?["sandboxEnabled"] { return }
        var error = ClientError(.sandbox, "sandbox mode is on, but the service did not confirm the sandbox (meta.sandboxEnabled): the request may have reached production data")
        error.requestId = envelope.requestId
        throw error
    }
}
