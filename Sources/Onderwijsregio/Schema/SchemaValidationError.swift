/// One reason an instance is not valid, in the shape of the JSON Schema "basic" output unit.
/// Read back from the report the evaluator wrote (`SchemaValidationResult.report`).
public struct SchemaValidationError: Sendable {
    /// Where in the instance.
    public let instanceLocation: JSONPointer
    /// The keyword's path through the schema as evaluated (through `$ref`s).
    public let keywordLocation: JSONPointer
    /// The keyword's URI, when the path crossed a `$ref` (then it differs from `keywordLocation`).
    public let absoluteKeywordLocation: String?
    public let keyword: String
    /// An English (or Dutch) sentence about the instance value ("must be one of: new, matching").
    public let message: String
    /// For `anyOf` and `oneOf` that no branch satisfies: the errors of the branches.
    public let errors: [SchemaValidationError]

    /// One error object of a report. The evaluator wrote it, so every field is there; a missing
    /// one reads as empty rather than trapping.
    init(reportEntry entry: JSONValue) {
        instanceLocation = entry["instanceLocation"]?.stringValue.flatMap(JSONPointer.init) ?? JSONPointer()
        keywordLocation = entry["keywordLocation"]?.stringValue.flatMap(JSONPointer.init) ?? JSONPointer()
        absoluteKeywordLocation = entry["absoluteKeywordLocation"]?.stringValue
        keyword = entry["keyword"]?.stringValue ?? ""
        message = entry["message"]?.stringValue ?? ""
        errors = (entry["errors"]?.arrayValue ?? []).map(SchemaValidationError.init(reportEntry:))
    }
}

/// The outcome of validating one instance.
public struct SchemaValidationResult: Sendable {
    public let isValid: Bool
    public let errors: [SchemaValidationError]
    /// `{"valid": …, "errors": […]}` as UTF-8 JSON text.
    public let report: [UInt8]

    static let valid = SchemaValidationResult(isValid: true, errors: [], report: Array(#"{"valid":true,"errors":[]}"#.utf8))

    private init(isValid: Bool, errors: [SchemaValidationError], report: [UInt8]) {
        self.isValid = isValid
        self.errors = errors
        self.report = report
    }

    /// The errors read back from the report of an invalid instance. Reports nest two levels per
    /// anyOf/oneOf and may outgrow the limits meant for input; past the parser's depth ceiling
    /// (thousands of nested alternatives) `errors` stays empty and `report` says it all.
    init(invalidReport report: [UInt8]) {
        let limits = JSONParseOptions(maxDepth: JSONParseOptions.maxDepthCeiling, maxBytes: Int.max)
        let entries = (try? JSONParser.parse(report, options: limits))?["errors"]?.arrayValue ?? []
        self.init(isValid: false, errors: entries.map(SchemaValidationError.init(reportEntry:)), report: report)
    }
}

/// A validation that could not be completed (the instance is neither valid nor invalid).
public struct SchemaEvaluationError: Error, Sendable, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}
