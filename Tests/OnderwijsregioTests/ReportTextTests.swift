import Testing
@testable import Onderwijsregio

/// Reports are written from bytes the evaluator kept (`PointerText`, `MessageText`), escaped
/// eight bytes at a time where nothing needs it. Every byte JSON must escape has to come out
/// escaped wherever it sits in a run.
@Suite struct ReportTextTests {
    /// The escaping, one byte at a time, as RFC 8259 asks for it.
    private func reference(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        for byte in bytes {
            switch byte {
            case 0x22: out += Array(#"\""#.utf8)
            case 0x5C: out += Array(#"\\"#.utf8)
            case 0x08: out += Array(#"\b"#.utf8)
            case 0x09: out += Array(#"\t"#.utf8)
            case 0x0A: out += Array(#"\n"#.utf8)
            case 0x0C: out += Array(#"\f"#.utf8)
            case 0x0D: out += Array(#"\r"#.utf8)
            case ..<0x20: out += Array("\\u00".utf8) + Array(hex2(byte).utf8)
            default: out.append(byte)
            }
        }
        return out
    }

    @Test func everyByteThatNeedsAnEscapeIsEscapedAtEveryPosition() {
        let specials: [UInt8] = [0x00, 0x01, 0x0A, 0x1F, 0x22, 0x5C]
        // Bytes around the specials' values, and multi-byte UTF-8, must pass through unchanged.
        let plain: [UInt8] = Array("a/~ !#[]é€".utf8) + [0x20, 0x21, 0x23, 0x5B, 0x5D, 0x7F, 0xFF]
        for length in 0...40 {
            let filler = (0..<length).map { plain[$0 % plain.count] }
            var written: [UInt8] = []
            filler.withUnsafeBufferPointer { JSONSerializer.writeEscaped($0, to: &written) }
            #expect(written == reference(filler), "plain run of \(length)")
            for position in 0..<length {
                for special in specials {
                    var bytes = filler
                    bytes[position] = special
                    var out: [UInt8] = []
                    bytes.withUnsafeBufferPointer { JSONSerializer.writeEscaped($0, to: &out) }
                    #expect(out == reference(bytes), "byte \(special) at \(position) of \(length)")
                }
            }
        }
    }

    @Test func pointerTextEscapesTokensAndWalksBack() {
        var pointer = PointerText()
        defer { pointer.release() }
        pointer.append("properties")
        pointer.append("a/b~c")
        let twoTokens = pointer.length
        pointer.append(index: 12)
        #expect(String(decoding: pointer.bytes, as: UTF8.self) == "/properties/a~1b~0c/12")
        #expect(!pointer.needsJSONEscape)
        pointer.append(PointerText.Token.items)
        pointer.append(index: -1)
        #expect(String(decoding: pointer.bytes, as: UTF8.self) == "/properties/a~1b~0c/12/items/-1")
        pointer.truncate(to: twoTokens)
        #expect(String(decoding: pointer.bytes, as: UTF8.self) == "/properties/a~1b~0c")
        pointer.append(PointerText.Token("say \"hi\""))
        #expect(pointer.needsJSONEscape)
        #expect(JSONPointer(String(decoding: pointer.bytes, as: UTF8.self))?.tokens == ["properties", "a/b~c", "say \"hi\""])
    }

    @Test func reportsWithQuotesInKeysAndPatternsAreValidJSON() throws {
        let schema = try JSONSchema(try JSONParser.parse(#"""
            {"properties": {"say \"hi\"\\": {"pattern": "^\"[a-z\\\\]{20,}\"\n$"}}, "additionalProperties": false}
            """#))
        let instance = try JSONParser.parse(#"{"say \"hi\"\\": "nope", "tab\there": 1}"#)
        let result = try schema.validate(instance)
        #expect(result.errors.map(\.instanceLocation.tokens) == [["say \"hi\"\\"], []])
        #expect(result.errors.first?.keywordLocation.tokens == ["properties", "say \"hi\"\\", "pattern"])
        #expect(result.errors.first?.message == "must match the pattern ^\"[a-z\\\\]{20,}\"\n$")
        // The report must parse and say the same.
        guard case .object(let report) = try JSONParser.parse(String(decoding: result.report, as: UTF8.self)),
              case .array(let errors)? = report["errors"], case .object(let first)? = errors.first else {
            Issue.record("the report is not an object with errors")
            return
        }
        #expect(first["instanceLocation"] == .string("/say \"hi\"\\"))
        #expect(first["message"] == .string("must match the pattern ^\"[a-z\\\\]{20,}\"\n$"))
        #expect(errors.count == 2)
    }

    /// The report is written as errors are found: branch errors are nested under a failing
    /// anyOf/oneOf, dropped when a branch matches, and never left behind by a probe (`not`, `if`).
    @Test func branchErrorsAreNestedOrDroppedAndTheReportStaysWellFormed() throws {
        let schema = try JSONSchema(try JSONParser.parse(#"""
            {"properties": {
                "a": {"anyOf": [{"type": "string"}, {"anyOf": [{"minimum": 10}, {"maximum": 1}]}]},
                "b": {"oneOf": [{"type": "integer"}, {"minimum": 0}]},
                "c": {"not": {"anyOf": [{"type": "integer"}, {"type": "string"}]}},
                "d": {"if": {"anyOf": [{"type": "string"}, {"minimum": 100}]}, "then": {"minLength": 3}, "else": {"maximum": 5}},
                "e": {"anyOf": [{"type": "string"}, {"minimum": 0}]}
             },
             "required": ["z"]}
            """#))
        let result = try schema.validate(try JSONParser.parse(#"{"a": 5, "b": 3, "c": 1, "d": 7, "e": 4}"#))
        func tree(_ errors: [SchemaValidationError]) -> [String] {
            errors.map { error in
                error.keywordLocation.description + (error.errors.isEmpty ? "" : "[" + tree(error.errors).joined(separator: ",") + "]")
            }
        }
        #expect(Set(tree(result.errors)) == [
            "/properties/a/anyOf[/properties/a/anyOf/0/type,/properties/a/anyOf/1/anyOf[/properties/a/anyOf/1/anyOf/0/minimum,/properties/a/anyOf/1/anyOf/1/maximum]]",
            "/properties/b/oneOf",
            "/properties/c/not",
            "/properties/d/else/maximum",
            "/required",
        ])
        #expect(result.errors.count == 5)
        // The same from the report's own text, which must be JSON on its own.
        let report = try JSONParser.parse(result.report)
        #expect(report["valid"] == .bool(false))
        #expect(report["errors"]?.arrayValue?.count == 5)
        #expect(report["errors"]?.arrayValue?.first { $0["keywordLocation"] == .string("/properties/b/oneOf") }?["errors"] == nil)
        var firstOnly = SchemaOptions()
        firstOnly.stopAtFirstError = true
        let first = try JSONSchema(try JSONParser.parse(#"{"anyOf": [{"minimum": 10}, {"maximum": 1}], "required": ["z"]}"#), options: firstOnly)
        let stopped = try first.validate(try JSONParser.parse("5"))
        #expect(tree(stopped.errors).count == 1)
        #expect(try JSONParser.parse(stopped.report)["errors"]?.arrayValue?.count == 1)
    }

    /// Message literals go into reports unescaped: every template must be plain text.
    @Test func everyMessageTemplateIsPlainText() {
        let messages: [ValidationMessage] = [
            .falseSchema, .type(expected: ["string"], actual: "number"), .type(expected: ["string", "null"], actual: "number"),
            .enumeration(values: ["a", "b"]), .constant(value: "x"), .multipleOf(divisor: "2"),
            .maximum("1"), .exclusiveMaximum("1"), .minimum("1"), .exclusiveMinimum("1"),
            .maxLength(1), .maxLength(2), .minLength(1), .minLength(2), .pattern(escaped: Array("x".utf8)),
            .maxItems(1), .maxItems(2), .minItems(1), .minItems(2), .duplicates(first: 0, second: 1),
            .maxProperties(1), .maxProperties(2), .minProperties(1), .minProperties(2),
            .required(missing: ["a"]), .required(missing: ["a", "b"]), .dependentRequired(property: "a", missing: ["b"]),
            .not, .unevaluatedProperties(["a"]), .oneOfNone(alternatives: 2), .oneOfSeveral(matches: 2, first: [0, 1]),
            .anyOf(alternatives: 2), .additionalProperties(["a"]), .additionalProperties(["a", "b"]),
            .containsTooFew(minimum: 1, count: 0), .containsTooFew(minimum: 2, count: 1), .containsTooMany(maximum: 1, count: 2),
        ] + FormatChecker.Format.allCases.map { ValidationMessage.format($0) }
        for message in messages {
            for language in [MessageLanguage.english, .dutch] {
                let json = message.text(language).json
                #expect(!json.isEmpty && json.allSatisfy { $0 >= 0x20 && $0 != 0x22 && $0 != 0x5C }, "\(message) in \(language)")
            }
        }
    }
}
