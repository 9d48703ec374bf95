/// Turns schema documents into a graph of `SchemaNode`s: finds every resource (`$id`) and
/// anchor first, then compiles nodes on demand from the root, following `$ref`s. Each schema
/// location is compiled once, so cyclic references become cycles in the graph, not recursion.
final class SchemaCompiler {
    /// A schema resource's root document and the dialect it is written in.
    struct ResourceEntry {
        let value: JSONValue
        let draft: SchemaDraft
        let vocabularies: Vocabularies
        let resource: SchemaResource
        /// Why a registered document cannot be used as a schema (an unsupported `$schema`):
        /// an error only if a reference actually leads into it.
        var unusable: SchemaCompileError? = nil
    }

    /// A schema location: the resource it belongs to and a JSON Pointer from the resource's root.
    struct Location: Hashable {
        let resource: String
        let pointer: JSONPointer

        var key: String { "\(resource)#\(pointer)" }
    }

    let options: SchemaOptions
    private var resources: [String: ResourceEntry] = [:]
    private var anchors: [String: Location] = [:]
    /// Every scanned schema position as seen from each enclosing resource, to its canonical
    /// location (the innermost resource), so "outer#/$defs/x" and "inner#" are one node.
    private var aliases: [String: Location] = [:]
    private var dynamicAnchorLocations: [String: [(resource: String, location: Location)]] = [:]
    private var nodes: [String: SchemaNode] = [:]
    /// Locations whose nodes exist but still have to be filled in.
    private var pending: [(SchemaNode, Location)] = []

    /// The root schema's resource: errors elsewhere name the resource they are in.
    private var rootURI = SchemaCompiler.defaultBaseURI

    /// Base URI of a root schema without `$id`.
    static let defaultBaseURI = "urn:onderwijsregio:schema"

    init(options: SchemaOptions) {
        self.options = options
    }

    /// Compiles `root` and everything it references.
    func compile(root: JSONValue) throws(SchemaCompileError) -> SchemaNode {
        for (uri, document) in options.resources {
            try addDocument(document, uri: URIReference(uri).withoutFragment.text, registeredByCaller: true)
        }
        let rootURI = try addDocument(root, uri: Self.defaultBaseURI)
        self.rootURI = rootURI
        let node = try node(at: Location(resource: rootURI, pointer: JSONPointer()))
        while let (pendingNode, location) = pending.popLast() {
            try fill(pendingNode, at: location)
        }
        return node
    }

    /// The draft the root document is written in.
    func draft(of root: JSONValue) throws(SchemaCompileError) -> SchemaDraft {
        try dialect(of: root, inherited: options.defaultDraft).draft
    }

    // MARK: - Documents, resources and anchors

    /// Registers a document; returns the URI of its root resource.
    @discardableResult
    private func addDocument(_ document: JSONValue, uri: String, registeredByCaller: Bool = false) throws(SchemaCompileError) -> String {
        let draft: SchemaDraft
        let vocabularies: Vocabularies
        var unusable: SchemaCompileError?
        do throws(SchemaCompileError) {
            (draft, vocabularies) = try dialect(of: document, inherited: options.defaultDraft)
        } catch {
            guard registeredByCaller else { throw error }
            (draft, vocabularies, unusable) = (options.defaultDraft, .all, SchemaCompileError("resource \(uri): \(error.message)"))
        }
        var rootURI = uri
        if case .object(let object) = document, case .string(let id)? = object[draft.idKeyword],
           !(draft.refOverridesSiblings && object["$ref"] != nil), !(draft.idMayBeAnchor && id.hasPrefix("#")) {
            rootURI = URIReference(id).resolved(against: URIReference(uri)).withoutFragment.text
        }
        if resources[rootURI] != nil { return rootURI }
        resources[rootURI] = ResourceEntry(value: document, draft: draft, vocabularies: vocabularies, resource: SchemaResource(uri: rootURI), unusable: unusable)
        if rootURI != uri && resources[uri] == nil {
            // The document is also reachable under the URI it was registered with.
            aliases[Location(resource: uri, pointer: JSONPointer()).key] = Location(resource: rootURI, pointer: JSONPointer())
        }
        scan(document, pointer: JSONPointer(), scopes: [(rootURI, JSONPointer())], draft: draft, isResourceRoot: true)
        return rootURI
    }

