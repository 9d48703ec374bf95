import Testing
@testable import Onderwijsregio

/// The validator reads instances from a `JSONTape`, built either by parsing bytes or from a
/// `JSONValue`. Both must mean what `JSONValue` means, duplicate keys included.
@Suite struct JSONTapeTests {
    private func schema(_ text: String) throws -> JSONSchema { try JSONSchema(try JSONParser.parse(text)) }

    /// The verdict through both ways of building the tape; they must agree.
    private func verdict(_ schema: JSONSchema, _ instance: String) throws -> Bool {
        var bytes = Array(instance.utf8)
        let parsed = try bytes.withUnsafeMutableBufferPointer { try JSONTape(parsing: UnsafeBufferPointer($0)) }
        let fromBytes = try schema.isValid(parsed)
        let fromValue = try schema.isValid(try JSONParser.parse(instance))
        #expect(fromBytes == fromValue, "\(instance): tape from bytes \(fromBytes), from JSONValue \(fromValue)")
        let report = try schema.validate(parsed)
        #expect(report.isValid == fromBytes, "\(instance): the report disagrees with the verdict")
        return fromBytes
    }

    @Test func duplicateKeysMeanWhatJSONParseMakesOfThem() throws {
        // The last value wins: "a" is a string here.
        let stringA = try schema(#"{"properties": {"a": {"type": "string"}}}"#)
        #expect(try verdict(stringA, #"{"a": 1, "a": "x"}"#))
        #expect(try !verdict(stringA, #"{"a": "x", "a": 1}"#))
        // One member, not two.
        let oneMember = try schema(#"{"maxProperties": 1}"#)
        #expect(try verdict(oneMember, #"{"a": 1, "a": 2}"#))
        #expect(try !verdict(oneMember, #"{"a": 1, "b": 2, "a": 3}"#))
        // Equality sees the resolved object, in any order.
        let constant = try schema(#"{"const": {"a": 3, "b": 2}}"#)
        #expect(try verdict(constant, #"{"a": 1, "b": 2, "a": 3}"#))
        #expect(try !verdict(constant, #"{"a": 3, "b": 2, "a": 1}"#))
        let unique = try schema(#"{"uniqueItems": true}"#)
        #expect(try !verdict(unique, #"[{"a": 1, "a": 2}, {"a": 2}]"#))
        #expect(try verdict(unique, #"[{"a": 1, "a": 2}, {"a": 1}]"#))
        // Escaped and plain spellings of one key are the same key.
        #expect(try verdict(oneMember, #"{"a": 1, "\u0061": 2}"#))
        let closed = try schema(#"{"properties": {"a": true}, "additionalProperties": false, "unevaluatedProperties": false}"#)
        #expect(try verdict(closed, #"{"a": 1, "a": 2}"#))
        #expect(try !verdict(closed, #"{"a": 1, "b": 2, "a": 3}"#))
    }

    @Test func largeObjectsFindDuplicatesByHashing() throws {
        let members = (0..<40).map { #""k\#($0)": \#($0)"# }
        let plain = "{" + members.joined(separator: ", ") + "}"
        let duplicated = "{" + (members + [#""k7": "seven""#]).joined(separator: ", ") + "}"
        let count40 = try schema(#"{"minProperties": 40, "maxProperties": 40}"#)
        #expect(try verdict(count40, plain))
        #expect(try verdict(count40, duplicated))
        let k7 = try schema(#"{"properties": {"k7": {"type": "integer"}}}"#)
        #expect(try verdict(k7, plain))
        #expect(try !verdict(k7, duplicated))
    }

    @Test func stringsWithEscapesAndNumbersKeepTheirValues() throws {
        let tab = try schema(#"{"const": "a\tb\u00e9\ud83d\ude00"}"#)
        #expect(try verdict(tab, #""a\u0009b\u00e9😀""#))
        #expect(try !verdict(tab, #""a\\tb""#))
        let length = try schema(#"{"minLength": 3, "maxLength": 3}"#)
        #expect(try verdict(length, #""é😀a""#))
        #expect(try !verdict(length, #""é😀""#))
        let pattern = try schema(#"{"pattern": "^a\"b$"}"#)
        #expect(try verdict(pattern, #""a\"b""#))
        let integer = try schema(#"{"type": "integer", "minimum": -1, "maximum": 1e2}"#)
        for valid in ["1", "1.0", "1e2", "-0", "-1"] { #expect(try verdict(integer, valid), "\(valid)") }
        for invalid in ["1.5", "101", "-2", "1e3", "12345678901234567890"] { #expect(try !verdict(integer, invalid), "\(invalid)") }
        let enumeration = try schema(#"{"enum": [1, "1", [1.0, {"x": null}], true]}"#)
        #expect(try verdict(enumeration, #"[1, {"x": null}]"#))
        #expect(try verdict(enumeration, "1.00"))
        #expect(try !verdict(enumeration, #"[1, {"x": false}]"#))
        #expect(try !verdict(enumeration, "false"))
    }

    @Test func reportsNameTheMembersAsWritten() throws {
        let closed = try schema(#"{"properties": {"a/b": {"type": "string"}}, "additionalProperties": false}"#)
        var bytes = Array(#"{"a/b": 1, "c~d": 2, "é\n": 3}"#.utf8)
        let tape = try bytes.withUnsafeMutableBufferPointer { try JSONTape(parsing: UnsafeBufferPointer($0)) }
        let errors = try closed.validate(tape).errors
        #expect(errors.map(\.instanceLocation.description) == ["/a~1b", ""])
        #expect(errors.last?.message.contains("c~d") == true)
        let report = String(decoding: try closed.validate(tape).report, as: UTF8.self)
        #expect(report.contains(#""instanceLocation":"/a~1b""#))
        #expect(report.contains(#"é\n"#))
    }
}
