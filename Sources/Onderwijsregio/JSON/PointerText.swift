/// A JSON Pointer kept as the text of its string form ("/a/b~1c"): a step appends one escaped
/// token and going back moves the end. The validator walks its locations this way, so a report
/// writes them without rebuilding them from tokens; `JSONPointer.description` is written by it
/// too, the one place where tokens are escaped.
struct PointerText {
    /// Manual memory (the evaluator walks in and out of subschemas more than anything else):
    /// `release()` once, when done. Nothing is allocated until the first step.
    private var text = JSONTextWriter(capacity: 0)
    /// Whether some token holds a byte that JSON text must escape (a quote, a backslash, a
    /// control character): reports copy locations without a scan unless one does. Stays set
    /// once set, which only costs that scan.
    private(set) var needsJSONEscape = false

    /// A token escaped once, ahead of time: a keyword's name is walked past far more often than
    /// it ends up in an error. A class, so that the evaluator can hold one without copying it.
    final class Token: Sendable {
        /// "/" and the name escaped for a JSON Pointer.
        let text: [UInt8]
        let needsJSONEscape: Bool
        /// The name itself as the contents of a JSON string (a report's "keyword").
        let jsonName: [UInt8]

        init(_ name: String) {
            var pointer = PointerText()
            pointer.append(name)
            text = pointer.bytes
            needsJSONEscape = pointer.needsJSONEscape
            pointer.release()
            var escaped: [UInt8] = []
            JSONSerializer.writeEscaped(name, to: &escaped)
            jsonName = escaped
        }
    }

    mutating func release() {
        text.release()
    }

    /// How long the text is: what `truncate(to:)` goes back to.
    var length: Int { text.count }

    /// The text so far, as a copy.
    var bytes: [UInt8] { Array(text.written) }

    /// The text so far; valid until the next change.
    var written: UnsafeBufferPointer<UInt8> { text.written }

    mutating func append(_ token: Token) {
        token.text.withUnsafeBufferPointer { text.append(bytes: $0) }
        if token.needsJSONEscape { needsJSONEscape = true }
    }

    mutating func append(_ token: String) {
        withUTF8InPlace(token) { append($0) }
    }

    mutating func append(_ token: UnsafeBufferPointer<UInt8>) {
        text.append(UInt8(ascii: "/"))
        var runStart = 0
        for i in token.indices {
            let byte = token[i]
            // Letters and digits are above "/" and need no escape: one comparison for most bytes.
            if byte > UInt8(ascii: "/") && byte != UInt8(ascii: "~") && byte != UInt8(ascii: "\\") { continue }
            if byte == UInt8(ascii: "~") || byte == UInt8(ascii: "/") {
                text.append(bytes: UnsafeBufferPointer(rebasing: token[runStart..<i]))
                text.append(UInt8(ascii: "~"))
                text.append(byte == UInt8(ascii: "~") ? UInt8(ascii: "0") : UInt8(ascii: "1"))
                runStart = i + 1
            } else if byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") {
                needsJSONEscape = true
            }
        }
        text.append(bytes: UnsafeBufferPointer(rebasing: token[runStart...]))
    }

    mutating func append(index: Int) {
        text.append(UInt8(ascii: "/"))
        withDecimalDigits(index) { text.append(bytes: $0) }
    }

    /// Back to a `length` the text had.
    mutating func truncate(to length: Int) {
        text.truncate(to: length)
    }
}

/// The decimal digits of `value` (with "-" when negative), as array indexes and counts are
/// written, handed to `body` without an allocation.
func withDecimalDigits<T>(_ value: Int, _ body: (UnsafeBufferPointer<UInt8>) -> T) -> T {
    var magnitude = value.magnitude
    // 24 bytes hold the 20 digits of the largest magnitude and a sign.
    var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
    return withUnsafeMutableBytes(of: &digits) { buffer in
        var start = buffer.count
        repeat {
            start -= 1
            buffer[start] = UInt8(ascii: "0") + UInt8(magnitude % 10)
            magnitude /= 10
        } while magnitude > 0
        if value < 0 {
            start -= 1
            buffer[start] = UInt8(ascii: "-")
        }
        return body(UnsafeBufferPointer(rebasing: buffer.bindMemory(to: UInt8.self)[start...]))
    }
}
