/// One compiled (sub)schema. Nodes form a graph (`$ref` may point back up), are filled in once
/// by the compiler and never change afterwards, which is what makes a compiled schema safe to
/// share between threads.
final class SchemaNode: @unchecked Sendable {
    /// `true` and `false` schemas; nil for schema objects.
    var constant: Bool?
    /// Owns the keywords; the evaluator walks `keywordRefs`, which do not retain.
    var keywords: [CompiledKeyword] = [] {
        didSet {
            keywordRefs.deallocate()
            keywordRefs = .allocate(capacity: keywords.count)
            _ = keywordRefs.initialize(from: keywords.map(KeywordRef.init))
        }
    }
    /// Plain memory, so walking it touches no reference count at all.
    private(set) var keywordRefs = UnsafeMutableBufferPointer<KeywordRef>.allocate(capacity: 0)

    deinit { keywordRefs.deallocate() }
    /// Set when the node has `unevaluatedProperties` or `unevaluatedItems`: it must then collect
    /// which members or items its other keywords (and in-place subschemas) evaluated.
    var tracksEvaluation = false
    /// The resource (the schema with the nearest `$id`) this node belongs to: the dynamic scope
    /// of `$dynamicRef` is made of these.
    let resource: SchemaResource
    /// "resource-uri#/json/pointer": the base of `absoluteKeywordLocation` in errors.
    let absoluteLocation: String
    /// `absoluteLocation` as the contents of a JSON string, as reports write it.
    let absoluteLocationJSON: [UInt8]

    init(resource: SchemaResource, absoluteLocation: String) {
        self.resource = resource
        self.absoluteLocation = absoluteLocation
        var escaped: [UInt8] = []
        JSONSerializer.writeEscaped(absoluteLocation, to: &escaped)
        absoluteLocationJSON = escaped
    }
}

/// An edge of the node graph. The compiled schema owns every node (`JSONSchema.nodes`), so
/// edges do not retain: no reference counting while validating, and cycles through `$ref` are
/// no leak.
struct NodeRef {
    private let unmanaged: Unmanaged<SchemaNode>

    init(_ node: SchemaNode) { unmanaged = .passUnretained(node) }

    /// Lends the node without retaining it (even an `unowned(unsafe)` load would be retained
    /// while in use).
    @inline(__always)
    func with<Result>(_ body: (SchemaNode) -> Result) -> Result {
        unmanaged._withUnsafeGuaranteedRef(body)
    }

    var isFalse: Bool { with { $0.constant == false } }
}

/// Unmanaged, because even an `unowned(unsafe)` load is retained while it is used; a guaranteed
/// reference from `Unmanaged` is not.
struct KeywordRef {
    let keyword: Unmanaged<CompiledKeyword>

    init(_ keyword: CompiledKeyword) { self.keyword = .passUnretained(keyword) }
}

/// A schema resource: what `$id` (or the document) names.
final class SchemaResource: @unchecked Sendable {
    let uri: String
    /// `$dynamicAnchor` names declared in this resource and the schemas that carry them.
    var dynamicAnchors: [String: NodeRef] = [:]

    init(uri: String) { self.uri = uri }
}

/// A class, so that walking a node's keywords copies a reference, not the keyword's payload.
final class CompiledKeyword {
    /// The keyword as written, for `keywordLocation` and `keyword` in errors.
    let name: String
    /// `name` as a step of `keywordLocation`, escaped once here.
    let pathToken: PointerText.Token
    let kind: KeywordKind
    /// Keeps alive what `kind` lends without owning (`Lent`).
    private let owned: AnyObject?
    /// The message of a failure, made here when it says nothing about the instance (see
    /// `ValidationMessage(failing:)`); empty for the other keywords.
    private let fixedEnglish: [UInt8]
    private let fixedDutch: [UInt8]

    init(name: String, kind: KeywordKind, owning owned: AnyObject? = nil) {
        self.name = name
        pathToken = PointerText.Token(name)
        self.kind = kind
        self.owned = owned
        let fixed = ValidationMessage(failing: kind)
        fixedEnglish = fixed?.text(.english).json ?? []
        fixedDutch = fixed?.text(.dutch).json ?? []
    }

    /// As escaped JSON string contents.
    func fixedMessage(_ language: MessageLanguage) -> [UInt8] {
        switch language {
        case .english: return fixedEnglish
        case .dutch: return fixedDutch
        }
    }

