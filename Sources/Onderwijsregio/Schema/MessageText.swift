/// A validation message as UTF-8 bytes, built by string interpolation straight into one buffer:
/// a report copies it without a `String` being made first.
struct MessageText: ExpressibleByStringInterpolation {
    typealias StringLiteralType = StaticString

    let utf8: [UInt8]

    init(stringLiteral literal: StaticString) {
        utf8 = literal.withUTF8Buffer { Array($0) }
    }

    init(stringInterpolation: StringInterpolation) {
        utf8 = stringInterpolation.utf8
    }

    struct StringInterpolation: StringInterpolationProtocol {
        typealias StringLiteralType = StaticString

        fileprivate var utf8: [UInt8] = []

        init(literalCapacity: Int, interpolationCount: Int) {
            utf8.reserveCapacity(literalCapacity + 16 * interpolationCount)
        }

        mutating func appendLiteral(_ literal: StaticString) {
            literal.withUTF8Buffer { utf8.append(contentsOf: $0) }
        }

        mutating func appendInterpolation(_ text: String) {
            withUTF8InPlace(text) { utf8.append(contentsOf: $0) }
        }

        mutating func appendInterpolation(_ number: Int) {
            withDecimalDigits(number) { utf8.append(contentsOf: $0) }
        }
    }
}
