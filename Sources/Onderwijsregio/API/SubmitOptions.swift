/// The options object of one submission: {"idempotencyKey", "callbackUrl", "validate"}.
struct SubmitOptions {
    /// nil: a random key; "content": derived from the mutation; anything else: that key.
    var idempotencyKey: String?
    var callbackURL: String?
    var validate = true

    init(_ options: JSONValue?) throws(ClientError) {
        guard let options else { return }
        guard case .object(let object) = options else { throw ClientError(.misuse, "submit options must be a JSON object") }
        do throws(ClientError) {
            try read(object)
        } catch {
            // The caller's own key, when it is a usable one, goes with every error about the call.
            var failure = error
            if case .string(let key)? = object["idempotencyKey"], IdempotencyKey.isAcceptable(key), key != IdempotencyKey.contentRequest {
                failure.idempotencyKey = key
            }
            throw failure
        }
    }

    private mutating func read(_ object: JSONObject) throws(ClientError) {
        let reader = OptionReader(prefix: "")
        for member in object.members {
            switch member.key {
            case "idempotencyKey":
                let key = try reader.string(member.key, member.value)
                guard IdempotencyKey.isAcceptable(key) else {
                    throw ClientError(.misuse, "option idempotencyKey must be 1 to \(IdempotencyKey.maxLength) printable ASCII characters")
                }
                idempotencyKey = key
            case "callbackUrl":
                let url = try reader.string(member.key, member.value)
                guard let parsed = ServiceURL(url) else {
                    throw ClientError(.misuse, "option callbackUrl must be an absolute http(s) URL without credentials, spaces or control characters")
                }
                // The engine posts the result there: it must not travel in clear, except to
                // this machine (tests, local receivers).
                guard parsed.scheme == "https" || parsed.isLoopback else {
                    throw ClientError(.misuse, "option callbackUrl must use https (http is allowed only to a loopback host)")
                }
                callbackURL = url
            case "validate":
                validate = try reader.bool(member.key, member.value)
            default:
                throw reader.unknown(member.key)
            }
        }
    }
}

/// [assumed] idempotencyKey and callbackUrl travel as query parameters of the mutation request
/// (api-contract.md §7), because several write bodies are arrays or empty. The one place they
/// are attached.
enum MutationQuery {
    static func target(_ path: String, idempotencyKey: String, callbackURL: String?) -> String {
        var target = path + "?idempotencyKey=" + ServiceURL.percentEncode(idempotencyKey)
        if let callbackURL { target += "&callbackUrl=" + ServiceURL.percentEncode(callbackURL) }
        return target
    }
}
