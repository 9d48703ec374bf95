/// The validation report, written as the evaluator finds the errors: the JSON text of
/// `{"valid":false,"errors":[…]}` grows in one buffer, and no error exists as a value in between.
/// Reports are what most invalid submissions end in (a form shows them), so they are made in
/// one pass; the Swift API reads its `SchemaValidationError`s back from this text.
///
/// The errors of anyOf/oneOf branches go into a group (`beginGroup`): dropped when a branch
/// matches, or nested under the keyword's own error when none does.
///
/// Manual memory: `release()` once, when done. Nothing is allocated before `begin()`.
struct ReportWriter {
    private var out = JSONTextWriter(capacity: 0)
    /// Where a nested group's errors wait while their parent's fields are written before them.
    private var spare = JSONTextWriter(capacity: 0)
    /// Where the innermost open array of errors begins: an error written after it needs a comma.
    private var arrayStart = 0

    /// The errors of a group, from `start` to the end of the text.
    struct ErrorGroup {
        fileprivate let start: Int
        fileprivate let outerArrayStart: Int
    }

    mutating func begin() {
        out.append(#"{"valid":false,"errors":["#)
        arrayStart = out.count
    }

    mutating func release() {
        out.release()
        spare.release()
    }

    mutating func beginGroup() -> ErrorGroup {
        let group = ErrorGroup(start: out.count, outerArrayStart: arrayStart)
        arrayStart = out.count
        return group
    }

    /// Closes the group; its errors stay until they are nested (`writeError(…nested:)`) or discarded.
    mutating func endGroup(_ group: ErrorGroup) {
        arrayStart = group.outerArrayStart
    }

    mutating func discard(_ group: ErrorGroup) {
        out.truncate(to: group.start)
    }

    /// One error object, of `keyword` (the keyword being checked; nil for a false schema).
    /// Its keyword location is `keywordLocation` and then `keyword`; `absoluteBase` (the URI of
    /// the schema that holds the keyword, when the path crossed a reference, escaped for JSON) is
    /// completed with the keyword too. `message` is escaped (`MessageText.json`); `nested`, an
    /// ended group, becomes its "errors" (or nothing, when the group is empty).
    mutating func writeError(instanceLocation: PointerText, keywordLocation: PointerText, keyword: PointerText.Token?,
                             absoluteBase: [UInt8]?, message: [UInt8], nested: ErrorGroup? = nil) {
        var children = 0
        if let nested, nested.start < out.count {
            // The parent's fields come first in the text: the children step aside meanwhile.
            spare.truncate(to: 0)
            spare.append(bytes: UnsafeBufferPointer(rebasing: out.written[nested.start...]))
            out.truncate(to: nested.start)
            children = spare.count
        }
        if out.count > arrayStart { out.append(UInt8(ascii: ",")) }
        out.append(#"{"instanceLocation":""#)
        write(instanceLocation)
        out.append(#"","keywordLocation":""#)
        write(keywordLocation)
        if let keyword { write(keyword) }
        out.append(UInt8(ascii: "\""))
        if let absoluteBase {
            out.append(#","absoluteKeywordLocation":""#)
            absoluteBase.withUnsafeBufferPointer { out.append(bytes: $0) }
            if let keyword { write(keyword) }
            out.append(UInt8(ascii: "\""))
        }
        out.append(#","keyword":""#)
        if let keyword { keyword.jsonName.withUnsafeBufferPointer { out.append(bytes: $0) } } else { out.append("false") }
        out.append(UInt8(ascii: "\""))
        out.append(#","message":""#)
        message.withUnsafeBufferPointer { out.append(bytes: $0) }
        out.append(UInt8(ascii: "\""))
        if children > 0 {
            out.append(#","errors":["#)
            out.append(bytes: UnsafeBufferPointer(rebasing: spare.written[..<children]))
            out.append(UInt8(ascii: "]"))
        }
        out.append(UInt8(ascii: "}"))
    }

    /// A keyword's path step, as a location's last.
    private mutating func write(_ step: PointerText.Token) {
        step.text.withUnsafeBufferPointer { text in
            if step.needsJSONEscape { JSONSerializer.writeEscaped(text, to: &out) } else { out.append(bytes: text) }
        }
    }

    private mutating func write(_ location: PointerText) {
        if location.needsJSONEscape {
            JSONSerializer.writeEscaped(location.written, to: &out)
        } else {
            out.append(bytes: location.written)
        }
    }

    /// Closes the report and hands its text to `body`; valid only inside it.
    mutating func finish(_ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        out.append(UInt8(ascii: "]"))
        out.append(UInt8(ascii: "}"))
        body(out.written)
    }
}
