/// The members of a JSON object, in document order, with unique keys.
///
/// Duplicate keys follow JavaScript's `JSON.parse`, which is how the Onderwijsregio service reads
/// payloads: the last value wins and the member keeps the position of the first occurrence.
/// Keys are compared by code points.
public struct JSONObject: Sendable {
    public struct Member: Sendable {
        public let key: String
        public internal(set) var value: JSONValue
        /// Length and leading bytes of the key: most lookups are decided by comparing these.
        let fingerprint: KeyFingerprint

        init(key: String, value: JSONValue) {
            self.key = key
            self.value = value
            self.fingerprint = KeyFingerprint(key)
        }
    }

    public private(set) var members: [Member] = []
    /// Key lookup for large objects; small ones are scanned, which is faster and allocates nothing.
    private var index: [JSONKey: Int]? = nil
    private static let indexThreshold = 32

    public init() {}

    public init(_ pairs: [(String, JSONValue)]) {
        for (key, value) in pairs { self[key] = value }
    }

    /// Takes members in document order; duplicate keys are resolved as `JSON.parse` does.
    init(parsedMembers: [Member]) {
        members = parsedMembers
        if parsedMembers.count > Self.indexThreshold {
            var built = [JSONKey: Int](minimumCapacity: parsedMembers.count)
            for (i, member) in parsedMembers.enumerated() where built.updateValue(i, forKey: JSONKey(member.key)) != nil {
                self = JSONObject(resolvingDuplicates: parsedMembers)
                return
            }
            index = built
        } else {
            for i in parsedMembers.indices {
                let fingerprint = parsedMembers[i].fingerprint
                for j in 0..<i where parsedMembers[j].fingerprint == fingerprint
                    && (fingerprint.isWholeKey || parsedMembers[j].key.hasSameCodePoints(as: parsedMembers[i].key)) {
                    self = JSONObject(resolvingDuplicates: parsedMembers)
                    return
                }
            }
        }
    }

    private init(resolvingDuplicates parsedMembers: [Member]) {
        for member in parsedMembers { self[member.key] = member.value }
    }

    public var count: Int { members.count }
    public var isEmpty: Bool { members.isEmpty }
    public var keys: [String] { members.map(\.key) }

    public subscript(key: String) -> JSONValue? {
        get {
            guard let position = position(of: key) else { return nil }
            return members[position].value
        }
        set {
            if let position = position(of: key) {
                if let newValue {
                    members[position].value = newValue
                } else {
                    members.remove(at: position)
                    rebuildIndex()
                }
            } else if let newValue {
                members.append(Member(key: key, value: newValue))
                if index != nil {
                    index?[JSONKey(key)] = members.count - 1
                } else if members.count > Self.indexThreshold {
                    rebuildIndex()
                }
            }
        }
    }

    public func contains(_ key: String) -> Bool { position(of: key) != nil }

    private func position(of key: String) -> Int? {
        if let index { return index[JSONKey(key)] }
        let fingerprint = KeyFingerprint(key)
        for i in members.indices where members[i].fingerprint == fingerprint {
            if fingerprint.isWholeKey || members[i].key.hasSameCodePoints(as: key) { return i }
        }
        return nil
    }

    private mutating func rebuildIndex() {
        guard members.count > Self.indexThreshold else { index = nil; return }
        var rebuilt = [JSONKey: Int](minimumCapacity: members.count)
        for (i, member) in members.enumerated() { rebuilt[JSONKey(member.key)] = i }
        index = rebuilt
    }
}

extension JSONObject: Equatable {
    public static func == (lhs: JSONObject, rhs: JSONObject) -> Bool {
        guard lhs.count == rhs.count else { return false }
        for member in lhs.members {
            guard let other = rhs[member.key], other == member.value else { return false }
        }
        return true
    }
}

/// A dictionary key that hashes and compares a string by its UTF-8 bytes, not by Swift's
/// Unicode canonical equivalence.
struct JSONKey: Hashable {
    let string: String

    init(_ string: String) { self.string = string }

    static func == (lhs: JSONKey, rhs: JSONKey) -> Bool { lhs.string.hasSameCodePoints(as: rhs.string) }

    func hash(into hasher: inout Hasher) {
        var s = string
        s.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}

/// A key's UTF-8 length and first eight bytes. Equal keys have equal fingerprints; keys of up
/// to eight bytes are equal exactly when their fingerprints are.
struct KeyFingerprint: Equatable, Sendable {
    let length: Int
    let prefix: UInt64

    init(_ key: String) {
        var key = key
        self = key.withUTF8 { KeyFingerprint(utf8: $0) }
    }

    init(length: Int, prefix: UInt64) {
        self.length = length
        self.prefix = prefix
    }

    @inline(__always)
    init(utf8 bytes: UnsafeBufferPointer<UInt8>) {
        var prefix: UInt64 = 0
        if bytes.count >= 8, let start = bytes.baseAddress {
            prefix = UInt64(littleEndian: UnsafeRawPointer(start).loadUnaligned(as: UInt64.self))
        } else {
            for i in 0..<min(8, bytes.count) { prefix |= UInt64(bytes[i]) << (8 * UInt64(i)) }
        }
        self.length = bytes.count
        self.prefix = prefix
    }

    var isWholeKey: Bool { length <= 8 }
}
