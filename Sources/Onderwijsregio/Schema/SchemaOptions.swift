/// How a schema is compiled and how its instances are validated.
public struct SchemaOptions: Sendable {
    /// Extra schema documents by URI, for `$ref`s to schemas that are not embedded: compiling
    /// never fetches anything.
    public var resources: [String: JSONValue] = [:]
    /// Whether `format` is an assertion (the default: the service enforces formats) or only an
    /// annotation, as the 2020-12 default vocabulary has it.
    public var formatAssertion = true
    /// The draft of a schema without `$schema`.
    public var defaultDraft: SchemaDraft = .draft2020_12
    /// Stop at the first error: answers valid/invalid fastest, the report then holds one error.
    public var stopAtFirstError = false
    /// Nesting limit for instances parsed by the library.
    public var maxDepth = JSONParseOptions.defaultMaxDepth
    /// Check the schema against its draft's metaschema before compiling it.
    public var validateSchema = true
    /// The language of the report's messages.
    public var language = MessageLanguage.english

    public init() {}
}

/// Why a schema could not be compiled.
public struct SchemaCompileError: Error, Sendable, CustomStringConvertible {
    public let message: String
    /// Where in the schema document (a JSON Pointer), when known.
    public let location: String?

    init(_ message: String, at location: String? = nil) {
        self.message = message
        self.location = location
    }

    public var description: String {
        guard let location else { return message }
        return "\(message) (at '\(location)')"
    }
}
