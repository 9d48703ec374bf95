/// One reason an instance is not valid, in the shape of the JSON Schema "basic" output unit.
public struct SchemaValidationError: Sendable {
    /// Where in the instance.
    public let instanceLocation: JSONPointer
    /// The keyword's path through the schema as evaluated (through `$ref`s).
    public let keywordLocation: JSONPointer
    /// The keyword's URI, when the path crossed a `$ref` (then it differs from the above).
    public let absoluteKeywordLocation: String?
    public let keyword: String
    /// An English sentence about the instance value ("must be one of: new, matching").
    public let message: String
    /// For `anyOf`, `oneOf` and `not`: the errors of the branches.
    public let errors: [SchemaValidationError]

    /// Writes this error as a JSON object straight into `out`: reports are written often
    /// (every invalid form submission), so no intermediate JSON tree is built.
    func write(to out: inout JSONTextWriter) {
        out.append(#"{"instanceLocation":""#)
        instanceLocation.writeJSONStringContents(to: &out)
        out.append(#"","keywordLocation":""#)
        keywordLocation.writeJSONStringContents(to: &out)
        out.append(UInt8(ascii: "\""))
        if let absoluteKeywordLocation {
            out.append(#","absoluteKeywordLocation":"#)
            JSONSerializer.writeString(absoluteKeywordLocation, to: &out)
        }
        out.append(#","keyword":"#)
        JSONSerializer.writeString(keyword, to: &out)
        out.append(#","message":"#)
        JSONSerializer.writeString(message, to: &out)
        if !errors.isEmpty {
            out.append(#","errors":"#)
            Self.write(errors, to: &out)
        }
        out.append(UInt8(ascii: "}"))
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
