/// A JSON Pointer being walked by the evaluator, kept as the text of its string form ("/a/b~1c"):
/// a step appends one escaped token and going back moves the end, so an error copies the
/// location once, as bytes, and a report writes it without rebuilding it from tokens.
struct PointerText {
    /// Manual memory (the evaluator walks in and out of subschemas more than anything else):
    /// `release()` once, when done. Nothing is allocated until the first step.
    private var text = JSONTextWriter(capacity: 0)
    /// Where each token's "/" is.
    private var tokenStarts: [Int] = []
    /// Whether some token holds a byte that JSON text must escape (a quote, a backslash, a
    /// control character): reports copy locations without a scan unless one does. Stays set
    /// once set, which only costs that scan.
    private(set) var needsJSONEscape = false
    /// Tokens set aside (`setLastAside`), innermost last.
    private var aside = JSONTextWriter(capacity: 0)
    private var asideStarts: [Int] = []

    /// A token escaped once, ahead of time: a keyword's name is walked past far more often than
    /// it ends up in an error.
    struct Token {
        let text: [UInt8]
        let needsJSONEscape: Bool

        init(_ name: String) {
            var pointer = PointerText()
            pointer.append(name)
            text = pointer.bytes
            needsJSONEscape = pointer.needsJSONEscape
            pointer.release()
        }
    }

    mutating func release() {
        text.release()
        aside.release()
    }

    var tokenCount: Int { tokenStarts.count }

    /// The text so far, as a copy.
    var bytes: [UInt8] { Array(text.written) }

    /// The text so far; valid until the next change.
    var written: UnsafeBufferPointer<UInt8> { text.written }

    mutating func append(_ token: Token) {
        tokenStarts.append(text.count)
        token.text.withUnsafeBufferPointer { text.append(bytes: $0) }
        if token.needsJSONEscape { needsJSONEscape = true }
    }

    mutating func append(_ token: String) {
        withUTF8InPlace(token) { append($0) }
    }

    mutating func append(_ token: UnsafeBufferPointer<UInt8>) {
        tokenStarts.append(text.count)
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
        tokenStarts.append(text.count)
        text.append(UInt8(ascii: "/"))
        withDecimalDigits(index) { text.append(bytes: $0) }
    }

    mutating func removeLast() {
        guard let start = tokenStarts.popLast() else { return }
        text.truncate(to: start)
    }

    /// Back to the first `count` tokens.
    mutating func truncate(toTokens count: Int) {
        guard count >= 0, count < tokenStarts.count else { return }
        text.truncate(to: tokenStarts[count])
        while tokenStarts.count > count { tokenStarts.removeLast() }
    }

    /// Moves the last token aside while a subschema is walked under another name (a fused
    /// keyword's name replaced by the keyword really on the path): `restoreSetAside` puts it
    /// back. Calls pair up like parentheses.
    mutating func setLastAside() {
        asideStarts.append(aside.count)
        guard let start = tokenStarts.popLast() else { return }
        aside.append(bytes: UnsafeBufferPointer(rebasing: text.written[start...]))
        text.truncate(to: start)
    }

    mutating func restoreSetAside() {
        guard let start = asideStarts.popLast(), start < aside.count else { return }
        tokenStarts.append(text.count)
        text.append(bytes: UnsafeBufferPointer(rebasing: aside.written[start...]))
        aside.truncate(to: start)
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