    /// The draft and vocabularies of a resource: from `$schema`, else inherited.
    private func dialect(of document: JSONValue, inherited: SchemaDraft) throws(SchemaCompileError) -> (draft: SchemaDraft, vocabularies: Vocabularies) {
        guard case .string(let uri)? = document["$schema"] else { return (inherited, .all) }
        if let draft = SchemaDraft(metaschemaURI: uri) { return (draft, .all) }
        // A custom metaschema: its own `$schema` gives the draft, its `$vocabulary` the keywords.
        let metaURI = URIReference(uri).withoutFragment.text
        guard let metaschema = options.resources[metaURI] ?? options.resources[uri] else {
            throw SchemaCompileError("unknown $schema \"\(uri)\": not a supported draft (2020-12, draft-07, draft-04) and not a registered resource", at: "/$schema")
        }
        guard case .string(let metaDialect)? = metaschema["$schema"], let draft = SchemaDraft(metaschemaURI: metaDialect) else {
            throw SchemaCompileError("the metaschema \"\(uri)\" does not declare a supported draft in its $schema", at: "/$schema")
        }
        guard draft == .draft2020_12, case .object(let declared)? = metaschema["$vocabulary"] else { return (draft, .all) }
        var vocabularies: Vocabularies = []
        for member in declared.members {
            if let known = Vocabularies.named(member.key) {
                vocabularies.formUnion(known)
            } else if member.value == .bool(true) {
                throw SchemaCompileError("the metaschema \"\(uri)\" requires the unknown vocabulary \"\(member.key)\"", at: "/$schema")
            }
        }
        return (draft, vocabularies)
    }

    /// Walks the subschemas of `value`, registering embedded resources, anchors and aliases.
    private func scan(_ value: JSONValue, pointer: JSONPointer, scopes: [(uri: String, pointer: JSONPointer)], draft: SchemaDraft, isResourceRoot: Bool) {
        guard case .object(let object) = value else { return }
        var scopes = scopes
        var draft = draft
        guard var current = scopes.last else { return }
        let refHidesSiblings = draft.refOverridesSiblings && object["$ref"] != nil
        if !isResourceRoot, !refHidesSiblings, case .string(let id)? = object[draft.idKeyword], !(draft.idMayBeAnchor && id.hasPrefix("#")) {
            let uri = URIReference(id).resolved(against: URIReference(current.uri)).withoutFragment.text
            if case .string(let schemaURI)? = object["$schema"], let declared = SchemaDraft(metaschemaURI: schemaURI) { draft = declared }
            if resources[uri] == nil {
                resources[uri] = ResourceEntry(value: value, draft: draft, vocabularies: .all, resource: SchemaResource(uri: uri))
            }
            current = (uri, JSONPointer())
            scopes.append(current)
        }
        let canonical = Location(resource: current.uri, pointer: current.pointer)
        for scope in scopes.dropLast() {
            aliases[Location(resource: scope.uri, pointer: scope.pointer).key] = canonical
        }
        if !refHidesSiblings, draft.idMayBeAnchor, case .string(let id)? = object[draft.idKeyword], id.hasPrefix("#"), id.count > 1 {
            anchors["\(current.uri)\(id)"] = canonical
        }
        if draft == .draft2020_12 {
            if case .string(let anchor)? = object["$anchor"] { anchors["\(current.uri)#\(anchor)"] = canonical }
            if case .string(let anchor)? = object["$dynamicAnchor"] {
                anchors["\(current.uri)#\(anchor)"] = canonical
                dynamicAnchorLocations[anchor, default: []].append((current.uri, canonical))
            }
        }
        for (keyword, child) in Self.subschemas(of: object, draft: draft) {
            let childScopes = scopes.map { (uri: $0.uri, pointer: $0.pointer.appending(contentsOf: keyword)) }
            scan(child, pointer: pointer.appending(contentsOf: keyword), scopes: childScopes, draft: draft, isResourceRoot: false)
        }
    }

