/// A strict RFC 8259 parser over UTF-8 bytes.
///
/// Strict means: UTF-8 is validated (no overlong forms, no encoded surrogates, nothing above
/// U+10FFFF, no byte order mark), `\u` escapes must pair surrogates correctly, and there is
/// nothing JavaScript or Python would add (no trailing commas, comments, NaN, Infinity, leading
/// zeros or single quotes) and nothing after the value but whitespace.
public enum JSONParser {
    public static func parse(
        _ bytes: UnsafeBufferPointer<UInt8>, options: JSONParseOptions = JSONParseOptions()
    ) throws(JSONParseError) -> JSONValue {
        var sink = JSONValueSink()
        defer { sink.release() }
        return try parse(bytes, options: options, into: &sink)
    }

    public static func parse(_ text: String, options: JSONParseOptions = JSONParseOptions()) throws(JSONParseError) -> JSONValue {
        var text = text
        // withUTF8 only rethrows untyped errors; carry the typed one out in a Result.
        let result = text.withUTF8 { buffer in
            Result { () throws(JSONParseError) -> JSONValue in try parse(buffer, options: options) }
        }
        return try result.get()
    }

    public static func parse(_ bytes: [UInt8], options: JSONParseOptions = JSONParseOptions()) throws(JSONParseError) -> JSONValue {
        let result = bytes.withUnsafeBufferPointer { buffer in
            Result { () throws(JSONParseError) -> JSONValue in try parse(buffer, options: options) }
        }
        return try result.get()
    }

    /// The one grammar, handing what it reads to `sink`: a `JSONValue` tree or a flat `JSONTape`.
    @inline(__always)
    static func parse<Sink: JSONDocumentSink>(
        _ bytes: UnsafeBufferPointer<UInt8>, options: JSONParseOptions, into sink: inout Sink
    ) throws(JSONParseError) -> Sink.Value {
        if bytes.count > options.maxBytes {
            throw JSONParseError(
                in: bytes, at: 0, kind: .limit,
                "document of \(bytes.count) bytes exceeds the limit of \(options.maxBytes) bytes")
        }
        var cursor = ByteCursor(bytes: bytes, maxDepth: options.maxDepth, sink: sink)
        defer { sink = cursor.sink }
        return try cursor.parseDocument()
    }
}

private struct ByteCursor<Sink: JSONDocumentSink> {
    let bytes: UnsafeBufferPointer<UInt8>
    let maxDepth: Int
    var sink: Sink
    var position = 0
    var depth = 0
    /// Reused for strings that contain escapes.
    var scratch: [UInt8] = []
    /// Looked up once per document; recursion stays on the calling thread.
    let stackFloor = StackGuard.currentFloor()
    /// Looked up once per document (a global is initialised lazily, so each read checks).
    let plainStringBytes = plainStringByteTable

    init(bytes: UnsafeBufferPointer<UInt8>, maxDepth: Int, sink: Sink) {
        self.bytes = bytes
        self.maxDepth = maxDepth
        self.sink = sink
    }

    mutating func parseDocument() throws(JSONParseError) -> Sink.Value {
        skipWhitespace()
        guard position < bytes.count else {
            throw fail(bytes.isEmpty ? "empty document" : "document holds only whitespace")
        }
        let value = try parseValue()
        skipWhitespace()
        guard position == bytes.count else { throw fail("unexpected \(describeByte(position)) after the JSON value") }
        return value
    }

    // MARK: values

    mutating func parseValue() throws(JSONParseError) -> Sink.Value {
        guard position < bytes.count else { throw fail("unexpected end of input, expected a value") }
        switch bytes[position] {
        case UInt8(ascii: "\""): return try parseString { sink, text in sink.string(text) }
        case UInt8(ascii: "{"): return try parseObject()
        case UInt8(ascii: "["): return try parseArray()
        case UInt8(ascii: "t"): try expectLiteral("true"); return sink.bool(true)
        case UInt8(ascii: "f"): try expectLiteral("false"); return sink.bool(false)
        case UInt8(ascii: "n"): try expectLiteral("null"); return sink.null()
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try parseNumber()
        default: throw fail("unexpected \(describeByte(position)), expected a value")
        }
    }

    mutating func enterContainer() throws(JSONParseError) {
        depth += 1
        if depth > maxDepth {
            throw fail("nesting deeper than the limit of \(maxDepth) levels", kind: .limit)
        }
        if !StackGuard.hasRoom(above: stackFloor) {
            throw fail("nesting too deep for the calling thread's stack (at \(depth) levels)", kind: .limit)
        }
    }

