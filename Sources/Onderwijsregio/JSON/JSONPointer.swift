/// A JSON Pointer (RFC 6901): a path of reference tokens into a JSON document.
public struct JSONPointer: Sendable, Hashable, CustomStringConvertible {
    public private(set) var tokens: [String]

    /// The pointer to the whole document ("").
    public init() { tokens = [] }

    public init(tokens: [String]) { self.tokens = tokens }

    /// Parses the string form ("/a/b~1c"); nil when it is not a valid pointer (it must be empty
    /// or start with "/", and "~" must be followed by "0" or "1").
    public init?(_ text: String) {
        guard !text.isEmpty else { tokens = []; return }
        var utf8 = Array(text.utf8)
        guard utf8.first == UInt8(ascii: "/") else { return nil }
        utf8.removeFirst()
        var parsed: [String] = []
        var current: [UInt8] = []
        var i = 0
        while i <= utf8.count {
            if i == utf8.count || utf8[i] == UInt8(ascii: "/") {
                parsed.append(String(decoding: current, as: UTF8.self))
                current.removeAll(keepingCapacity: true)
            } else if utf8[i] == UInt8(ascii: "~") {
                guard i + 1 < utf8.count else { return nil }
                switch utf8[i + 1] {
                case UInt8(ascii: "0"): current.append(UInt8(ascii: "~"))
                case UInt8(ascii: "1"): current.append(UInt8(ascii: "/"))
                default: return nil
                }
                i += 1
            } else {
                current.append(utf8[i])
            }
            i += 1
        }
        tokens = parsed
    }

    public func appending(_ token: String) -> JSONPointer {
        var copy = self
        copy.tokens.append(token)
        return copy
    }

    public func appending(index: Int) -> JSONPointer { appending(String(index)) }

    /// The string form, with "~" written as "~0" and "/" as "~1".
    public var description: String {
        var text = PointerText()
        defer { text.release() }
        for token in tokens { text.append(token) }
        return String(decoding: text.written, as: UTF8.self)
    }

    /// The value this pointer designates in `document`, or nil when there is none. Array
    /// tokens must be decimal indexes without leading zeros; "-" (past the end) designates nothing.
    public func resolve(in document: JSONValue) -> JSONValue? {
        var current = document
        for token in tokens {
            switch current {
            case .object(let object):
                guard let next = object[token] else { return nil }
                current = next
            case .array(let elements):
                guard let index = Self.arrayIndex(token), index < elements.count else { return nil }
                current = elements[index]
            default:
                return nil
            }
        }
        return current
    }

    static func arrayIndex(_ token: String) -> Int? {
        let utf8 = token.utf8
        guard let first = utf8.first, first &- 0x30 < 10, utf8.count <= 18 else { return nil }
        if first == UInt8(ascii: "0") && utf8.count > 1 { return nil }
        var value = 0
        for byte in utf8 {
            guard byte &- 0x30 < 10 else { return nil }
            value = value * 10 + Int(byte &- 0x30)
        }
        return value
    }

    public static func == (lhs: JSONPointer, rhs: JSONPointer) -> Bool {
        lhs.tokens.count == rhs.tokens.count
            && zip(lhs.tokens, rhs.tokens).allSatisfy { $0.hasSameCodePoints(as: $1) }
    }

    public func hash(into hasher: inout Hasher) {
        for token in tokens { JSONKey(token).hash(into: &hasher) }
    }
}
