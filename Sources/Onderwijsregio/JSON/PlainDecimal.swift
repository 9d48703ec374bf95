/// A number literal without an exponent and with at most 18 digits ("32.5", "-0.25", "1440"),
/// read straight from a tape's bytes: what form payloads hold. Compared and divided without the
/// allocations of `JSONDecimal`, and exactly.
struct PlainDecimal {
    let negative: Bool
    /// The digits without trailing zeros: 32.5 → 325, 1440 → 144; zero for zero.
    let significand: UInt64
    /// Value = ±significand × 10^exponent.
    let exponent: Int

    /// Nil for a literal with an exponent, with more than 18 digits or empty; `literal` must
    /// match the JSON number grammar.
    init?(_ literal: UnsafeBufferPointer<UInt8>) {
        var digits: UInt64 = 0
        var digitCount = 0
        var fractionDigits = 0
        var inFraction = false
        var negative = false
        for byte in literal {
            switch byte {
            case UInt8(ascii: "-"): negative = true
            case UInt8(ascii: "."): inFraction = true
            case UInt8(ascii: "0")...UInt8(ascii: "9"):
                digitCount += 1
                guard digitCount <= 18 else { return nil }
                digits = digits &* 10 &+ UInt64(byte &- UInt8(ascii: "0"))
                if inFraction { fractionDigits += 1 }
            default: return nil  // an exponent
            }
        }
        guard digitCount > 0 else { return nil }
        self.init(negative: negative, digits: digits, exponent: -fractionDigits)
    }

    /// A tape's integer node (whose literal a tape built from a `JSONValue` does not keep).
    init(_ integer: Int64) {
        self.init(negative: integer < 0, digits: integer.magnitude, exponent: 0)
    }

    private init(negative: Bool, digits: UInt64, exponent: Int) {
        var digits = digits
        var exponent = exponent
        if digits == 0 {
            exponent = 0
        } else {
            while digits % 10 == 0 {
                digits /= 10
                exponent += 1
            }
        }
        self.negative = negative && digits != 0
        self.significand = digits
        self.exponent = exponent
    }

    /// Negative, zero or positive as this is below, equal to or above `other`.
    func compare(with other: Int64) -> Int {
        // Split into the integer part and whether a fraction follows it.
        var whole = significand
        var hasFraction = false
        if exponent < 0 {
            var divisor: UInt64 = 1
            for _ in 0..<(-exponent) { divisor &*= 10 }
            hasFraction = whole % divisor != 0
            whole /= divisor
        } else {
            for _ in 0..<exponent {
                let (next, overflow) = whole.multipliedReportingOverflow(by: 10)
                // Beyond UInt64, the magnitude is beyond any Int64.
                if overflow { return negative ? -1 : 1 }
                whole = next
            }
        }
        if negative {
            // -(whole + fraction) against other.
            guard whole <= UInt64(Int64.max) else { return -1 }
            let value = -Int64(whole)
            if value != other { return value < other ? -1 : 1 }
            return hasFraction ? -1 : 0
        }
        guard whole <= UInt64(Int64.max) else { return 1 }
        let value = Int64(whole)
        if value != other { return value < other ? -1 : 1 }
        return hasFraction ? 1 : 0
    }
}
