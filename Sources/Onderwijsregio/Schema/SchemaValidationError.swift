/// One reason an instance is not valid, in the shape of the JSON Schema "basic" output unit.
public struct SchemaValidationError: Sendable {
    /// The message and then the instance location and keyword location (the text of their
    /// string forms), one after the other in UTF-8: what the evaluator had at hand, in the one
    /// array the message was written into, and what a report copies.
    private let text: [UInt8]
    private let instanceStart: Int
    private let keywordStart: Int
    /// Whether either location holds a byte that JSON text must escape (rarely: a key with a quote).
    private let locationsNeedEscaping: Bool

    /// The keyword's URI, when the path crossed a `$ref` (then it differs from `keywordLocation`).
    public let absoluteKeywordLocation: String?
    public let keyword: String
    /// For `anyOf` and `oneOf` that no branch satisfies: the errors of the branches.
    public let errors: [SchemaValidationError]

    init(instanceLocation: PointerText, keywordLocation: PointerText, absoluteKeywordLocation: String?, keyword: String,
         message: consuming MessageText, errors: [SchemaValidationError]) {
        var text = (consume message).utf8
        instanceStart = text.count
        text.append(contentsOf: instanceLocation.written)
        keywordStart = text.count
        text.append(contentsOf: keywordLocation.written)
        self.text = text
        locationsNeedEscaping = instanceLocation.needsJSONEscape || keywordLocation.needsJSONEscape
        self.absoluteKeywordLocation = absoluteKeywordLocation
        self.keyword = keyword
        self.errors = errors
    }

    /// Where in the instance.
    public var instanceLocation: JSONPointer { pointer(text[instanceStart..<keywordStart]) }
    /// The keyword's path through the schema as evaluated (through `$ref`s).
    public var keywordLocation: JSONPointer { pointer(text[keywordStart...]) }
    /// An English (or Dutch) sentence about the instance value ("must be one of: new, matching").
    public var message: String { String(decoding: text[..<instanceStart], as: UTF8.self) }

    /// The texts come from `PointerText`, so they always parse; the empty pointer is only a
    /// fallback that keeps this getter total.
    private func pointer(_ text: ArraySlice<UInt8>) -> JSONPointer {
        JSONPointer(String(decoding: text, as: UTF8.self)) ?? JSONPointer()
    }

    /// Writes this error as a JSON object straight into `out`: reports are written often
    /// (every invalid form submission), so no intermediate JSON tree is built.
    func write(to out: inout JSONTextWriter) {
        out.append(#"{"instanceLocation":""#)
        writeLocation(instanceStart..<keywordStart, to: &out)
        out.append(#"","keywordLocation":""#)
        writeLocation(keywordStart..., to: &out)
        out.append(UInt8(ascii: "\""))
        if let absoluteKeywordLocation {
            out.append(#","absoluteKeywordLocation":"#)
            JSONSerializer.writeString(absoluteKeywordLocation, to: &out)
        }
        out.append(#","keyword":"#)
        JSONSerializer.writeString(keyword, to: &out)
        out.append(#","message":""#)
        text.withUnsafeBufferPointer { JSONSerializer.writeEscaped(UnsafeBufferPointer(rebasing: $0[..<instanceStart]), to: &out) }
        out.append(UInt8(ascii: "\""))
        if !errors.isEmpty {
            out.append(#","errors":"#)
            Self.write(errors, to: &out)
        }
        out.append(UInt8(ascii: "}"))
    }

    private func writeLocation<Range: RangeExpression<Int>>(_ range: Range, to out: inout JSONTextWriter) {
        text.withUnsafeBufferPointer { text in
            let location = UnsafeBufferPointer(rebasing: text[range])
            if locationsNeedEscaping {
                JSONSerializer.writeEscaped(location, to: &out)
            } else {
                out.append(bytes: location)
            }
        }
    }

    static func write(_ errors: [SchemaValidationError], to out: inout JSONTextWriter) {
        out.append(UInt8(ascii: "["))
        for (i, error) in errors.enumerated() {
            if i > 0 { out.append(UInt8(ascii: ",")) }
            error.write(to: &out)
        }
        out.append(UInt8(ascii: "]"))
    }
}

/// The outcome of validating one instance.
public struct SchemaValidationResult: Sendable {
    public let errors: [SchemaValidationError]
    public var isValid: Bool { errors.isEmpty }

    /// `{"valid": …, "errors": […]}` as UTF-8 JSON text.
    public var report: [UInt8] {
        var out = JSONTextWriter(capacity: 128 + errors.count * 256)
        out.append(isValid ? #"{"valid":true,"errors":"# : #"{"valid":false,"errors":"#)
        SchemaValidationError.write(errors, to: &out)
        out.append(UInt8(ascii: "}"))
        return out.finish()
    }
}

/// A validation that could not be completed (the instance is neither valid nor invalid).
public struct SchemaEvaluationError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
