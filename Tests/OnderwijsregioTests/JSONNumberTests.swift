import Testing
@testable import Onderwijsregio

@Suite struct JSONNumberTests {
    private func number(_ text: String) throws -> JSONNumber { try #require(JSONNumber(text)) }

    @Test func equalityIsMathematical() throws {
        #expect(try number("1") == number("1.0"))
        #expect(try number("1") == number("10e-1"))
        #expect(try number("100") == number("1e2"))
        #expect(try number("0") == number("-0.0"))
        #expect(try number("100000000000000000001") != number("100000000000000000000"))
        #expect(try number("0.1") != number("0.10000000000000001"))
    }

    @Test func orderingIsExact() throws {
        #expect(try number("-2") < number("-1.5"))
        #expect(try number("0.3") < number("0.30000000000000001"))
        #expect(try number("1e400") > number("9" + String(repeating: "9", count: 300)))
        #expect(try number("-1e400") < number("-1e399"))
        #expect(try !(number("5") < number("5.0")))
    }

    @Test func integerness() throws {
        #expect(try number("1.0").isInteger)
        #expect(try number("1e2").isInteger)
        #expect(try !number("1.5").isInteger)
        #expect(try number("1.5e1").isInteger)
        #expect(try number("12345678901234567890123").isInteger)
        #expect(try number("1e2").int64Value == 100)
        #expect(try number("-9223372036854775808").int64Value == Int64.min)
        #expect(try number("9223372036854775808").int64Value == nil)
    }

    @Test func rejectsNonNumbers() {
        for text in ["", "-", "01", "1.", ".1", "+1", "1e", "0x10", "NaN", " 1", "1 "] {
            #expect(JSONNumber(text) == nil, "accepted \(text.debugDescription)")
        }
    }

    @Test func arrayEqualityUsesNumberEquality() throws {
        #expect(try JSONParser.parse("[1, {\"a\": 2.0}]") == JSONParser.parse("[1.0, {\"a\": 2}]"))
        #expect(try JSONParser.parse(#"{"a":1,"b":2}"#) == JSONParser.parse(#"{"b":2,"a":1}"#))
    }

    private func tape(_ text: String) throws -> JSONTape {
        try Array(text.utf8).withUnsafeBufferPointer { try JSONTape(parsing: $0) }
    }

    private static let literals = ["0", "-0", "0.0", "-0.000", "32.5", "32.50", "40", "40.0", "40.5", "39.999", "-40", "-40.5",
                                   "-39.5", "-0.25", "0.25", "1440", "1440.000001", "100", "123456789012345678",
                                   "99999999999999999.5", "-99999999999999999.5", "9223372036854775807", "-9223372036854775808",
                                   "1e2", "2.5E-1", "12345678901234567890"]

    /// The allocation-free comparison of tape literals with integer limits (`PlainDecimal`) must
    /// agree with the exact decimal one everywhere, including where it declines (exponents,
    /// more than 18 digits).
    @Test func plainDecimalComparisonAgreesWithTheExactOne() throws {
        let limits: [Int64] = [0, 40, -40, -41, 32, 33, 1440, 100, 123456789012345678, Int64.max, Int64.min]
        for literal in Self.literals {
            let tape = try tape(literal)
            let exact = try number(literal)
            for limit in limits {
                let expected = exact < JSONNumber(limit) ? -1 : (exact == JSONNumber(limit) ? 0 : 1)
                let got = tape.withView { $0.compareNumber(0, with: JSONNumber(limit)) }
                #expect(got.signum() == expected, "\(literal) vs \(limit)")
            }
        }
    }

    @Test func plainDecimalDivisibilityAgreesWithTheExactOne() throws {
        let divisors = ["0.5", "0.25", "2.5", "5", "10", "0.001", "3", "1e1", "0.3"]
        for literal in Self.literals {
            let tape = try tape(literal)
            for divisorText in divisors {
                let divisor = try number(divisorText).decimal
                let expected = SchemaEvaluator.isMultiple(try number(literal).decimal, of: divisor)
                #expect(tape.withView { SchemaEvaluator.isMultiple(0, in: $0, of: divisor) } == expected, "\(literal) multipleOf \(divisorText)")
            }
        }
        // A tape built from a value keeps no literal for its integers.
        let built = try #require(JSONTape(.array([.number(JSONNumber(3)), .number(JSONNumber(-30))])))
        let twoAndAHalf = try number("2.5").decimal
        #expect(built.withView { SchemaEvaluator.isMultiple(1, in: $0, of: twoAndAHalf) } == false)
        #expect(built.withView { SchemaEvaluator.isMultiple(2, in: $0, of: twoAndAHalf) } == true)
    }
}
