import Testing
@testable import Onderwijsregio

private func parse(_ text: String, maxDepth: Int = JSONParseOptions.defaultMaxDepth) throws(JSONParseError) -> JSONValue {
    try JSONParser.parse(text, options: JSONParseOptions(maxDepth: maxDepth))
}

private func parseError(_ bytes: [UInt8], options: JSONParseOptions = JSONParseOptions()) -> JSONParseError? {
    do {
        _ = try JSONParser.parse(bytes, options: options)
        return nil
    } catch {
        return error
    }
}

@Suite struct JSONParserTests {
    /// Strings are scanned eight bytes at a time: a byte that ends or interrupts the plain run
    /// must be seen wherever it sits, also within the last eight bytes of the document.
    @Test func everyByteThatInterruptsAStringIsSeenAtEveryPosition() {
        // (bytes in the JSON text, bytes they decode to; nil: the document must be refused)
        let specials: [([UInt8], [UInt8]?)] = [
            ([0x01], nil), ([0x1F], nil), ([0xFF], nil), ([0x22], nil), ([0xC3], nil),
            ([0x7F], [0x7F]), ([0xC3, 0xA9], [0xC3, 0xA9]), ([0x5C, 0x6E], [0x0A]), ([0x5C, 0x22], [0x22]),
        ]
        let plain: [UInt8] = Array(" !#[]~a0".utf8)
        for length in 0...24 {
            let filler = (0..<length).map { plain[$0 % plain.count] }
            for position in 0...length {
                for (text, decoded) in specials {
                    for trailing in [0, 9] {
                        let document = [0x22] + filler[..<position] + text + filler[position...] + [0x22]
                            + [UInt8](repeating: 0x20, count: trailing)
                        let parsed = try? JSONParser.parse(document)
                        if let decoded {
                            let expected = String(decoding: filler[..<position] + decoded + filler[position...], as: UTF8.self)
                            #expect(parsed == .string(expected), "\(text) at \(position) of \(length)")
                        } else {
                            #expect(parsed == nil, "\(text) at \(position) of \(length) must be refused")
                        }
                    }
                }
            }
        }
    }

