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

    var json: JSONValue {
        var object = JSONObject()
        object["instanceLocation"] = .string(instanceLocation.description)
        object["keywordLocation"] = .string(keywordLocation.description)
        if let absoluteKeywordLocation { object["absoluteKeywordLocation"] = .string(absoluteKeywordLocation) }
        object["keyword"] = .string(keyword)
        object["message"] = .string(message)
        if !errors.isEmpty { object["errors"] = .array(errors.map(\.json)) }
        return .object(object)
    }
}

/// The outcome of validating one instance.
public struct SchemaValidationResult: Sendable {
    public let errors: [SchemaValidationError]
    public var isValid: Bool { errors.isEmpty }

    /// `{"valid": …, "errors": […]}`.
    public var report: JSONValue {
        var object = JSONObject()
        object["valid"] = .bool(isValid)
        object["errors"] = .array(errors.map(\.json))
        return .object(object)
    }
}

/// A validation that could not be completed (the instance is neither valid nor invalid).
public struct SchemaEvaluationError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