    /// A keyword whose payload object is lent to the evaluator: reading it costs no reference
    /// counting, which on the hot path of validation is most of the cost.
    static func lending<Payload: AnyObject>(_ name: String, _ payload: Payload, _ kind: (Lent<Payload>) -> KeywordKind) -> CompiledKeyword {
        CompiledKeyword(name: name, kind: kind(Lent(payload)), owning: payload)
    }
}

/// An object owned elsewhere (by its `CompiledKeyword`), lent without retaining.
struct Lent<Object: AnyObject> {
    private let unmanaged: Unmanaged<Object>

    init(_ object: Object) { unmanaged = .passUnretained(object) }

    @inline(__always)
    func with<Result>(_ body: (Object) -> Result) -> Result {
        unmanaged._withUnsafeGuaranteedRef(body)
    }
}

/// The values of `enum`. Strings (what enums of form fields hold) also keep their fingerprint,
/// so an instance string is compared by length and leading bytes before any byte is read.
final class EnumeratedValues {
    let values: [JSONValue]
    /// The string values, the usual enum of form fields, compared in place.
    private let strings: PackedStrings

    init(_ values: [JSONValue]) {
        self.values = values
        strings = PackedStrings(values.compactMap(\.stringValue))
    }

    /// Whether the tape's value at `index` equals one of the values.
    func contains(_ index: Int, in tape: JSONTapeView) -> Bool {
        guard tape.kind(index) == .string else { return values.contains { tape.equal(index, $0) } }
        let fingerprint = tape.fingerprint(index)
        let utf8 = tape.utf8(index)
        return strings.withView { strings in
            for i in 0..<strings.count where strings.matches(i, utf8, fingerprint: fingerprint) { return true }
            return false
        }
    }
}

final class Boxed<Value> {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// Which JSON types a `type` keyword admits.
struct JSONTypeSet: OptionSet {
    let rawValue: UInt8
    static let null = JSONTypeSet(rawValue: 1 << 0)
    static let boolean = JSONTypeSet(rawValue: 1 << 1)
    static let object = JSONTypeSet(rawValue: 1 << 2)
    static let array = JSONTypeSet(rawValue: 1 << 3)
    static let number = JSONTypeSet(rawValue: 1 << 4)
    static let string = JSONTypeSet(rawValue: 1 << 5)
    static let integer = JSONTypeSet(rawValue: 1 << 6)

    static func named(_ name: String) -> JSONTypeSet? {
        switch name {
        case "null": return .null
        case "boolean": return .boolean
        case "object": return .object
        case "array": return .array
        case "number": return .number
        case "string": return .string
        case "integer": return .integer
        default: return nil
        }
    }

    var names: [String] {
        let all: [(JSONTypeSet, String)] = [(.null, "null"), (.boolean, "boolean"), (.object, "object"), (.array, "array"),
                                            (.number, "number"), (.string, "string"), (.integer, "integer")]
        return all.filter { contains($0.0) }.map(\.1)
    }
}

/// `properties`, `patternProperties` and `additionalProperties` of one schema, evaluated in one
/// pass over the instance's members (the last two depend on what the first ones matched).
final class ObjectMembersKeyword {
    let properties: PropertyTable
    let patterns: [PatternProperty]
    let additional: NodeRef?

    init(properties: PropertyTable, patterns: [PatternProperty], additional: NodeRef?) {
        self.properties = properties
        self.patterns = patterns
        self.additional = additional
    }
}

struct PatternProperty {
    let pattern: String
    let regex: ECMARegex
    let node: NodeRef
}

/// `dependentRequired` / `dependentSchemas` (and draft-07's `dependencies`): when the instance
/// has `property`, `then` applies.
struct PropertyDependency<Then> {
    let property: String
    let then: Then
}

/// The subschemas of `properties` by name. Schemas have few properties, so a scan that first
/// compares lengths and the leading bytes beats hashing each instance key; large tables hash.
struct PropertyTable {
    private var names = PackedStrings()
    /// The subschema of each name, in the same order.
    private var nodes: [NodeRef] = []
    private var index: [JSONKey: NodeRef]?
    private static let scanLimit = 32

    var isEmpty: Bool { nodes.isEmpty }

    mutating func insert(_ name: String, _ node: NodeRef) {
        names.append(name)
        nodes.append(node)
        if nodes.count > Self.scanLimit {
            index = names.withView { names in
                Dictionary((0..<names.count).map { (JSONKey(String(decoding: names.utf8($0), as: UTF8.self)), nodes[$0]) },
                           uniquingKeysWith: { _, last in last })
            }
        }
    }

