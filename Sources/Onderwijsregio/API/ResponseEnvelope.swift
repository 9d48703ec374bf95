/// Reads the service's response envelope (api-contract.md §4): `data` and `meta` on success,
/// `message`, `error` and `issues` on failure. Error bodies are [assumed] in shape, so any
/// body is tolerated: what is missing stays nil, and a body that is not JSON is kept as text.
struct ResponseEnvelope {
    static let keptBodyBytes = 4096

    let document: JSONValue?
    let requestId: String?

    init(_ response: HTTPResponse) {
        document = response.body.isEmpty ? nil : try? JSONParser.parse(response.body)
        requestId = response.header("x-request-id")
            ?? document?["meta"]?["requestId"]?.stringValue
            ?? document?["requestId"]?.stringValue
    }

    var data: JSONValue? { document?["data"] }
    var meta: JSONValue? { document?["meta"] }

    /// [assumed] The schema is wrapped in the envelope's `data`; a bare schema (top level
    /// with `$schema`, `type` or `properties` and no `data`) is accepted too.
    var schema: JSONValue? {
        guard case .object(let top) = document else { return nil }
        if let data = top["data"] {
            if case .object = data { return data }
            if case .bool = data { return data }
            return nil
        }
        if top.contains("$schema") || top.contains("type") || top.contains("properties") { return document }
        return nil
    }

    /// A `.http` error describing this answer, with the service's own words where it gave them.
    func httpError(_ response: HTTPResponse) -> ClientError {
        let serviceMessage = document?["message"]?.stringValue
        var error = ClientError(.http, "the service answered HTTP \(response.status)" + (serviceMessage.map { ": \($0)" } ?? ""))
        error.httpStatus = response.status
        error.requestId = requestId
        error.serviceMessage = serviceMessage
        error.serviceError = document?["error"]?.stringValue
        if let issues = document?["issues"] { error.issues = issues }
        if document == nil && !response.body.isEmpty {
            error.body = String(decoding: response.body.prefix(ResponseEnvelope.keptBodyBytes), as: UTF8.self)
        }
        return error
    }
}
