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
