import Testing
@testable import Onderwijsregio

/// RFC 6901 section 5's example document and pointers.
@Suite struct JSONPointerTests {
    let document: JSONValue

    init() throws {
        document = try JSONParser.parse(#"""
            {"foo": ["bar", "baz"], "": 0, "a/b": 1, "c%d": 2, "e^f": 3, "g|h": 4,
             "i\\j": 5, "k\"l": 6, " ": 7, "m~n": 8}
            """#)
    }

    @Test(arguments: [
        ("/foo/0", #""bar""#), ("/", "0"), ("/a~1b", "1"), ("/c%d", "2"), ("/e^f", "3"),
        ("/g|h", "4"), ("/i\\j", "5"), ("/k\"l", "6"), ("/ ", "7"), ("/m~0n", "8"),
    ])
    func resolvesTheRFCExamples(pointer: String, expected: String) throws {
        let parsed = try #require(JSONPointer(pointer))
        #expect(parsed.resolve(in: document) == (try JSONParser.parse(expected)))
        #expect(parsed.description == pointer)
    }

    @Test func wholeDocument() throws {
        #expect(JSONPointer("")?.resolve(in: document) == document)
    }

    @Test func refusesInvalidPointersAndIndexes() {
        #expect(JSONPointer("foo") == nil)
        #expect(JSONPointer("/a~2") == nil)
        #expect(JSONPointer("/a~") == nil)
        #expect(JSONPointer("/foo/01")?.resolve(in: document) == nil)
        #expect(JSONPointer("/foo/-")?.resolve(in: document) == nil)
        #expect(JSONPointer("/foo/2")?.resolve(in: document) == nil)
        #expect(JSONPointer("/foo/0/x")?.resolve(in: document) == nil)
    }

    @Test func escapesWhenBuilt() {
        #expect(JSONPointer().appending("a/b").appending("m~n").appending(index: 3).description == "/a~1b/m~0n/3")
    }
}
