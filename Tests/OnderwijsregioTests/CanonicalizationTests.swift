import Testing
@testable import Onderwijsregio

private func canonical(_ text: String) throws -> String {
    String(decoding: try JSONSerializer.canonicalize(try JSONParser.parse(text)), as: UTF8.self)
}

/// The examples published in RFC 8785 (JSON Canonicalization Scheme).
@Suite struct CanonicalizationTests {
    @Test func rfc8785MainExample() throws {
        let input = #"""
            {
              "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
              "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
              "literals": [null, true, false]
            }
            """#
        let expected = #"{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}"#
        #expect(try canonical(input) == expected)
    }

    @Test func rfc8785SortsByUTF16CodeUnits() throws {
        let input = #"""
            {
              "\u20ac": "Euro Sign",
              "\r": "Carriage Return",
              "\ufb33": "Hebrew Letter Dalet With Dagesh",
              "1": "One",
              "\ud83d\ude00": "Emoji: Grinning Face",
              "\u0080": "Control",
              "\u00f6": "Latin Small Letter O With Diaeresis"
            }
            """#
        let value = try JSONParser.parse(try canonical(input))
        #expect(value.objectValue?.keys == ["\r", "1", "\u{80}", "\u{f6}", "\u{20ac}", "\u{1F600}", "\u{fb33}"])
    }

    /// RFC 8785 appendix B: IEEE 754 bit patterns and their expected serialisation.
    @Test(arguments: [
        (0x0000000000000000, "0"), (0x8000000000000000, "0"),
        (0x0000000000000001, "5e-324"), (0x8000000000000001, "-5e-324"),
        (0x7fefffffffffffff, "1.7976931348623157e+308"), (0xffefffffffffffff, "-1.7976931348623157e+308"),
        (0x4340000000000000, "9007199254740992"), (0xc340000000000000, "-9007199254740992"),
        (0x4430000000000000, "295147905179352830000"),
        (0x44b52d02c7e14af5, "9.999999999999997e+22"), (0x44b52d02c7e14af6, "1e+23"),
        (0x44b52d02c7e14af7, "1.0000000000000001e+23"),
        (0x444b1ae4d6e2ef4e, "999999999999999700000"), (0x444b1ae4d6e2ef4f, "999999999999999900000"),
        (0x444b1ae4d6e2ef50, "1e+21"),
        (0x3eb0c6f7a0b5ed8c, "9.999999999999997e-7"), (0x3eb0c6f7a0b5ed8d, "0.000001"),
        (0x41b3de4355555553, "333333333.3333332"), (0x41b3de4355555554, "333333333.33333325"),
        (0x41b3de4355555555, "333333333.3333333"), (0x41b3de4355555556, "333333333.3333334"),
        (0x41b3de4355555557, "333333333.33333343"),
        (0xbecbf647612f3696, "-0.0000033333333333333333"), (0x43143ff3c1cb0959, "1424953923781206.2"),
    ] as [(UInt64, String)])
    func rfc8785NumberSerialization(bits: UInt64, expected: String) throws {
        let double = Double(bitPattern: bits)
        #expect(ECMAScriptNumber.format(double) == expected)
        // The same through parsing the shortest decimal of the double.
        #expect(try canonical("[\(double.description)]") == "[\(expected)]")
    }

    @Test func keyOrderMatchesUTF16CodeUnitOrder() {
        // Characters from each range whose UTF-8 and UTF-16 orders could disagree.
        let alphabet: [Unicode.Scalar] = ["a", "\u{7F}", "\u{80}", "\u{7FF}", "\u{800}", "\u{D7FF}", "\u{E000}",
                                          "\u{FB33}", "\u{FFFF}", "\u{10000}", "\u{1F600}", "\u{10FFFF}"]
        var generator = SystemRandomNumberGenerator()
        for _ in 0..<5_000 {
            var a = "", b = ""
            for _ in 0..<Int.random(in: 0...3, using: &generator) { a.unicodeScalars.append(alphabet.randomElement(using: &generator) ?? "a") }
            for _ in 0..<Int.random(in: 0...3, using: &generator) { b.unicodeScalars.append(alphabet.randomElement(using: &generator) ?? "a") }
            #expect(a.precedesInUTF16Order(b) == a.utf16.lexicographicallyPrecedes(b.utf16), "\(a.unicodeScalars.map(\.value)) vs \(b.unicodeScalars.map(\.value))")
        }
    }

    @Test func refusesNumbersBeyondTheDoubleRange() throws {
        let value = try JSONParser.parse(#"{"a": [1, 1e999999]}"#)
        #expect(throws: CanonicalizationError.self) { try JSONSerializer.canonicalize(value) }
        do {
            _ = try JSONSerializer.canonicalize(value)
        } catch {
            #expect(error.location.description == "/a/1")
        }
    }

    @Test func underflowIsZero() throws {
        #expect(try canonical("-0." + String(repeating: "0", count: 10_000) + "1") == "0")
        #expect(try canonical("1e-400") == "0")
    }

    @Test func escapesOnlyWhatItMust() throws {
        #expect(try canonical(#""\u001f\u007f\u2028\/<""#) == "\"\\u001f\u{7f}\u{2028}/<\"")
        #expect(try canonical(#"{"a\u0000":"\b\f\n\r\t"}"#) == #"{"a\u0000":"\b\f\n\r\t"}"#)
    }

    @Test func nestedObjectsAreSortedToo() throws {
        #expect(try canonical(#"{"b":[{"z":1,"y":2}],"a":{"d":1.50,"c":10}}"#) == #"{"a":{"c":10,"d":1.5},"b":[{"y":2,"z":1}]}"#)
    }
}
