import Testing
@testable import Onderwijsregio

private func compile(_ schema: String, _ configure: (inout SchemaOptions) -> Void = { _ in }) throws -> JSONSchema {
    var options = SchemaOptions()
    configure(&options)
    return try JSONSchema(try JSONParser.parse(schema), options: options)
}

private func errors(_ schema: JSONSchema, _ instance: String) throws -> [SchemaValidationError] {
    try schema.validate(try JSONParser.parse(instance)).errors
}

private func compileError(_ schema: String) -> SchemaCompileError? {
    do {
        _ = try JSONSchema(try JSONParser.parse(schema))
        return nil
    } catch let error as SchemaCompileError {
        return error
    } catch {
        return nil
    }
}

@Suite struct JSONSchemaTests {
    /// Enum strings are found by length and first eight bytes, then compared in place: strings
    /// that share both must still be told apart, and other values still compared as JSON.
    @Test func enumTellsApartStringsThatShareTheirStart() throws {
        let sectors = try compile(##"{"enum": ["primary_education", "primary_educatiox", "vo", 1.0, null, "e\u0301"]}"##)
        for valid in [#""primary_education""#, #""primary_educatiox""#, #""vo""#, "1", "null", #""e\u0301""#] {
            #expect(try sectors.isValid(try JSONParser.parse(valid)), "\(valid)")
        }
        for invalid in [#""primary_educatioy""#, #""primary_educatio""#, #""v""#, "2", #""1""#, #""\u00e9""#] {
            #expect(try !sectors.isValid(try JSONParser.parse(invalid)), "\(invalid)")
        }
    }

    @Test func multipleOfIsExactForDecimals() throws {
        let tenth = try compile(##"{"multipleOf": 0.1}"##)
        for valid in ["0.3", "0.7", "1e2", "-12.5", "0", "100000000000000000000.1"] {
            #expect(try tenth.isValid(try JSONParser.parse(valid)), "\(valid)")
        }
        #expect(try !tenth.isValid(try JSONParser.parse("0.35")))
        let odd = try compile(##"{"multipleOf": 0.123456789}"##)
        #expect(try !odd.isValid(try JSONParser.parse("1e308")))
        let tiny = try compile(##"{"multipleOf": 1e-308}"##)
        #expect(try tiny.isValid(try JSONParser.parse("1.5")))
        let big = try compile(##"{"multipleOf": 12345678901234567890123}"##)
        #expect(try big.isValid(try JSONParser.parse("24691357802469135780246")))
    }

    @Test func numbersCompareExactly() throws {
        let schema = try compile(##"{"maximum": 9007199254740993, "enum": [1, 9007199254740992]}"##)
        #expect(try schema.isValid(try JSONParser.parse("1.0")))
        #expect(try schema.isValid(try JSONParser.parse("9007199254740992")))
        #expect(try !schema.isValid(try JSONParser.parse("9007199254740993")))
    }

    @Test func catastrophicBacktrackingStopsWithAnError() throws {
        let schema = try compile(##"{"pattern": "^(a+)+$"}"##)
        let subject = "\"" + String(repeating: "a", count: 5_000) + "b\""
        #expect(throws: SchemaEvaluationError.self) { try schema.validate(try JSONParser.parse(subject)) }
    }

    @Test func cyclicReferencesTerminate() throws {
        let schema = try compile(##"{"$defs": {"a": {"$ref": "#/$defs/b"}, "b": {"$ref": "#/$defs/a"}}, "$ref": "#/$defs/a"}"##)
        #expect(throws: SchemaEvaluationError.self) { try schema.validate(.null) }
        let recursive = try compile(##"{"type": "object", "properties": {"child": {"$ref": "#"}}, "required": ["id"]}"##)
        #expect(try recursive.isValid(try JSONParser.parse(##"{"id": 1, "child": {"id": 2, "child": {"id": 3}}}"##)))
        #expect(try !recursive.isValid(try JSONParser.parse(##"{"id": 1, "child": {"child": {"id": 3}}}"##)))
    }

    @Test func refusesBrokenSchemas() {
        #expect(compileError(##"{"type": 12}"##)?.location == "/type")
        #expect(compileError(##"{"required": "x"}"##) != nil)
        #expect(compileError(##"{"$schema": "https://example.com/my-draft", "type": "string"}"##)?.message.contains("unknown $schema") == true)
        #expect(compileError(##"{"pattern": "(unclosed"}"##)?.message.contains("invalid regular expression") == true)
        #expect(compileError(##"{"$ref": "https://example.com/elsewhere.json"}"##)?.message.contains("https://example.com/elsewhere.json") == true)
        #expect(compileError(##"{"$ref": "#/$defs/missing"}"##) != nil)
    }

    @Test func hugeLengthLimitsAreFine() throws {
        let schema = try compile(##"{"minLength": 1e30, "maxLength": 100000000000000000000000}"##)
        #expect(try errors(schema, ##""abc""##).map(\.keyword) == ["minLength"])
    }

    @Test func reportsNestBranchErrorsUnderAnyOf() throws {
        let schema = try compile(##"{"properties": {"phone": {"anyOf": [{"type": "string", "pattern": "^[0-9]+$"}, {"type": "null"}]}}}"##)
        let found = try errors(schema, ##"{"phone": "call me"}"##)
        #expect(found.count == 1)
        let error = try #require(found.first)
        #expect(error.keyword == "anyOf")
        #expect(error.instanceLocation.description == "/phone")
        #expect(error.keywordLocation.description == "/properties/phone/anyOf")
        #expect(Set(error.errors.map(\.keywordLocation.description)) == ["/properties/phone/anyOf/0/pattern", "/properties/phone/anyOf/1/type"])
    }

    @Test func reportsAbsoluteLocationsThroughReferences() throws {
        let schema = try compile(##"{"$id": "https://example.com/candidate", "properties": {"a": {"$ref": "#/$defs/positive"}}, "$defs": {"positive": {"minimum": 0}}}"##)
        let error = try #require(try errors(schema, ##"{"a": -1}"##).first)
        #expect(error.keywordLocation.description == "/properties/a/$ref/minimum")
        #expect(error.absoluteKeywordLocation == "https://example.com/candidate#/$defs/positive/minimum")
        #expect(error.message == "must be at least 0")
    }

    @Test func additionalPropertiesIsOneErrorAtTheObject() throws {
        let schema = try compile(##"{"properties": {"a": {}}, "additionalProperties": false}"##)
        let found = try errors(schema, ##"{"a": 1, "b": 2, "c": 3}"##)
        #expect(found.count == 1)
        #expect(found.first?.instanceLocation.description == "")
        #expect(found.first?.keyword == "additionalProperties")
        #expect(found.first?.message == "must not have the properties b, c")
    }

    @Test func stopAtFirstErrorReportsOne() throws {
        let schema = try compile(##"{"properties": {"a": {"type": "string"}, "b": {"type": "string"}}}"##) { $0.stopAtFirstError = true }
        #expect(try errors(schema, ##"{"a": 1, "b": 2}"##).count == 1)
    }

    @Test func formatsAreAssertedUnlessSwitchedOff() throws {
        let asserted = try compile(##"{"format": "date"}"##)
        #expect(try errors(asserted, ##""2026-02-30""##).map(\.keyword) == ["format"])
        let annotated = try compile(##"{"format": "date"}"##) { $0.formatAssertion = false }
        #expect(try annotated.isValid(.string("2026-02-30")))
    }

    @Test func draftsAreChosenBySchemaOrDefault() throws {
        let draft4 = try compile(##"{"$schema": "http://json-schema.org/draft-04/schema#", "maximum": 5, "exclusiveMaximum": true}"##)
        #expect(draft4.draft == .draft4)
        #expect(try !draft4.isValid(.number(JSONNumber(5))))
        let draft7 = try compile(##"{"items": [{"type": "integer"}], "additionalItems": false}"##) { $0.defaultDraft = .draft7 }
        #expect(try draft7.isValid(try JSONParser.parse("[1]")))
        #expect(try !draft7.isValid(try JSONParser.parse("[1, 2]")))
        // In draft-07 $ref hides its siblings; in 2020-12 it does not.
        let hidden = try compile(##"{"$defs": {"any": {}}, "$ref": "#/$defs/any", "type": "string"}"##) { $0.defaultDraft = .draft7; $0.validateSchema = false }
        #expect(try hidden.isValid(.number(JSONNumber(1))))
        let seen = try compile(##"{"$defs": {"any": {}}, "$ref": "#/$defs/any", "type": "string"}"##)
        #expect(try !seen.isValid(.number(JSONNumber(1))))
    }

    @Test func unevaluatedPropertiesSeesThroughApplicators() throws {
        let schema = try compile(##"""
            {"allOf": [{"properties": {"a": true}}], "anyOf": [{"properties": {"b": true}, "required": ["b"]}, {"properties": {"c": true}}],
             "unevaluatedProperties": false}
            """##)
        #expect(try schema.isValid(try JSONParser.parse(##"{"a": 1, "b": 2}"##)))
        #expect(try schema.isValid(try JSONParser.parse(##"{"a": 1, "c": 2}"##)))
        #expect(try errors(schema, ##"{"a": 1, "d": 2}"##).map(\.keyword) == ["unevaluatedProperties"])
    }
}

@Suite struct DutchMessagesTests {
    private func messages(_ language: MessageLanguage, _ schema: String, _ instance: String) throws -> [String] {
        var options = SchemaOptions()
        options.language = language
        let compiled = try JSONSchema(try JSONParser.parse(schema), options: options)
        return try compiled.validate(try JSONParser.parse(instance)).errors.map(\.message)
    }

    @Test func theSameFailuresInBothLanguages() throws {
        let schema = """
            {"type":"object","required":["email","lastName"],"additionalProperties":false,
             "properties":{"email":{"type":"string","format":"email"},"age":{"type":"integer","minimum":16},
             "phase":{"enum":["new","matching"]},"lastName":{"type":"string","minLength":1}}}
            """
        let instance = #"{"email":"nope","age":12.5,"phase":"old","extra":1}"#
        let english = try messages(.english, schema, instance)
        let dutch = try messages(.dutch, schema, instance)
        #expect(english.count == dutch.count && english.count == 6)
        #expect(english.contains("is missing the required property lastName"))
        #expect(dutch.contains("het verplichte veld lastName ontbreekt"))
        #expect(dutch.contains("is geen geldig e-mailadres"))
        #expect(dutch.contains("moet een geheel getal zijn, niet een getal"))
        #expect(dutch.contains("moet minstens 16 zijn"))
        #expect(dutch.contains("moet een van deze waarden zijn: new, matching"))
        #expect(dutch.contains("het veld extra is niet toegestaan"))
        #expect(try messages(.dutch, #"{"format":"date"}"#, #""2026-13-01""#) == ["is geen geldige datum (JJJJ-MM-DD)"])
    }
}