    /// The subschemas of a schema object with their paths, per the draft's applicator keywords.
    static func subschemas(of object: JSONObject, draft: SchemaDraft) -> [([String], JSONValue)] {
        var found: [([String], JSONValue)] = []
        for member in object.members {
            switch member.key {
            case "additionalItems", "additionalProperties", "not", "contains", "propertyNames", "if", "then", "else",
                 "unevaluatedItems", "unevaluatedProperties", "contentSchema":
                found.append(([member.key], member.value))
            case "items":
                if case .array(let schemas) = member.value {
                    for (i, schema) in schemas.enumerated() { found.append((["items", String(i)], schema)) }
                } else {
                    found.append((["items"], member.value))
                }
            case "allOf", "anyOf", "oneOf", "prefixItems":
                if case .array(let schemas) = member.value {
                    for (i, schema) in schemas.enumerated() { found.append(([member.key, String(i)], schema)) }
                }
            case "properties", "patternProperties", "$defs", "definitions", "dependentSchemas", "dependencies":
                if case .object(let map) = member.value {
                    for entry in map.members where entry.value.objectValue != nil || entry.value.isBoolean {
                        found.append(([member.key, entry.key], entry.value))
                    }
                }
            default:
                break
            }
        }
        return found
    }

    // MARK: - References

    /// The canonical location a reference (resolved against `base`) designates.
    private func resolve(_ reference: String, base: String, at location: Location, keyword: String) throws(SchemaCompileError) -> Location {
        let target = URIReference(reference).resolved(against: URIReference(base))
        let resourceURI = target.withoutFragment.text
        try loadResource(resourceURI, reference: reference, location: location, keyword: keyword)
        let fragment = target.fragment ?? ""
        if fragment.isEmpty {
            return canonical(Location(resource: resourceURI, pointer: JSONPointer()))
        }
        if fragment.hasPrefix("/") {
            guard let decoded = URIReference.percentDecoded(fragment), let pointer = JSONPointer(decoded) else {
                throw SchemaCompileError("\(keyword) \"\(reference)\" has a malformed JSON Pointer fragment", at: location.pointer.appending(keyword).description)
            }
            return canonical(Location(resource: resourceURI, pointer: pointer))
        }
        guard let anchored = anchors["\(resourceURI)#\(fragment)"] else {
            throw SchemaCompileError("\(keyword) \"\(reference)\" cannot be resolved: no anchor \"\(fragment)\" in \(resourceURI)", at: location.pointer.appending(keyword).description)
        }
        return anchored
    }

    /// Makes sure the resource is known: registered, embedded, or one of the metaschemas.
    private func loadResource(_ uri: String, reference: String, location: Location, keyword: String) throws(SchemaCompileError) {
        if resources[uri] != nil || aliases[Location(resource: uri, pointer: JSONPointer()).key] != nil { return }
        if let text = Metaschemas.document(for: uri) {
            do {
                let document = try JSONParser.parse(text)
                try addDocument(document, uri: uri)
                return
            } catch {
                throw SchemaCompileError("the embedded metaschema \(uri) does not parse: \(error)")
            }
        }
        throw SchemaCompileError(
            "\(keyword) \"\(reference)\" cannot be resolved: \(uri) is not a known schema (register it in the \"resources\" option; nothing is fetched)",
            at: location.pointer.appending(keyword).description)
    }

    private func canonical(_ location: Location) -> Location {
        if location.pointer.tokens.isEmpty, let aliased = aliases[location.key] { return aliased }
        if let aliased = aliases[location.key] { return aliased }
        // A pointer through an aliased prefix ("outer#/$defs/inner/properties/x").
        var tokens = location.pointer.tokens
        var suffix: [String] = []
        while !tokens.isEmpty {
            suffix.insert(tokens.removeLast(), at: 0)
            if let aliased = aliases[Location(resource: location.resource, pointer: JSONPointer(tokens: tokens)).key] {
                return Location(resource: aliased.resource, pointer: aliased.pointer.appending(contentsOf: suffix))
            }
        }
        return location
    }

    // MARK: - Nodes

    /// The node of a location: created at once (so cycles close), filled in later.
    private func node(at location: Location) throws(SchemaCompileError) -> SchemaNode {
        let location = canonical(location)
        if let existing = nodes[location.key] { return existing }
        guard let entry = resources[location.resource] else {
            throw SchemaCompileError("no schema resource \(location.resource)")
        }
        let node = SchemaNode(resource: entry.resource, absoluteLocation: location.key)
        nodes[location.key] = node
        pending.append((node, location))
        return node
    }

