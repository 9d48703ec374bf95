/// An HTTP response: the final one of an exchange (interim 1xx responses are dropped).
struct HTTPResponse {
    var status: Int
    /// Names in lower case, in the order received.
    var headers: [(name: String, value: String)]
    var body: [UInt8]

    /// The value of the last header named `name` (lower case).
    func header(_ name: String) -> String? {
        headers.last(where: { $0.name == name })?.value
    }
}
