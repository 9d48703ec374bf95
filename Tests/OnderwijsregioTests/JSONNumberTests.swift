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
}
