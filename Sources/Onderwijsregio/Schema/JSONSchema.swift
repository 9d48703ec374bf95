/// A compiled JSON Schema (2020-12, draft-07 or draft-04). Compile once, validate many times:
/// it is immutable, so one instance may be used by many threads at once.
public final class JSONSchema: Sendable {
    let root: SchemaNode
    /// Owns every node of the graph, whose edges do not retain.
    let nodes: [SchemaNode]
    /// Whether any `$dynamicRef` can be reached: only then is the dynamic scope kept.
    let usesDynamicReferences: Bool
    public let draft: SchemaDraft
    public let options: SchemaOptions

    public init(_ schema: JSONValue, options: SchemaOptions = SchemaOptions()) throws(SchemaCompileError) {
        let compiler = SchemaCompiler(options: options)
        let draft = try compiler.draft(of: schema)
        if options.validateSchema {
            try Self.checkAgainstMetaschema(schema, draft: draft, name: nil)
            // Registered resources are schemas too; those in an unsupported dialect are refused
            // only if a reference leads into them (the compiler sees to that).
            for (uri, resource) in options.resources.sorted(by: { $0.key < $1.key }) {
                guard let resourceDraft = try? SchemaCompiler(options: options).draft(of: resource) else { continue }
                try Self.checkAgainstMetaschema(resource, draft: resourceDraft, name: uri)
            }
        }
        self.root = try compiler.compile(root: schema)
        self.nodes = compiler.compiledNodes
        self.usesDynamicReferences = nodes.contains { node in
            node.keywords.contains { if case .dynamicReference = $0.kind { return true } else { return false } }
        }
        self.draft = draft
        self.options = options
    }

    private static func checkAgainstMetaschema(_ schema: JSONValue, draft: SchemaDraft, name: String?) throws(SchemaCompileError) {
        guard let metaschema = metaschema(for: draft) else { return }
        let result: SchemaValidationResult
        do throws(SchemaEvaluationError) {
            result = try metaschema.validate(schema)
        } catch {
            throw SchemaCompileError("the schema could not be checked against its metaschema: \(error.message)")
        }
        guard let first = result.errors.first else { return }
        let more = result.errors.count > 1 ? " (and \(result.errors.count - 1) more problems)" : ""
        let what = name.map { "the resource \($0) is" } ?? "the schema is"
        throw SchemaCompileError("\(what) not a valid \(draft.rawValue) schema: '\(first.instanceLocation)' \(deepest(first).message)\(more)",
                                 at: name == nil ? first.instanceLocation.description : nil)
    }

    /// Validates `instance`; the result lists every error (or only the first, with
    /// `stopAtFirstError`). Throws only when validation cannot finish: a regular expression that
    /// exceeds its backtracking limit, or a cyclic `$ref` that never consumes the instance.
    public func validate(_ instance: JSONValue) throws(SchemaEvaluationError) -> SchemaValidationResult {
        try validate(try Self.tape(of: instance))
    }

    /// Only whether `instance` is valid: the fastest check.
    public func isValid(_ instance: JSONValue) throws(SchemaEvaluationError) -> Bool {
        try isValid(try Self.tape(of: instance))
    }

    /// `validate` for a document parsed straight into a tape: the fast way from bytes.
    public func validate(_ instance: JSONTape) throws(SchemaEvaluationError) -> SchemaValidationResult {
        var result = SchemaValidationResult.valid
        try report(instance) { result = SchemaValidationResult(invalidReport: Array($0)) }
        return result
    }