    /// The subschema for an instance member's key (UTF-8, with its fingerprint). The scan starts
    /// at `hint` and leaves it after the entry found: an object's members mostly come in the
    /// order of the schema's properties, so the next one is then found at the first try.
    func node(forKey key: UnsafeBufferPointer<UInt8>, fingerprint: KeyFingerprint, hint: inout Int) -> NodeRef? {
        if let index { return index[JSONKey(String(decoding: key, as: UTF8.self))] }
        return names.withView { names in
            nodes.withUnsafeBufferPointer { nodes in
                guard !nodes.isEmpty else { return nil }
                var i = hint < nodes.count ? hint : 0
                for _ in 0..<nodes.count {
                    if names.matches(i, key, fingerprint: fingerprint) {
                        hint = i + 1
                        return nodes[i]
                    }
                    i = i + 1 == nodes.count ? 0 : i + 1
                }
                return nil
            }
        }
    }
}

/// `required`: the names, looked up in place (`PackedStrings`).
final class RequiredKeys {
    let names: [String]
    private let packed: PackedStrings

    init(_ names: [String]) {
        self.names = names
        packed = PackedStrings(names)
    }

    /// Whether the object at `object` has every name.
    func allPresent(in object: Int, of tape: JSONTapeView) -> Bool {
        firstMissing(in: object, of: tape, from: 0) == nil
    }

    func missing(in object: Int, of tape: JSONTapeView) -> [String] {
        var missing: [String] = []
        var i = 0
        while let absent = firstMissing(in: object, of: tape, from: i) {
            missing.append(names[absent])
            i = absent + 1
        }
        return missing
    }

    private func firstMissing(in object: Int, of tape: JSONTapeView, from first: Int) -> Int? {
        packed.withView { names in
            var i = first
            while i < names.count {
                if tape.value(of: object, forKey: names.utf8(i), fingerprint: names.fingerprints[i]) == nil { return i }
                i += 1
            }
            return nil
        }
    }
}

extension PointerText.Token {
    /// The keywords a fused keyword walks its subschemas under.
    static let properties = PointerText.Token("properties")
    static let patternProperties = PointerText.Token("patternProperties")
    static let additionalProperties = PointerText.Token("additionalProperties")
    static let prefixItems = PointerText.Token("prefixItems")
    static let items = PointerText.Token("items")
    static let additionalItems = PointerText.Token("additionalItems")
    static let then = PointerText.Token("then")
    static let `else` = PointerText.Token("else")
}

/// `prefixItems` + `items` (2020-12), or `items` as an array + `additionalItems` (up to
/// draft-07), or `items` as one schema.
struct ItemsKeyword {
    var prefix: [NodeRef] = []
    /// Keyword of the prefix: "prefixItems" or "items".
    var prefixToken = PointerText.Token.prefixItems
    var rest: NodeRef?
    /// Keyword of the rest: "items" or "additionalItems".
    var restToken = PointerText.Token.items
}

/// Where a `$dynamicRef` goes: its static target, and the anchor name that makes it dynamic
/// when that target carries a matching `$dynamicAnchor`.
struct DynamicReference {
    let target: NodeRef
    let dynamicAnchor: String?
}

enum KeywordKind {
    case type(JSONTypeSet)
    case enumeration(Lent<EnumeratedValues>)
    case constant(JSONValue)
    case multipleOf(JSONDecimal)
    case maximum(JSONNumber)
    case exclusiveMaximum(JSONNumber)
    case minimum(JSONNumber)
    case exclusiveMinimum(JSONNumber)
    case maxLength(Int)
    case minLength(Int)
    case pattern(Lent<ECMARegex>)
    case format(FormatChecker.Format)
    case maxItems(Int)
    case minItems(Int)
    case uniqueItems
    case maxProperties(Int)
    case minProperties(Int)
    case required(Lent<RequiredKeys>)
    case dependentRequired([PropertyDependency<[String]>])
    case reference(NodeRef)
    case dynamicReference(DynamicReference)
    case allOf(Lent<Boxed<[NodeRef]>>)
    case anyOf(Lent<Boxed<[NodeRef]>>)
    case oneOf(Lent<Boxed<[NodeRef]>>)
    case not(NodeRef)
    case conditional(if: NodeRef, then: NodeRef?, else: NodeRef?)
    case members(Lent<ObjectMembersKeyword>)
    case propertyNames(NodeRef)
    case dependentSchemas([PropertyDependency<NodeRef>])
    case items(Lent<Boxed<ItemsKeyword>>)
    case contains(NodeRef, min: Int, max: Int?)
    case unevaluatedProperties(NodeRef)
    case unevaluatedItems(NodeRef)
}