    private func value(at location: Location) throws(SchemaCompileError) -> (JSONValue, ResourceEntry) {
        guard let entry = resources[location.resource] else {
            throw SchemaCompileError("no schema resource \(location.resource)")
        }
        guard let value = location.pointer.resolve(in: entry.value) else {
            throw SchemaCompileError("reference target \(location.key) does not exist")
        }
        return (value, entry)
    }

    private func fill(_ node: SchemaNode, at location: Location) throws(SchemaCompileError) {
        let (value, entry) = try value(at: location)
        if let unusable = entry.unusable { throw unusable }
        switch value {
        case .bool(let constant):
            node.constant = constant
            return
        case .object(let object):
            node.keywords = try compileKeywords(object, at: location, entry: entry)
            node.tracksEvaluation = node.keywords.contains {
                if case .unevaluatedProperties = $0.kind { return true }
                if case .unevaluatedItems = $0.kind { return true }
                return false
            }
        default:
            throw SchemaCompileError("a schema must be an object or a boolean, not \(value.typeName)", at: location.pointer.description)
        }
    }

    private func child(_ location: Location, _ path: String...) throws(SchemaCompileError) -> NodeRef {
        NodeRef(try node(at: Location(resource: location.resource, pointer: location.pointer.appending(contentsOf: path))))
    }

    /// Every node compiled: the compiled schema keeps them alive (edges do not retain).
    var compiledNodes: [SchemaNode] { Array(nodes.values) }

    // MARK: - Keywords

    private func compileKeywords(_ object: JSONObject, at location: Location, entry: ResourceEntry) throws(SchemaCompileError) -> [CompiledKeyword] {
        let draft = entry.draft
        let vocabularies = entry.vocabularies
        let base = location.resource
        var assertions: [CompiledKeyword] = []
        var applicators: [CompiledKeyword] = []
        var unevaluated: [CompiledKeyword] = []

        let place = location.resource == rootURI ? "" : "in \(location.resource): "
        func fail(_ keyword: String, _ message: String) -> SchemaCompileError {
            SchemaCompileError("\(place)\(keyword): \(message)", at: location.pointer.appending(keyword).description)
        }

        if let reference = object["$ref"] {
            guard case .string(let text) = reference else { throw fail("$ref", "must be a string") }
            let target = try resolve(text, base: base, at: location, keyword: "$ref")
            applicators.append(CompiledKeyword(name: "$ref", kind: .reference(NodeRef(try node(at: target)))))
            if draft.refOverridesSiblings { return applicators }
        }

        if draft == .draft2020_12, let reference = object["$dynamicRef"] {
            guard case .string(let text) = reference else { throw fail("$dynamicRef", "must be a string") }
            let targetLocation = try resolve(text, base: base, at: location, keyword: "$dynamicRef")
            let target = try node(at: targetLocation)
            var anchorName: String?
            let fragment = URIReference(text).fragment ?? ""
            if !fragment.isEmpty, !fragment.hasPrefix("/"), case .string(let declared)? = try value(at: targetLocation).0["$dynamicAnchor"], declared == fragment {
                anchorName = fragment
                for candidate in dynamicAnchorLocations[fragment] ?? [] {
                    let anchored = try node(at: candidate.location)
                    resources[candidate.resource]?.resource.dynamicAnchors[fragment] = NodeRef(anchored)
                }
            }
            applicators.append(CompiledKeyword(name: "$dynamicRef", kind: .dynamicReference(DynamicReference(target: NodeRef(target), dynamicAnchor: anchorName))))
        }

        if vocabularies.contains(.validation) {
            assertions += try compileAssertions(object, draft: draft, fail: fail)
        }
        // Unknown formats are annotations only: nothing to check.
        if vocabularies.contains(.format), options.formatAssertion, case .string(let name)? = object["format"],
           let format = FormatChecker.Format(rawValue: name) {
            assertions.append(CompiledKeyword(name: "format", kind: .format(format)))
        }
        if vocabularies.contains(.applicator) {
            applicators += try compileApplicators(object, at: location, draft: draft, fail: fail)
        }
        if draft == .draft2020_12, vocabularies.contains(.unevaluated) {
            if object["unevaluatedProperties"] != nil {
                unevaluated.append(CompiledKeyword(name: "unevaluatedProperties", kind: .unevaluatedProperties(try child(location, "unevaluatedProperties"))))
            }
            if object["unevaluatedItems"] != nil {
                unevaluated.append(CompiledKeyword(name: "unevaluatedItems", kind: .unevaluatedItems(try child(location, "unevaluatedItems"))))
            }
        }
        // Cheap assertions first (the fast path stops at the first failure); unevaluated* last,
        // after everything whose annotations they read.
        return assertions + applicators + unevaluated
    }