    mutating func parseArray() throws(JSONParseError) -> Sink.Value {
        try enterContainer()
        position += 1
        skipWhitespace()
        let start = sink.beginArray()
        if position < bytes.count && bytes[position] == UInt8(ascii: "]") {
            position += 1
            depth -= 1
            return sink.endArray(start)
        }
        while true {
            skipWhitespace()
            let element = try parseValue()
            sink.element(element)
            skipWhitespace()
            guard position < bytes.count else { throw fail("unexpected end of input in an array, expected ',' or ']'") }
            let byte = bytes[position]
            position += 1
            if byte == UInt8(ascii: ",") { continue }
            if byte == UInt8(ascii: "]") { break }
            position -= 1
            throw fail("unexpected \(describeByte(position)) in an array, expected ',' or ']'")
        }
        depth -= 1
        return sink.endArray(start)
    }

    mutating func parseObject() throws(JSONParseError) -> Sink.Value {
        try enterContainer()
        position += 1
        skipWhitespace()
        let start = sink.beginObject()
        if position < bytes.count && bytes[position] == UInt8(ascii: "}") {
            position += 1
            depth -= 1
            return sink.endObject(start)
        }
        while true {
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: "\"") else {
                throw fail(position < bytes.count
                    ? "unexpected \(describeByte(position)), expected a member name in double quotes"
                    : "unexpected end of input in an object, expected a member name")
            }
            let key = try parseString { sink, text in sink.key(text) }
            skipWhitespace()
            guard position < bytes.count, bytes[position] == UInt8(ascii: ":") else {
                throw fail(position < bytes.count
                    ? "unexpected \(describeByte(position)) after a member name, expected ':'"
                    : "unexpected end of input after a member name, expected ':'")
            }
            position += 1
            skipWhitespace()
            let value = try parseValue()
            sink.member(key, value)
            skipWhitespace()
            guard position < bytes.count else { throw fail("unexpected end of input in an object, expected ',' or '}'") }
            let byte = bytes[position]
            position += 1
            if byte == UInt8(ascii: ",") { continue }
            if byte == UInt8(ascii: "}") { break }
            position -= 1
            throw fail("unexpected \(describeByte(position)) in an object, expected ',' or '}'")
        }
        depth -= 1
        return sink.endObject(start)
    }

    mutating func expectLiteral(_ literal: StaticString) throws(JSONParseError) {
        let count = literal.utf8CodeUnitCount
        let start = literal.utf8Start
        for i in 0..<count {
            guard position + i < bytes.count, bytes[position + i] == start[i] else {
                position += i
                throw fail(position < bytes.count
                    ? "unexpected \(describeByte(position)), expected '\(literal)'"
                    : "unexpected end of input, expected '\(literal)'")
            }
        }
        position += count
    }

    mutating func parseNumber() throws(JSONParseError) -> Sink.Value {
        let start = position
        guard let base = bytes.baseAddress,
              let length = JSONNumber.grammarLength(base + start, count: bytes.count - start)
        else {
            position = invalidNumberPosition(from: start)
            throw fail(position < bytes.count
                ? "invalid number: unexpected \(describeByte(position))"
                : "invalid number: unexpected end of input")
        }
        position = start + length
        // A leading zero followed by more digits ("012") stops the grammar after the zero; the
        // digit left behind would otherwise surface as a vaguer "unexpected data" error.
        if position < bytes.count, bytes[position] &- 0x30 < 10 {
            throw fail("invalid number: leading zeros are not allowed")
        }
        let negative = bytes[start] == UInt8(ascii: "-")
        var plainInteger = length - (negative ? 1 : 0) <= 18
        var magnitude: Int64 = 0
        if plainInteger {
            for i in (start + (negative ? 1 : 0))..<position {
                let digit = bytes[i] &- 0x30
                guard digit < 10 else { plainInteger = false; break }
                magnitude = magnitude &* 10 &+ Int64(digit)
            }
        }
        // "-0" keeps its literal so it serialises as written.
        let integer = plainInteger && !(negative && magnitude == 0) ? (negative ? -magnitude : magnitude) : nil
        return sink.number(literal: UnsafeBufferPointer(rebasing: bytes[start..<position]), integer: integer)
    }

    /// Finds the byte at which the number grammar failed, for the error position.
    func invalidNumberPosition(from start: Int) -> Int {
        var i = start
        if i < bytes.count && bytes[i] == UInt8(ascii: "-") { i += 1 }
        while i < bytes.count && bytes[i] &- 0x30 < 10 { i += 1 }
        if i < bytes.count && bytes[i] == UInt8(ascii: ".") {
            i += 1
            while i < bytes.count && bytes[i] &- 0x30 < 10 { i += 1 }
        }
        if i < bytes.count && (bytes[i] | 0x20) == UInt8(ascii: "e") {
            i += 1
            if i < bytes.count && (bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-")) { i += 1 }
        }
        return i
    }

    // MARK: strings

    /// Reads a string and hands its decoded UTF-8 (valid, unescaped) to `deliver`.
    @inline(__always)
    mutating func parseString<T>(_ deliver: (inout Sink, UnsafeBufferPointer<UInt8>) -> T) throws(JSONParseError) -> T {
        position += 1
        let start = position
        // Fast path: no escapes. ASCII is checked byte by byte; multi-byte UTF-8 is validated.
        while position < bytes.count {
            skipPlainASCII()
            guard position < bytes.count else { break }
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                let text = deliver(&sink, UnsafeBufferPointer(rebasing: bytes[start..<position]))
                position += 1
                return text
            }
            if byte == UInt8(ascii: "\\") {
                try parseEscapedString(from: start)
                let decoded = scratch
                return decoded.withUnsafeBufferPointer { deliver(&sink, $0) }
            }
            if byte < 0x20 { throw fail("unescaped control character \(describeByte(position)) in a string") }
            if byte < 0x80 { position += 1 } else { try skipUTF8Sequence() }
        }
        throw fail("unterminated string", at: start - 1)
    }

    /// Moves past printable ASCII other than the quote and the backslash: the bytes of a string
    /// that need no attention.
    @inline(__always)
    mutating func skipPlainASCII() {
        var i = position
        // Eight bytes at a time while there are eight left; the first byte that stops the run
        // is found from the mask, without going back to single bytes.
        if let base = bytes.baseAddress {
            let raw = UnsafeRawPointer(base)
            while i + 8 <= bytes.count {
                let word = raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)
                // What JSON escapes, and the bytes of multi-byte UTF-8 (high bit set), which are validated.
                let stops = JSONSerializer.escapeMask(word) | word & 0x8080_8080_8080_8080
                if stops != 0 {
                    position = i + stops.trailingZeroBitCount >> 3
                    return
                }
                i += 8
            }
        }
        while i < bytes.count && plainStringBytes[Int(bytes[i])] { i += 1 }
        position = i
    }

    /// Decodes a string with escapes into `scratch`.
    mutating func parseEscapedString(from start: Int) throws(JSONParseError) {
        scratch.removeAll(keepingCapacity: true)
        scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<position]))
        while position < bytes.count {
            let byte = bytes[position]
            if byte == UInt8(ascii: "\"") {
                position += 1
                return
            }
            if byte == UInt8(ascii: "\\") {
                try appendEscape()
            } else if byte < 0x20 {
                throw fail("unescaped control character \(describeByte(position)) in a string")
            } else if byte < 0x80 {
                scratch.append(byte)
                position += 1
            } else {
                let sequenceStart = position
                try skipUTF8Sequence()
                scratch.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[sequenceStart..<position]))
            }
        }
        throw fail("unterminated string", at: start - 1)
    }

    mutating func appendEscape() throws(JSONParseError) {
        let escapeStart = position
        position += 1
        guard position < bytes.count else { throw fail("unterminated escape sequence", at: escapeStart) }
        let byte = bytes[position]
        position += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scratch.append(byte)
        case UInt8(ascii: "b"): scratch.append(0x08)
        case UInt8(ascii: "f"): scratch.append(0x0C)
        case UInt8(ascii: "n"): scratch.append(0x0A)
        case UInt8(ascii: "r"): scratch.append(0x0D)
        case UInt8(ascii: "t"): scratch.append(0x09)
        case UInt8(ascii: "u"):
            var scalar = try readHex4(escapeStart: escapeStart)
            if scalar >= 0xD800 && scalar <= 0xDBFF {
                guard position + 1 < bytes.count, bytes[position] == UInt8(ascii: "\\"), bytes[position + 1] == UInt8(ascii: "u") else {
                    throw fail("lone high surrogate \\u\(hex4(scalar)) (not followed by a low surrogate)", at: escapeStart)
                }
                let lowStart = position
                position += 2
                let low = try readHex4(escapeStart: lowStart)
                guard low >= 0xDC00 && low <= 0xDFFF else {
                    throw fail("high surrogate \\u\(hex4(scalar)) followed by \\u\(hex4(low)), not by a low surrogate", at: lowStart)
                }
                scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
            } else if scalar >= 0xDC00 && scalar <= 0xDFFF {
                throw fail("lone low surrogate \\u\(hex4(scalar))", at: escapeStart)
            }
            appendUTF8(scalar)
        default:
            position -= 1
            throw fail("invalid escape sequence '\\\(printable(byte))'", at: escapeStart)
        }
    }

    mutating func readHex4(escapeStart: Int) throws(JSONParseError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard position < bytes.count else { throw fail("unterminated \\u escape", at: escapeStart) }
            let byte = bytes[position]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw fail("invalid \\u escape: \(describeByte(position)) is not a hex digit", at: position)
            }
            value = value << 4 | UInt32(digit)
            position += 1
        }
        return value
    }

    mutating func appendUTF8(_ scalar: UInt32) {
        switch scalar {
        case 0..<0x80:
            scratch.append(UInt8(scalar))
        case 0x80..<0x800:
            scratch.append(UInt8(0xC0 | scalar >> 6))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        case 0x800..<0x10000:
            scratch.append(UInt8(0xE0 | scalar >> 12))
            scratch.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        default:
            scratch.append(UInt8(0xF0 | scalar >> 18 & 0x07))
            scratch.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            scratch.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        }
    }

    /// Validates one multi-byte UTF-8 sequence at `position` (Unicode table 3-7) and moves past it.
    mutating func skipUTF8Sequence() throws(JSONParseError) {
        let lead = bytes[position]
        let length: Int
        var low: UInt8 = 0x80, high: UInt8 = 0xBF  // range of the second byte
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0: length = 3; low = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED: length = 3; high = 0x9F
        case 0xF0: length = 4; low = 0x90
        case 0xF1...0xF3: length = 4
        case 0xF4: length = 4; high = 0x8F
        default: throw fail("invalid UTF-8: \(describeByte(position)) cannot start a character")
        }
        guard position + length <= bytes.count else { throw fail("invalid UTF-8: truncated character") }
        let second = bytes[position + 1]
        guard second >= low && second <= high else { throw fail("invalid UTF-8 sequence", at: position) }
        for i in 2..<max(2, length) where bytes[position + i] & 0xC0 != 0x80 {
            throw fail("invalid UTF-8 sequence", at: position)
        }
        position += length
    }

    // MARK: helpers

    mutating func skipWhitespace() {
        // A local index: `position` lives in memory the compiler must update at every step.
        var i = position
        scan: while i < bytes.count {
            switch bytes[i] {
            case 0x20, 0x0A, 0x0D, 0x09: i += 1
            default: break scan
            }
        }
        position = i
    }

    func describeByte(_ at: Int) -> String {
        guard at < bytes.count else { return "end of input" }
        return "'\(printable(bytes[at]))'"
    }

    func printable(_ byte: UInt8) -> String {
        if byte >= 0x20 && byte < 0x7F { return String(UnicodeScalar(byte)) }
        return "0x" + hex2(byte)
    }

    func fail(_ message: String, at: Int? = nil, kind: JSONParseError.Kind = .syntax) -> JSONParseError {
        JSONParseError(in: bytes, at: at ?? position, kind: kind, message)
    }
}

