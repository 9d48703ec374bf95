/// Which schema of the region a payload is checked against, and the wrapper schemas that let
/// one compiled validator check a whole request body (an array of candidates, an attachments
/// request) against the parts of the region's schema.
enum SchemaOperation: String, Sendable {
    case create, update
}

enum ValidationTarget: Hashable, Sendable {
    /// One candidate payload against the create or update schema.
    case candidate(SchemaOperation)
    /// The body of POST /candidates: an array of 1 to 10 create payloads [doc].
    case candidateBatch
    /// The body of POST /candidates/{id}/interactions: the create schema's `interactions`.
    case interactions
    /// The body of POST /candidates/{id}/attachments: {"field", "files"} [assumed shape].
    case attachments

    static let maxBatchSize = 10
    /// The attachment fields of a candidate [doc].
    static let attachmentFields = ["curriculumVitae", "otherAttachments"]
    private static let draft = "https://json-schema.org/draft/2020-12/schema"

    var operation: SchemaOperation {
        if case .candidate(let operation) = self { return operation }
        return .create
    }

    /// Under this URI the region's schema is known to the wrappers.
    static func regionURI(_ operation: SchemaOperation) -> String {
        "urn:onderwijsregio:region-schema:\(operation.rawValue)"
    }

    /// The schema to compile and the resources it needs; nil when the region's schema has no
    /// such part, which means there is nothing to check.
    func schemaDocument(region: JSONValue) -> (schema: JSONValue, resources: [String: JSONValue])? {
        let base = ValidationTarget.regionURI(operation)
        let properties = region["properties"]?.objectValue
        func reference(_ pointer: String) -> JSONValue { .object(JSONObject([("$ref", .string(base + pointer))])) }
        func object(_ pairs: [(String, JSONValue)]) -> JSONValue { .object(JSONObject([("$schema", .string(ValidationTarget.draft))] + pairs)) }
        switch self {
        case .candidate:
            return (region, [:])
        case .candidateBatch:
            return (object([
                ("type", .string("array")),
                ("minItems", .number(JSONNumber(1))),
                ("maxItems", .number(JSONNumber(ValidationTarget.maxBatchSize))),
                ("items", reference("")),
            ]), [base: region])
        case .interactions:
            guard properties?["interactions"] != nil else { return nil }
            return (object([
                ("type", .string("array")),
                ("minItems", .number(JSONNumber(1))),
                ("$ref", .string(base + "#/properties/interactions")),
            ]), [base: region])
        case .attachments:
            let fields = ValidationTarget.attachmentFields.filter { properties?[$0] != nil }
            guard !fields.isEmpty else { return nil }
            let perField: [JSONValue] = fields.map { field in
                .object(JSONObject([
                    ("if", .object(JSONObject([("properties", .object(JSONObject([("field", .object(JSONObject([("const", .string(field))])))])))]))),
                    ("then", .object(JSONObject([("properties", .object(JSONObject([("files", reference("#/properties/\(field)"))])))]))),
                ]))
            }
            return (object([
                ("type", .string("object")),
                ("required", .array([.string("field"), .string("files")])),
                ("additionalProperties", .bool(false)),
                ("properties", .object(JSONObject([
                    ("field", .object(JSONObject([("enum", .array(fields.map { .string($0) }))]))),
                    ("files", .object(JSONObject([("type", .string("array")), ("minItems", .number(JSONNumber(1)))]))),
                ]))),
                ("allOf", .array(perField)),
            ]), [base: region])
        }
    }
}