    private func compileAssertions(_ object: JSONObject, draft: SchemaDraft, fail: (String, String) -> SchemaCompileError) throws(SchemaCompileError) -> [CompiledKeyword] {
        var compiled: [CompiledKeyword] = []
        func count(_ keyword: String) throws(SchemaCompileError) -> Int? {
            guard let value = object[keyword] else { return nil }
            guard case .number(let number) = value, number.isInteger, !number.decimal.negative else {
                throw fail(keyword, "must be a non-negative integer")
            }
            // Absurd limits ("maxLength": 1e30) saturate instead of overflowing.
            return number.int64Value.map { Int(clamping: $0) } ?? Int.max
        }
        func number(_ keyword: String) throws(SchemaCompileError) -> JSONNumber? {
            guard let value = object[keyword] else { return nil }
            guard case .number(let number) = value else { throw fail(keyword, "must be a number") }
            return number
        }

        if let value = object["type"] {
            var types: JSONTypeSet = []
            switch value {
            case .string(let name):
                guard let type = JSONTypeSet.named(name) else { throw fail("type", "unknown type \"\(name)\"") }
                types = type
            case .array(let names):
                for name in names {
                    guard case .string(let text) = name, let type = JSONTypeSet.named(text) else {
                        throw fail("type", "every element must be one of null, boolean, object, array, number, string, integer")
                    }
                    types.insert(type)
                }
            default:
                throw fail("type", "must be a string or an array of strings")
            }
            compiled.append(CompiledKeyword(name: "type", kind: .type(types)))
        }
        if let value = object["enum"] {
            guard case .array(let values) = value else { throw fail("enum", "must be an array") }
            compiled.append(.lending("enum", EnumeratedValues(values), KeywordKind.enumeration))
        }
        if draft != .draft4, let value = object["const"] {
            compiled.append(CompiledKeyword(name: "const", kind: .constant(value)))
        }
        if let divisor = try number("multipleOf") {
            guard divisor.decimal.negative == false, !divisor.decimal.isZero else { throw fail("multipleOf", "must be greater than 0") }
            compiled.append(CompiledKeyword(name: "multipleOf", kind: .multipleOf(divisor.decimal)))
        }
        if draft == .draft4 {
            if let maximum = try number("maximum") {
                let exclusive = object["exclusiveMaximum"] == .bool(true)
                compiled.append(CompiledKeyword(name: "maximum", kind: exclusive ? .exclusiveMaximum(maximum) : .maximum(maximum)))
            }
            if let minimum = try number("minimum") {
                let exclusive = object["exclusiveMinimum"] == .bool(true)
                compiled.append(CompiledKeyword(name: "minimum", kind: exclusive ? .exclusiveMinimum(minimum) : .minimum(minimum)))
            }
        } else {
            if let limit = try number("maximum") { compiled.append(CompiledKeyword(name: "maximum", kind: .maximum(limit))) }
            if let limit = try number("minimum") { compiled.append(CompiledKeyword(name: "minimum", kind: .minimum(limit))) }
            if let limit = try number("exclusiveMaximum") { compiled.append(CompiledKeyword(name: "exclusiveMaximum", kind: .exclusiveMaximum(limit))) }
            if let limit = try number("exclusiveMinimum") { compiled.append(CompiledKeyword(name: "exclusiveMinimum", kind: .exclusiveMinimum(limit))) }
        }
        if let limit = try count("maxLength") { compiled.append(CompiledKeyword(name: "maxLength", kind: .maxLength(limit))) }
        if let limit = try count("minLength") { compiled.append(CompiledKeyword(name: "minLength", kind: .minLength(limit))) }
        if let value = object["pattern"] {
            guard case .string(let pattern) = value else { throw fail("pattern", "must be a string") }
            compiled.append(.lending("pattern", try regex(pattern, keyword: "pattern", fail: fail), KeywordKind.pattern))
        }
        if let limit = try count("maxItems") { compiled.append(CompiledKeyword(name: "maxItems", kind: .maxItems(limit))) }
        if let limit = try count("minItems") { compiled.append(CompiledKeyword(name: "minItems", kind: .minItems(limit))) }
        if let value = object["uniqueItems"] {
            guard case .bool(let unique) = value else { throw fail("uniqueItems", "must be a boolean") }
            if unique { compiled.append(CompiledKeyword(name: "uniqueItems", kind: .uniqueItems)) }
        }
        if let limit = try count("maxProperties") { compiled.append(CompiledKeyword(name: "maxProperties", kind: .maxProperties(limit))) }
        if let limit = try count("minProperties") { compiled.append(CompiledKeyword(name: "minProperties", kind: .minProperties(limit))) }
        if let value = object["required"] {
            compiled.append(.lending("required", RequiredKeys(try strings(value, keyword: "required", fail: fail)), KeywordKind.required))
        }
        if draft == .draft2020_12, let value = object["dependentRequired"] {
            guard case .object(let map) = value else { throw fail("dependentRequired", "must be an object") }
            var dependencies: [PropertyDependency<[String]>] = []
            for member in map.members {
                dependencies.append(PropertyDependency(property: member.key, then: try strings(member.value, keyword: "dependentRequired", fail: fail)))
            }
            compiled.append(CompiledKeyword(name: "dependentRequired", kind: .dependentRequired(dependencies)))
        }
        if draft != .draft2020_12, case .object(let map)? = object["dependencies"] {
            var dependencies: [PropertyDependency<[String]>] = []
            for member in map.members {
                if case .array = member.value {
                    dependencies.append(PropertyDependency(property: member.key, then: try strings(member.value, keyword: "dependencies", fail: fail)))
                }
            }
            if !dependencies.isEmpty { compiled.append(CompiledKeyword(name: "dependencies", kind: .dependentRequired(dependencies))) }
        }
        return compiled
    }