extension JSONParseError {
    /// An error at byte `offset` of `bytes`, with its line and column.
    init(in bytes: UnsafeBufferPointer<UInt8>, at offset: Int, kind: JSONParseError.Kind, _ message: String) {
        let offset = max(0, min(offset, bytes.count))
        var line = 1
        var lineStart = 0
        for i in 0..<offset where bytes[i] == 0x0A {
            line += 1
            lineStart = i + 1
        }
        self.init(kind: kind, message: message, offset: offset, line: line, column: offset - lineStart + 1)
    }
}

/// Which bytes a string may hold as they are, with no escape, check or decoding: printable
/// ASCII other than the quote and the backslash. Allocated once, never written after its
/// initialiser (so shared reads are safe) and never freed.
nonisolated(unsafe) private let plainStringByteTable: UnsafePointer<Bool> = {
    let table = UnsafeMutablePointer<Bool>.allocate(capacity: 256)
    for byte in 0..<256 { table[byte] = byte >= 0x20 && byte < 0x80 && byte != 0x22 && byte != 0x5C }
    return UnsafePointer(table)
}()

private let hexDigits: [UInt8] = Array("0123456789abcdef".utf8)

func hex2(_ byte: UInt8) -> String {
    String(decoding: [hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0xF)]], as: UTF8.self)
}

func hex4(_ value: UInt32) -> String {
    hex2(UInt8(value >> 8 & 0xFF)) + hex2(UInt8(value & 0xFF))
}
