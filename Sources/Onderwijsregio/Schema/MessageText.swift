/// A validation message as the contents of a JSON string (UTF-8, escaped), built by string
/// interpolation straight into one buffer: the report copies it as it is, and a pattern's text,
/// escaped once when the schema was compiled, goes in without being escaped again. Literals are
/// the library's own templates, plain text that needs no escaping (a test renders every message
/// to hold them to that); interpolated values are escaped.
struct MessageText: ExpressibleByStringInterpolation {
    typealias StringLiteralType = StaticString

    /// Escaped: "must match the pattern ^\\d+$" for the pattern ^\d+$.
    let json: [UInt8]

    init(stringLiteral literal: StaticString) {
        json = literal.withUTF8Buffer { Array($0) }
    }

    init(stringInterpolation: StringInterpolation) {
        json = stringInterpolation.json
    }

    struct StringInterpolation: StringInterpolationProtocol {
        typealias StringLiteralType = StaticString

        fileprivate var json: [UInt8] = []

        init(literalCapacity: Int, interpolationCount: Int) {
            json.reserveCapacity(literalCapacity + 16 * interpolationCount)
        }

        mutating func appendLiteral(_ literal: StaticString) {
            literal.withUTF8Buffer { json.append(contentsOf: $0) }
        }

        mutating func appendInterpolation(_ text: String) {
            JSONSerializer.writeEscaped(text, to: &json)
        }

        /// Text that is already the contents of a JSON string.
        mutating func appendInterpolation(escaped text: [UInt8]) {
            json.append(contentsOf: text)
        }

        /// The items separated by ", ", without joining them into a String first.
        mutating func appendInterpolation(list items: [String]) {
            for (i, item) in items.enumerated() {
                if i > 0 {
                    json.append(UInt8(ascii: ","))
                    json.append(UInt8(ascii: " "))
                }
                appendInterpolation(item)
            }
        }

        mutating func appendInterpolation(_ number: Int) {
            withDecimalDigits(number) { json.append(contentsOf: $0) }
        }
    }
}