    private func compileApplicators(_ object: JSONObject, at location: Location, draft: SchemaDraft, fail: (String, String) -> SchemaCompileError) throws(SchemaCompileError) -> [CompiledKeyword] {
        var compiled: [CompiledKeyword] = []
        func schemaList(_ keyword: String) throws(SchemaCompileError) -> [NodeRef]? {
            guard let value = object[keyword] else { return nil }
            guard case .array(let schemas) = value, !schemas.isEmpty else { throw fail(keyword, "must be a non-empty array of schemas") }
            var nodes: [NodeRef] = []
            for i in schemas.indices { nodes.append(try child(location, keyword, String(i))) }
            return nodes
        }

        if let nodes = try schemaList("allOf") { compiled.append(.lending("allOf", Boxed(nodes), KeywordKind.allOf)) }
        if let nodes = try schemaList("anyOf") { compiled.append(.lending("anyOf", Boxed(nodes), KeywordKind.anyOf)) }
        if let nodes = try schemaList("oneOf") { compiled.append(.lending("oneOf", Boxed(nodes), KeywordKind.oneOf)) }
        if object["not"] != nil { compiled.append(CompiledKeyword(name: "not", kind: .not(try child(location, "not")))) }
        if draft != .draft4, object["if"] != nil {
            let thenNode = object["then"] != nil ? try child(location, "then") : nil
            let elseNode = object["else"] != nil ? try child(location, "else") : nil
            // Even without then/else, `if` contributes annotations to unevaluated* in 2020-12.
            if thenNode != nil || elseNode != nil || draft == .draft2020_12 {
                compiled.append(CompiledKeyword(name: "if", kind: .conditional(if: try child(location, "if"), then: thenNode, else: elseNode)))
            }
        }

        var properties = PropertyTable()
        var patterns: [PatternProperty] = []
        var additional: NodeRef?
        var hasMembers = false
        if let value = object["properties"] {
            guard case .object(let map) = value else { throw fail("properties", "must be an object") }
            for member in map.members { properties.insert(member.key, try child(location, "properties", member.key)) }
            hasMembers = true
        }
        if let value = object["patternProperties"] {
            guard case .object(let map) = value else { throw fail("patternProperties", "must be an object") }
            for member in map.members {
                patterns.append(PatternProperty(pattern: member.key, regex: try regex(member.key, keyword: "patternProperties", fail: fail),
                                                        node: try child(location, "patternProperties", member.key)))
            }
            hasMembers = true
        }
        if object["additionalProperties"] != nil {
            additional = try child(location, "additionalProperties")
            hasMembers = true
        }
        if hasMembers { compiled.append(.lending("properties", ObjectMembersKeyword(properties: properties, patterns: patterns, additional: additional), KeywordKind.members)) }

        if draft != .draft4, object["propertyNames"] != nil {
            compiled.append(CompiledKeyword(name: "propertyNames", kind: .propertyNames(try child(location, "propertyNames"))))
        }
        if draft == .draft2020_12, let value = object["dependentSchemas"] {
            guard case .object(let map) = value else { throw fail("dependentSchemas", "must be an object") }
            var dependencies: [PropertyDependency<NodeRef>] = []
            for member in map.members { dependencies.append(PropertyDependency(property: member.key, then: try child(location, "dependentSchemas", member.key))) }
            compiled.append(CompiledKeyword(name: "dependentSchemas", kind: .dependentSchemas(dependencies)))
        }
        if draft != .draft2020_12, case .object(let map)? = object["dependencies"] {
            var dependencies: [PropertyDependency<NodeRef>] = []
            for member in map.members where member.value.objectValue != nil || member.value.isBoolean {
                dependencies.append(PropertyDependency(property: member.key, then: try child(location, "dependencies", member.key)))
            }
            if !dependencies.isEmpty { compiled.append(CompiledKeyword(name: "dependencies", kind: .dependentSchemas(dependencies))) }
        }

        var items = ItemsKeyword()
        var hasItems = false
        if draft == .draft2020_12 {
            if let nodes = try schemaList("prefixItems") { items.prefix = nodes; hasItems = true }
            if object["items"] != nil { items.rest = try child(location, "items"); hasItems = true }
        } else if let value = object["items"] {
            hasItems = true
            if case .array(let schemas) = value {
                items.prefixToken = .items
                for i in schemas.indices { items.prefix.append(try child(location, "items", String(i))) }
                if object["additionalItems"] != nil {
                    items.rest = try child(location, "additionalItems")
                    items.restToken = .additionalItems
                }
            } else {
                items.rest = try child(location, "items")
            }
        }
        if hasItems { compiled.append(.lending("items", Boxed(items), KeywordKind.items)) }

        if draft != .draft4, object["contains"] != nil {
            var minimum = 1
            var maximum: Int?
            if draft == .draft2020_12 {
                if case .number(let n)? = object["minContains"] { minimum = n.int64Value.map { Int(clamping: $0) } ?? Int.max }
                if case .number(let n)? = object["maxContains"] { maximum = n.int64Value.map { Int(clamping: $0) } ?? Int.max }
            }
            compiled.append(CompiledKeyword(name: "contains", kind: .contains(try child(location, "contains"), min: minimum, max: maximum)))
        }
        return compiled
    }

    private func strings(_ value: JSONValue, keyword: String, fail: (String, String) -> SchemaCompileError) throws(SchemaCompileError) -> [String] {
        guard case .array(let elements) = value else { throw fail(keyword, "must be an array of strings") }
        var names: [String] = []
        for element in elements {
            guard case .string(let name) = element else { throw fail(keyword, "must be an array of strings") }
            names.append(name)
        }
        return names
    }

    private func regex(_ pattern: String, keyword: String, fail: (String, String) -> SchemaCompileError) throws(SchemaCompileError) -> ECMARegex {
        do throws(ECMARegex.CompileError) {
            return try ECMARegex(pattern)
        } catch {
            throw fail(keyword, "invalid regular expression \"\(pattern)\": \(error.message) at offset \(error.offset)")
        }
    }
}

extension JSONValue {
    var isBoolean: Bool {
        if case .bool = self { return true }
        return false
    }
}

extension JSONPointer {
    func appending(contentsOf path: [String]) -> JSONPointer {
        JSONPointer(tokens: tokens + path)
    }
}
