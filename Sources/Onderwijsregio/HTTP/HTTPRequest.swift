/// One HTTP request as the client sends it. Headers that every request of a client carries
/// (API key, sandbox, Accept) belong to the transport, not here.
struct HTTPRequest {
    enum Method: String {
        case get = "GET", post = "POST", patch = "PATCH", delete = "DELETE"
    }

    var method: Method
    /// Absolute URL, already percent-encoded.
    var url: String
    /// Extra header lines ("Name: value").
    var headers: [String] = []
    /// nil: no body at all; an empty array: an empty body (Content-Length: 0).
    var body: [UInt8]?
}
