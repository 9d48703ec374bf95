/// An exact decimal: `(negative ? -1 : 1) × significand × 10^exponent`, where `significand` is
/// the decimal digits without leading or trailing zeros (empty for zero).
///
/// Used wherever JSON numbers are compared, so `1`, `1.0` and `10e-1` are equal and
/// `100000000000000000001` is not rounded to a double.
public struct JSONDecimal: Sendable {
    public let negative: Bool
    /// ASCII digits, no leading or trailing zeros; empty means zero.
    public let significand: [UInt8]
    public let exponent: Int

    /// Exponents beyond this are clamped. Such numbers still order correctly against every
    /// number a realistic document holds; arithmetic on the exponent can then never overflow.
    static let exponentLimit = 1 << 52

    public var isZero: Bool { significand.isEmpty }
    public var isInteger: Bool { isZero || exponent >= 0 }

    init(negative: Bool, digits: [UInt8], exponent: Int) {
        var first = 0
        while first < digits.count && digits[first] == UInt8(ascii: "0") { first += 1 }
        var last = digits.count
        var exp = exponent
        while last > first && digits[last - 1] == UInt8(ascii: "0") { last -= 1; exp += 1 }
        self.significand = Array(digits[first..<last])
        self.negative = negative && first < last
        self.exponent = significand.isEmpty ? 0 : max(-Self.exponentLimit, min(Self.exponentLimit, exp))
    }

    init(integer: Int64) {
        let magnitude = integer.magnitude
        self.init(negative: integer < 0, digits: Array(String(magnitude).utf8), exponent: 0)
    }

    /// `literal` must match the JSON number grammar.
    init(validatedLiteral literal: String) {
        var negative = false
        var digits: [UInt8] = []
        var fractionDigits = 0
        var exponent = 0
        var exponentNegative = false
        var part = 0  // 0: integer part, 1: fraction, 2: exponent
        for byte in literal.utf8 {
            switch byte {
            case UInt8(ascii: "-"):
                if part == 2 { exponentNegative = true } else { negative = true }
            case UInt8(ascii: "+"):
                break
            case UInt8(ascii: "."):
                part = 1
            case UInt8(ascii: "e"), UInt8(ascii: "E"):
                part = 2
            default:
                if part == 2 {
                    if exponent < Self.exponentLimit { exponent = exponent * 10 + Int(byte &- 0x30) }
                } else {
                    digits.append(byte)
                    if part == 1 { fractionDigits += 1 }
                }
            }
        }
        let signedExponent = exponentNegative ? -exponent : exponent
        self.init(negative: negative, digits: digits, exponent: signedExponent - fractionDigits)
    }

    /// The value as Int64 when it is an integer that fits.
    public var int64Value: Int64? {
        guard isInteger else { return nil }
        guard significand.count + exponent <= 19 else { return nil }
        var magnitude: UInt64 = 0
        for digit in significand {
            let (m, o1) = magnitude.multipliedReportingOverflow(by: 10)
            let (s, o2) = m.addingReportingOverflow(UInt64(digit &- 0x30))
            guard !o1, !o2 else { return nil }
            magnitude = s
        }
        for _ in 0..<exponent {
            let (m, o) = magnitude.multipliedReportingOverflow(by: 10)
            guard !o else { return nil }
            magnitude = m
        }
        if negative {
            guard magnitude <= UInt64(Int64.max) + 1 else { return nil }
            return magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
        }
        guard magnitude <= UInt64(Int64.max) else { return nil }
        return Int64(magnitude)
    }

    /// Nearest double (±infinity or ±0 beyond its range).
    public var doubleValue: Double {
        Double(text) ?? .nan
    }

    /// A JSON number text with this exact value.
    public var text: String {
        if isZero { return "0" }
        let digits = String(decoding: significand, as: UTF8.self)
        let sign = negative ? "-" : ""
        if exponent >= 0 && exponent <= 6 { return sign + digits + String(repeating: "0", count: exponent) }
        if exponent < 0 && -exponent < significand.count {
            let point = significand.count + exponent
            return sign + String(digits.prefix(point)) + "." + String(digits.dropFirst(point))
        }
        if exponent < 0 && -exponent - significand.count <= 6 {
            return sign + "0." + String(repeating: "0", count: -exponent - significand.count) + digits
        }
        return sign + digits + "e" + String(exponent)
    }

    /// Compares magnitudes: -1, 0 or 1.
    static func compareMagnitude(_ a: JSONDecimal, _ b: JSONDecimal) -> Int {
        if a.isZero || b.isZero { return a.isZero ? (b.isZero ? 0 : -1) : 1 }
        // Position of the leading digit; the larger one has the larger magnitude.
        let leadA = a.significand.count + a.exponent
        let leadB = b.significand.count + b.exponent
        if leadA != leadB { return leadA < leadB ? -1 : 1 }
        let common = min(a.significand.count, b.significand.count)
        for i in 0..<common where a.significand[i] != b.significand[i] {
            return a.significand[i] < b.significand[i] ? -1 : 1
        }
        if a.significand.count == b.significand.count { return 0 }
        return a.significand.count < b.significand.count ? -1 : 1
    }
}

extension JSONDecimal: Equatable, Comparable {
    public static func == (lhs: JSONDecimal, rhs: JSONDecimal) -> Bool {
        lhs.negative == rhs.negative && lhs.exponent == rhs.exponent && lhs.significand == rhs.significand
    }

    public static func < (lhs: JSONDecimal, rhs: JSONDecimal) -> Bool {
        if lhs.negative != rhs.negative { return lhs.negative }
        let magnitude = compareMagnitude(lhs, rhs)
        return lhs.negative ? magnitude > 0 : magnitude < 0
    }
}
