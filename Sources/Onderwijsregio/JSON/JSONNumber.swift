/// A JSON number, kept exactly as written.
///
/// Integers that fit in 64 bits are stored as such; every other number keeps its literal text, so
/// big integers and long decimals survive parsing and serialisation unchanged, and comparisons
/// are exact (decimal, not binary floating point).
public struct JSONNumber: Sendable {
    enum Storage: Sendable {
        case integer(Int64)
        /// A literal that passed the JSON number grammar.
        case literal(String)
    }

    let storage: Storage

    public init(_ value: Int64) { storage = .integer(value) }
    public init(_ value: Int) { storage = .integer(Int64(value)) }

    /// `literal` must be a valid JSON number; the parser is the usual source.
    init(validatedLiteral literal: String) { storage = .literal(literal) }

    /// Creates a number from its JSON text, or nil when the text is not a JSON number.
    public init?(_ text: String) {
        var bytes = Array(text.utf8)
        let valid = bytes.withUnsafeMutableBufferPointer { buffer -> Bool in
            guard let base = buffer.baseAddress else { return false }
            return JSONNumber.grammarLength(UnsafePointer(base), count: buffer.count) == buffer.count
        }
        guard valid else { return nil }
        if let small = Int64(text), text != "-0" { storage = .integer(small) } else { storage = .literal(text) }
    }

    /// The JSON text of the number.
    public var text: String {
        switch storage {
        case .integer(let v): return String(v)
        case .literal(let s): return s
        }
    }

    /// The nearest IEEE 754 double; ±infinity when the magnitude is too large.
    public var doubleValue: Double {
        switch storage {
        case .integer(let v): return Double(v)
        case .literal(let s): return Double(s) ?? .nan
        }
    }

    /// The value as Int64 when it is an integer in range (1.0 and 1e2 count).
    public var int64Value: Int64? {
        if case .integer(let v) = storage { return v }
        return decimal.int64Value
    }

    /// Whether the value is mathematically an integer (JSON Schema's "integer" type).
    public var isInteger: Bool {
        if case .integer = storage { return true }
        return decimal.isInteger
    }

    /// The exact decimal value.
    public var decimal: JSONDecimal {
        switch storage {
        case .integer(let v): return JSONDecimal(integer: v)
        case .literal(let s): return JSONDecimal(validatedLiteral: s)
        }
    }

    /// Length of the longest prefix of `p[0..<count]` matching the JSON number grammar
    /// `-? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?`, or nil when no prefix does.
    static func grammarLength(_ p: UnsafePointer<UInt8>, count: Int) -> Int? {
        var i = 0
        @inline(__always) func isDigit(_ at: Int) -> Bool { at < count && p[at] &- 0x30 < 10 }
        if i < count && p[i] == UInt8(ascii: "-") { i += 1 }
        guard isDigit(i) else { return nil }
        if p[i] == UInt8(ascii: "0") {
            i += 1
        } else {
            while isDigit(i) { i += 1 }
        }
        if i < count && p[i] == UInt8(ascii: ".") {
            i += 1
            guard isDigit(i) else { return nil }
            while isDigit(i) { i += 1 }
        }
        if i < count && (p[i] | 0x20) == UInt8(ascii: "e") {
            i += 1
            if i < count && (p[i] == UInt8(ascii: "+") || p[i] == UInt8(ascii: "-")) { i += 1 }
            guard isDigit(i) else { return nil }
            while isDigit(i) { i += 1 }
        }
        return i
    }
}

extension JSONNumber: Equatable, Comparable {
    public static func == (lhs: JSONNumber, rhs: JSONNumber) -> Bool {
        if case .integer(let a) = lhs.storage, case .integer(let b) = rhs.storage { return a == b }
        return lhs.decimal == rhs.decimal
    }

    public static func < (lhs: JSONNumber, rhs: JSONNumber) -> Bool {
        if case .integer(let a) = lhs.storage, case .integer(let b) = rhs.storage { return a < b }
        return lhs.decimal < rhs.decimal
    }
}

extension JSONNumber: CustomStringConvertible {
    public var description: String { text }
}