    /// Hands the report of an invalid instance (`SchemaValidationResult.report`) to `body`,
    /// without a copy and valid only inside it; `body` is not called when the instance is valid.
    /// What the C ABI and the client return: no `SchemaValidationError` values are made.
    /// (Not generic: the C ABI calls it from another module, where a generic would not be specialized.)
    package func report(_ instance: JSONTape, to body: (UnsafeBufferPointer<UInt8>) -> Void) throws(SchemaEvaluationError) {
        try instance.withView { (tape) throws(SchemaEvaluationError) in
            if try verdict(tape) { return }
            var collecting = SchemaEvaluator(tape: tape, collecting: true, stopAtFirstError: options.stopAtFirstError,
                                             tracksDynamicScope: usesDynamicReferences, language: options.language)
            defer { collecting.release() }
            collecting.beginReport()
            var none: EvaluatedSet? = nil
            _ = collecting.evaluate(root, 0, evaluated: &none)
            if let abort = collecting.abort { throw Self.describe(abort) }
            collecting.finishReport(body)
        }
    }

    package func report(_ instance: JSONValue, to body: (UnsafeBufferPointer<UInt8>) -> Void) throws(SchemaEvaluationError) {
        try report(try Self.tape(of: instance), to: body)
    }

    public func isValid(_ instance: JSONTape) throws(SchemaEvaluationError) -> Bool {
        try instance.withView { (tape) throws(SchemaEvaluationError) -> Bool in try verdict(tape) }
    }

    /// The verdict alone: stops at the first failure and builds no report.
    private func verdict(_ tape: JSONTapeView) throws(SchemaEvaluationError) -> Bool {
        var fast = SchemaEvaluator(tape: tape, collecting: false, stopAtFirstError: true, tracksDynamicScope: usesDynamicReferences)
        defer { fast.release() }
        var none: EvaluatedSet? = nil
        let valid = fast.evaluate(root, 0, evaluated: &none)
        if let abort = fast.abort { throw Self.describe(abort) }
        return valid
    }

    private static func tape(of instance: JSONValue) throws(SchemaEvaluationError) -> JSONTape {
        guard let tape = JSONTape(instance) else {
            throw SchemaEvaluationError(message: "the instance is too large to validate (more than 2 GiB)")
        }
        return tape
    }

    private static func describe(_ abort: SchemaEvaluator.Abort) -> SchemaEvaluationError {
        switch abort {
        case .regexLimit(let pattern):
            return SchemaEvaluationError(message: "the pattern \(pattern) exceeded its backtracking limit on this input (catastrophic backtracking); validation stopped")
        case .stackExhausted:
            return SchemaEvaluationError(message: "schema evaluation nested too deep for the calling thread's stack (a cyclic $ref, or a very deep instance); validation stopped")
        case .recursion(let limit):
            return SchemaEvaluationError(message: "schema evaluation nested deeper than \(limit) levels without consuming the instance (a cyclic $ref?)")
        }
    }

    private static func deepest(_ error: SchemaValidationError) -> SchemaValidationError {
        error.errors.first.map(deepest) ?? error
    }

    /// The metaschemas, compiled once per process on first use.
    private static func metaschema(for draft: SchemaDraft) -> JSONSchema? {
        switch draft {
        case .draft4: return draft4Metaschema
        case .draft7: return draft7Metaschema
        case .draft2020_12: return draft2020Metaschema
        }
    }

    private static let draft4Metaschema = compileMetaschema(.draft4)
    private static let draft7Metaschema = compileMetaschema(.draft7)
    private static let draft2020Metaschema = compileMetaschema(.draft2020_12)

    private static func compileMetaschema(_ draft: SchemaDraft) -> JSONSchema? {
        guard let text = Metaschemas.document(for: draft.metaschemaURI), let document = try? JSONParser.parse(text) else { return nil }
        var options = SchemaOptions()
        options.validateSchema = false
        options.formatAssertion = false
        options.defaultDraft = draft
        return try? JSONSchema(document, options: options)
    }
}

extension Metaschemas {
    /// The embedded document for a URI, with or without an empty fragment.
    static func document(for uri: String) -> String? {
        let wanted = uri.hasSuffix("#") ? String(uri.dropLast()) : uri
        return documents.first { $0.uri == wanted }?.json
    }
}
