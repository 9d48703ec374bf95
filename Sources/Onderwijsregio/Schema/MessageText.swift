/// A validation message as UTF-8 bytes, built by string interpolation straight into one buffer
/// (to which the error appends its locations): a report copies it without a `String` being made
/// first.
struct MessageText: ExpressibleByStringInterpolation {
    typealias StringLiteralType = StaticString

    let utf8: [UInt8]

    /// Capacity beyond the message for the error's two locations, which are appended to its array.
    fileprivate static var roomForLocations: Int { 96 }

    init(stringLiteral literal: StaticString) {
        var utf8: [UInt8] = []
        utf8.reserveCapacity(literal.utf8CodeUnitCount + MessageText.roomForLocations)
        literal.withUTF8Buffer { utf8.append(contentsOf: $0) }
        self.utf8 = utf8
    }

    init(stringInterpolation: StringInterpolation) {
        utf8 = stringInterpolation.utf8
    }

    struct StringInterpolation: StringInterpolationProtocol {
        typealias StringLiteralType = StaticString

        fileprivate var utf8: [UInt8] = []

        init(literalCapacity: Int, interpolationCount: Int) {
            utf8.reserveCapacity(literalCapacity + 16 * interpolationCount + MessageText.roomForLocations)
        }

        mutating func appendLiteral(_ literal: StaticString) {
            literal.withUTF8Buffer { utf8.append(contentsOf: $0) }
        }

        mutating func appendInterpolation(_ text: String) {
            withUTF8InPlace(text) { utf8.append(contentsOf: $0) }
        }

        /// The items separated by ", ", without joining them into a String first.
        mutating func appendInterpolation(list items: [String]) {
            for (i, item) in items.enumerated() {
                if i > 0 {
                    utf8.append(UInt8(ascii: ","))
                    utf8.append(UInt8(ascii: " "))
                }
                appendInterpolation(item)
            }
        }

        mutating func appendInterpolation(_ number: Int) {
            withDecimalDigits(number) { utf8.append(contentsOf: $0) }
        }
    }
}
