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

/// Builds a `JSONTape`. The document being parsed is copied whole into `bytes` first, so strings
/// without escapes and number literals are found there by offset and never copied one by one;
/// only decoded strings with escapes are appended.
struct JSONTapeSink: JSONDocumentSink {
    var nodes: [JSONTape.Node] = []
    var bytes: [UInt8]
    private let source: UnsafeBufferPointer<UInt8>
    /// Objects of more members than this find duplicate keys by hashing, not by comparing pairs.
    private static let scanLimit = 32

    init(source: UnsafeBufferPointer<UInt8>) {
        self.source = source
        bytes = Array(source)
        // A node per value; a compact document has about one value per eight bytes.
        nodes.reserveCapacity(max(16, source.count / 8))
    }

    private mutating func appendLeaf(_ kind: JSONTape.Kind, flag: Bool = false, integer: Int64 = 0, _ utf8: UnsafeBufferPointer<UInt8>? = nil) {
        var offset = 0
        if let utf8 {
            if let start = utf8.baseAddress, let sourceStart = source.baseAddress,
               start >= sourceStart, start + utf8.count <= sourceStart + source.count {
                offset = start - sourceStart
            } else {
                offset = bytes.count
                bytes.append(contentsOf: utf8)
            }
        }
        let index = nodes.count
        nodes.append(JSONTape.Node(kind: kind, flag: flag, end: UInt32(truncatingIfNeeded: index + 1),
                                   count: UInt32(truncatingIfNeeded: utf8?.count ?? 0),
                                   offset: UInt32(truncatingIfNeeded: offset), integer: integer))
    }

    mutating func null() { appendLeaf(.null) }
    mutating func bool(_ value: Bool) { appendLeaf(.bool, flag: value) }

    mutating func number(literal: UnsafeBufferPointer<UInt8>, integer: Int64?) {
        appendLeaf(.number, flag: integer != nil, integer: integer ?? 0, literal)
    }

    mutating func string(_ utf8: UnsafeBufferPointer<UInt8>) {
        appendLeaf(.string, integer: Int64(bitPattern: KeyFingerprint(utf8: utf8).prefix), utf8)
    }

    mutating func beginArray() -> Int {
        appendLeaf(.array)
        return nodes.count - 1
    }

    func element(_ value: Void) {}

    mutating func endArray(_ start: Int) {
        var count: UInt32 = 0
        var child = start + 1
        while child < nodes.count {
            count += 1
            child = Int(nodes[child].end)
        }
        nodes[start].count = count
        nodes[start].end = UInt32(truncatingIfNeeded: nodes.count)
    }

    mutating func beginObject() -> Int {
        appendLeaf(.object)
        return nodes.count - 1
    }

    mutating func key(_ utf8: UnsafeBufferPointer<UInt8>) { string(utf8) }
    func member(_ key: Void, _ value: Void) {}

    mutating func endObject(_ start: Int) {
        var count = 0
        var key = start + 1
        while key < nodes.count {
            count += 1
            key = Int(nodes[key + 1].end)
        }
        nodes[start].count = UInt32(truncatingIfNeeded: count)
        nodes[start].end = UInt32(truncatingIfNeeded: nodes.count)
        nodes[start].flag = hasDuplicateKey(start, count: count)
    }

    private func hasDuplicateKey(_ object: Int, count: Int) -> Bool {
        nodes.withUnsafeBufferPointer { nodes in
            bytes.withUnsafeBufferPointer { bytes in
                let view = JSONTapeView(nodes: nodes, bytes: bytes)
                let end = nodes.count
                if count > Self.scanLimit {
                    var seen = Set<JSONKey>(minimumCapacity: count)
                    var key = object + 1
                    while key < end {
                        if !seen.insert(JSONKey(view.string(at: key))).inserted { return true }
                        key = view.end(key + 1)
                    }
                    return false
                }
                // A 64-bit filter over the keys' fingerprints: only a key whose bit is already set
                // is compared with the keys before it.
                var seen: UInt64 = 0
                var key = object + 1
                while key < end {
                    let mixed = (UInt64(bitPattern: nodes[key].integer) ^ UInt64(nodes[key].count)) &* 0x9E37_79B9_7F4A_7C15
                    let bit: UInt64 = 1 << (mixed >> 58)
                    if seen & bit != 0 {
                        var earlier = object + 1
                        while earlier < key {
                            if view.sameString(earlier, key) { return true }
                            earlier = view.end(earlier + 1)
                        }
                    }
                    seen |= bit
                    key = view.end(key + 1)
                }
                return false
            }
        }
    }

