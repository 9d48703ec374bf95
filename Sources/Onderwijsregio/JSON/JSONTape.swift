/// A parsed JSON document stored flat, the form the validator reads: one array of fixed-size
/// nodes in document order and one array of bytes for every string and number. Parsing into it
/// allocates nothing per value, and reading it retains nothing, which is what makes validating
/// a payload cost a few microseconds instead of a tree of reference-counted values.
///
/// Layout: a value's node is followed by its subtree; `end` is the index after the subtree, so
/// siblings are reached without visiting children. An object's members are a key node (a string)
/// followed by the value's subtree.
///
/// Duplicate keys mean what JavaScript's `JSON.parse` makes of them, as in `JSONObject`: the last
/// value wins at the position of the first occurrence. Such objects are marked, and read through
/// `MemberCursor`, which resolves them.
public struct JSONTape: Sendable {
    /// Raw values are the JSON Schema type names ("integer" is a kind of number).
    enum Kind: String, Sendable {
        case null, bool = "boolean", number, string, array, object
    }

    struct Node: Sendable {
        var kind: Kind
        /// bool: its value; number: `integer` holds it exactly; object: has duplicate keys.
        var flag: Bool
        /// The index one past this value's subtree.
        var end: UInt32
        /// array: elements; object: members as written (duplicates included); string and
        /// number: bytes.
        var count: UInt32
        /// string and number: where the bytes start in `bytes`.
        var offset: UInt32
        /// number: the value, when `flag`; string: its first eight bytes (zero-padded), which with
        /// `count` decides most key comparisons without reading the bytes.
        var integer: Int64
    }

    private(set) var nodes: [Node]
    private(set) var bytes: [UInt8]

    /// Offsets and indexes are 32-bit. A parsed document is stored with its decoded strings
    /// (never longer than their source) after it, so documents of up to 2 GiB fit.
    static let maxBytes = Int(UInt32.max / 2)

    /// Parses `bytes` with the same grammar, limits and errors as `JSONParser`.
    public init(parsing bytes: UnsafeBufferPointer<UInt8>, options: JSONParseOptions = JSONParseOptions()) throws(JSONParseError) {
        if bytes.count > Self.maxBytes {
            throw JSONParseError(in: bytes, at: 0, kind: .limit, "document of \(bytes.count) bytes exceeds the limit of \(Self.maxBytes) bytes")
        }
        var sink = JSONTapeSink(source: bytes)
        try JSONParser.parse(bytes, options: options, into: &sink)
        nodes = sink.nodes
        self.bytes = sink.bytes
    }

    /// The tape of a value built in code or parsed before; nil when it is too large for one
    /// (more than 2 GiB of strings and numbers, or 2 G values).
    public init?(_ value: JSONValue) {
        var sink = JSONTapeSink(source: UnsafeBufferPointer(start: nil, count: 0))
        sink.append(value)
        guard sink.nodes.count <= Self.maxBytes, sink.bytes.count <= Self.maxBytes else { return nil }
        nodes = sink.nodes
        bytes = sink.bytes
    }

    /// Reads the tape through unchecked pointers, valid only inside `body`.
    func withView<T, E: Error>(_ body: (JSONTapeView) throws(E) -> T) throws(E) -> T {
        let result = nodes.withUnsafeBufferPointer { nodes in
            bytes.withUnsafeBufferPointer { bytes in
                Result { () throws(E) -> T in try body(JSONTapeView(nodes: nodes, bytes: bytes)) }
            }
        }
        return try result.get()
    }
}