    @Test func parsesEveryKindOfValue() throws {
        let value = try parse(#" {"a": [1, -2.5e3, true, false, null, "x\n\u00e9\ud83d\ude00"], "b": {}} "#)
        guard case .object(let object) = value, case .array(let a)? = object["a"] else {
            Issue.record("not an object with an array")
            return
        }
        #expect(object.keys == ["a", "b"])
        #expect(a.count == 6)
        #expect(a[0] == .number(JSONNumber(1)))
        #expect(a[1] == .number(JSONNumber("-2500")!))
        #expect(a[2] == .bool(true) && a[3] == .bool(false) && a[4] == .null)
        #expect(a[5] == .string("x\n\u{e9}\u{1F600}"))
        #expect(object["b"] == .object(JSONObject()))
    }

    @Test(arguments: [
        "", " ", "[1,]", "{\"a\":1,}", "[01]", "[-01]", "[1.]", "[.5]", "[+1]", "[NaN]", "[Infinity]",
        "{'a':1}", "[1] x", "[1]]", "{\"a\" 1}", "{1:1}", "[\"\t\"]", "\"\\x\"", "\"\\u12\"",
        "/* c */ 1", "[1 2]", "tru", "nul", "[-]", "1e", "1e+", "[1,,2]", "{\"a\":}", "\"abc",
    ])
    func rejectsNonJSON(text: String) {
        #expect(parseError(Array(text.utf8)) != nil, "accepted \(text.debugDescription)")
    }

    @Test func reportsOffsetLineAndColumn() throws {
        let error = try #require(parseError(Array("{\n  \"a\": 1,\n  \"b\": ]\n}".utf8)))
        #expect(error.kind == .syntax)
        #expect(error.line == 3)
        #expect(error.column == 8)
        #expect(error.offset == 19)
        #expect(error.message.contains("expected a value"))
    }

    @Test func rejectsInvalidUTF8() {
        let cases: [[UInt8]] = [
            [0x22, 0xFF, 0x22],                    // never valid
            [0x22, 0xC0, 0xAF, 0x22],              // overlong "/"
            [0x22, 0xE0, 0x80, 0xAF, 0x22],        // overlong three bytes
            [0x22, 0xED, 0xA0, 0x80, 0x22],        // encoded surrogate U+D800
            [0x22, 0xF4, 0x90, 0x80, 0x80, 0x22],  // above U+10FFFF
            [0x22, 0xE2, 0x82, 0x22],              // truncated "€"
            [0xEF, 0xBB, 0xBF, 0x31],              // byte order mark
        ]
        for bytes in cases {
            #expect(parseError(bytes) != nil, "accepted \(bytes)")
        }
        #expect(parseError([0x22, 0xE2, 0x82, 0xAC, 0xF0, 0x9F, 0x98, 0x80, 0x22]) == nil)
    }

    @Test func checksSurrogatePairs() throws {
        #expect(try parse(#""\ud834\udd1e""#) == .string("\u{1D11E}"))
        for bad in [#""\ud800""#, #""\udc00""#, #""\ud800\u0041""#, #""\ud800x""#, #""\udd1e\ud834""#] {
            let error = parseError(Array(bad.utf8))
            #expect(error?.message.contains("surrogate") == true, "\(bad): \(String(describing: error))")
        }
    }

    @Test func keepsNULInsideStringsAndKeys() throws {
        let value = try parse(#"{"a\u0000b": "c\u0000"}"#)
        #expect(value["a\u{0}b"] == .string("c\u{0}"))
        // A raw NUL byte is a control character and must be escaped.
        #expect(parseError([0x22, 0x00, 0x22]) != nil)
        #expect(parseError([0x5B, 0x31, 0x5D, 0x00]) != nil)
    }

    @Test func duplicateKeysKeepTheLastValueAtTheFirstPosition() throws {
        let value = try parse(#"{"a": 1, "b": 2, "a": 3}"#)
        #expect(value.objectValue?.keys == ["a", "b"])
        #expect(value["a"] == .number(JSONNumber(3)))
    }

    @Test func keysAreComparedByCodePoints() throws {
        // "é" precomposed and decomposed are canonically equivalent in Swift but distinct in JSON.
        let value = try parse(#"{"\u00e9": 1, "e\u0301": 2}"#)
        #expect(value.objectValue?.count == 2)
        #expect(value["\u{e9}"] == .number(JSONNumber(1)))
        #expect(JSONValue.string("\u{e9}") != JSONValue.string("e\u{301}"))
    }

    @Test func largeObjectsUseTheIndexAndStillResolveDuplicates() throws {
        var text = "{"
        for i in 0..<100 { text += "\"k\(i)\": \(i)," }
        text += "\"k7\": \"last\"}"
        let value = try parse(text)
        #expect(value.objectValue?.count == 100)
        #expect(value["k7"] == .string("last"))
        #expect(value["k99"] == .number(JSONNumber(99)))
        #expect(value["k100"] == nil)
    }

    @Test func keepsNumbersExactly() throws {
        let big = "123456789012345678901234567890"
        let long = "0." + String(repeating: "1", count: 60)
        let value = try parse("[\(big), \(long), -0, 9223372036854775807, -9223372036854775808, 1E400]")
        #expect(JSONSerializer.serialize(value) == "[\(big),\(long),-0,9223372036854775807,-9223372036854775808,1E400]")
    }

    @Test func limitsNestingDepthWithoutRecursingFurther() throws {
        let deep = [UInt8](repeating: UInt8(ascii: "["), count: 1_000_000)
        let error = try #require(parseError(deep))
        #expect(error.kind == .limit)
        #expect(error.offset == JSONParseOptions.defaultMaxDepth)

        let exactly = String(repeating: "[", count: 512) + String(repeating: "]", count: 512)
        #expect(parseError(Array(exactly.utf8)) == nil)
        let tooDeep = "[" + exactly + "]"
        #expect(parseError(Array(tooDeep.utf8))?.kind == .limit)
        #expect(parseError(Array("[[[1]]]".utf8), options: JSONParseOptions(maxDepth: 2))?.kind == .limit)
    }

    @Test func clampsTheConfigurableDepth() {
        #expect(JSONParseOptions(maxDepth: 1 << 40).maxDepth == JSONParseOptions.maxDepthCeiling)
        #expect(JSONParseOptions(maxDepth: -5).maxDepth == 1)
    }

    @Test func limitsDocumentSize() throws {
        let error = try #require(parseError(Array("[1, 2, 3]".utf8), options: JSONParseOptions(maxBytes: 4)))
        #expect(error.kind == .limit)
        #expect(error.message.contains("limit of 4 bytes"))
    }

    @Test func acceptsHugeExponentsAndLongFractions() throws {
        _ = try parse("1e999999")
        _ = try parse("-0." + String(repeating: "0", count: 10_000) + "1")
    }
}