    mutating func append(_ value: JSONValue) {
        switch value {
        case .null: null()
        case .bool(let flag): bool(flag)
        case .number(let value):
            switch value.storage {
            case .integer(let integer): number(literal: UnsafeBufferPointer<UInt8>(start: nil, count: 0), integer: integer)
            case .literal(var literal): literal.withUTF8 { number(literal: $0, integer: nil) }
            }
        case .string(var text): text.withUTF8 { string($0) }
        case .array(let elements):
            let start = beginArray()
            for element in elements { append(element) }
            endArray(start)
        case .object(let object):
            let start = beginObject()
            for member in object.members {
                var key = member.key
                key.withUTF8 { self.key($0) }
                append(member.value)
            }
            endObject(start)
        }
    }
}

/// A `JSONTape` read in place. Indexes come from the tape itself, so they are always in range.
struct JSONTapeView {
    let nodes: UnsafeBufferPointer<JSONTape.Node>
    let bytes: UnsafeBufferPointer<UInt8>

    @inline(__always)
    func kind(_ index: Int) -> JSONTape.Kind { nodes[index].kind }

    /// The bytes of a string (decoded UTF-8) or of a number's literal.
    @inline(__always)
    func utf8(_ index: Int) -> UnsafeBufferPointer<UInt8> {
        let node = nodes[index]
        return UnsafeBufferPointer(rebasing: bytes[Int(node.offset)..<Int(node.offset) + Int(node.count)])
    }

    func string(at index: Int) -> String { String(decoding: utf8(index), as: UTF8.self) }

    func number(at index: Int) -> JSONNumber {
        let node = nodes[index]
        if node.flag { return JSONNumber(node.integer) }
        return JSONNumber(validatedLiteral: string(at: index))
    }

    func isInteger(_ index: Int) -> Bool { nodes[index].flag || number(at: index).isInteger }

    /// The JSON Schema type name ("integer" is never returned).
    func typeName(_ index: Int) -> String { nodes[index].kind.rawValue }

    func count(_ index: Int) -> Int { Int(nodes[index].count) }

    /// The index after the value's subtree: its next sibling, if it has one.
    @inline(__always)
    func end(_ index: Int) -> Int { Int(nodes[index].end) }

    /// Code-point (byte) equality of two strings of the tape.
    @inline(__always)
    func sameString(_ a: Int, _ b: Int) -> Bool {
        let left = nodes[a], right = nodes[b]
        guard left.count == right.count, left.integer == right.integer else { return false }
        return left.count <= 8 || bytesEqual(utf8(a), utf8(b))
    }

    /// A string's length and leading bytes, as `KeyFingerprint` computes them.
    @inline(__always)
    func fingerprint(_ string: Int) -> KeyFingerprint {
        KeyFingerprint(length: Int(nodes[string].count), prefix: UInt64(bitPattern: nodes[string].integer))
    }

    func isString(_ index: Int, equalTo text: String) -> Bool {
        let own = utf8(index)
        guard own.count == text.utf8.count else { return false }
        return withUTF8(of: text) { bytesEqual(own, $0) }
    }

    /// Visits an array's elements: `body(position, node)`, stopping when it returns false.
    @inline(__always)
    func forEachElement(of array: Int, _ body: (Int, Int) throws -> Bool) rethrows {
        var child = array + 1
        let end = Int(nodes[array].end)
        var position = 0
        while child < end {
            guard try body(position, child) else { return }
            position += 1
            child = Int(nodes[child].end)
        }
    }

    func members(of object: Int) -> MemberCursor { MemberCursor(self, object) }

    /// The value of member `key` (the last one written, as `JSON.parse` has it), if any.
    func value(of object: Int, forKey key: UnsafeBufferPointer<UInt8>) -> Int? {
        var found: Int?
        let wanted = KeyFingerprint(utf8: key)
        var child = object + 1
        let end = Int(nodes[object].end)
        while child < end {
            if fingerprint(child) == wanted && (wanted.isWholeKey || bytesEqual(utf8(child), key)) {
                found = child + 1
                if !nodes[object].flag { return found }
            }
            child = Int(nodes[child + 1].end)
        }
        return found
    }

