/// The members of a JSON object, in document order, with unique keys.
///
/// Duplicate keys follow JavaScript's `JSON.parse`, which is how the Onderwijsregio service reads
/// payloads: the last value wins and the member keeps the position of the first occurrence.
/// Keys are compared by code points.
public struct JSONObject: Sendable {
    public struct Member: Sendable {
        public let key: String
        public internal(set) var value: JSONValue
    }

    public private(set) var members: [Member] = []
    /// Key lookup for large objects; small ones are scanned, which is faster and allocates nothing.
    private var index: [JSONKey: Int]? = nil
    private static let indexThreshold = 12

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
                let key = parsedMembers[i].key
                let length = key.utf8.count
                for j in 0..<i where parsedMembers[j].key.utf8.count == length && parsedMembers[j].key.hasSameCodePoints(as: key) {
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
        var probe = key
        return probe.withUTF8 { wanted in
            for i in members.indices {
                var candidate = members[i].key
                if candidate.withUTF8({ bytesEqual($0, wanted) }) { return i }
            }
            return nil
        }
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