    func contains(_ object: Int, key: String) -> Bool {
        withUTF8(of: key) { value(of: object, forKey: $0) } != nil
    }

    /// A string's UTF-8 read in place: native strings (every one the library makes) need no
    /// mutable copy, which `withUTF8` would take at the cost of a retain and a release.
    @inline(__always)
    private func withUTF8<T>(of text: String, _ body: (UnsafeBufferPointer<UInt8>) -> T) -> T {
        if let result = text.utf8.withContiguousStorageIfAvailable(body) { return result }
        return Array(text.utf8).withUnsafeBufferPointer(body)
    }

    // MARK: Equality (JSON equality, as `JSONValue ==`)

    func equal(_ a: Int, _ b: Int) -> Bool {
        let left = nodes[a], right = nodes[b]
        guard left.kind == right.kind else { return false }
        switch left.kind {
        case .null: return true
        case .bool: return left.flag == right.flag
        case .number:
            if left.flag && right.flag { return left.integer == right.integer }
            return number(at: a) == number(at: b)
        case .string: return sameString(a, b)
        case .array:
            guard left.count == right.count else { return false }
            var other = b + 1
            var same = true
            forEachElement(of: a) { _, element in
                same = equal(element, other)
                other = Int(nodes[other].end)
                return same
            }
            return same
        case .object:
            var leftMembers = members(of: a), rightMembers = members(of: b)
            guard leftMembers.count == rightMembers.count else { return false }
            while let member = leftMembers.next() {
                guard let value = value(of: b, forKey: utf8(member.key)), equal(member.value, value) else { return false }
            }
            return true
        }
    }

    func equal(_ index: Int, _ value: JSONValue) -> Bool {
        let node = nodes[index]
        switch (node.kind, value) {
        case (.null, .null): return true
        case (.bool, .bool(let flag)): return node.flag == flag
        case (.number, .number(let number)):
            if node.flag, case .integer(let integer) = number.storage { return node.integer == integer }
            return self.number(at: index) == number
        case (.string, .string(let text)): return isString(index, equalTo: text)
        case (.array, .array(let elements)):
            guard node.count == elements.count else { return false }
            var same = true
            forEachElement(of: index) { position, element in
                same = equal(element, elements[position])
                return same
            }
            return same
        case (.object, .object(let object)):
            var members = members(of: index)
            guard members.count == object.count else { return false }
            while let member = members.next() {
                guard let other = object[string(at: member.key)], equal(member.value, other) else { return false }
            }
            return true
        default: return false
        }
    }
}

/// The members of a tape object in `JSON.parse` order: each key once, at its first position, with
/// its last value. Objects without duplicate keys are walked in place; the rare one with
/// duplicates is resolved once, up front.
struct MemberCursor {
    private let view: JSONTapeView
    private var cursor: Int
    private let end: Int
    private var resolved: [(key: Int, value: Int)]?
    private var position = 0
    /// How many distinct members the object has.
    let count: Int

    init(_ view: JSONTapeView, _ object: Int) {
        self.view = view
        cursor = object + 1
        end = Int(view.nodes[object].end)
        guard view.nodes[object].flag else {
            count = Int(view.nodes[object].count)
            return
        }
        var pairs: [(key: Int, value: Int)] = []
        var positions: [JSONKey: Int] = [:]
        var child = cursor
        while child < end {
            let key = JSONKey(view.string(at: child))
            if let first = positions[key] {
                pairs[first].value = child + 1
            } else {
                positions[key] = pairs.count
                pairs.append((child, child + 1))
            }
            child = Int(view.nodes[child + 1].end)
        }
        resolved = pairs
        count = pairs.count
    }

    /// The next member: the key's node (a string) and the value's.
    @inline(__always)
    mutating func next() -> (key: Int, value: Int)? {
        if let resolved {
            guard position < resolved.count else { return nil }
            position += 1
            return resolved[position - 1]
        }
        guard cursor < end else { return nil }
        let key = cursor
        cursor = Int(view.nodes[key + 1].end)
        return (key, key + 1)
    }
}
