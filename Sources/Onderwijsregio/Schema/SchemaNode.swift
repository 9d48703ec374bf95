/// One compiled (sub)schema. Nodes form a graph (`$ref` may point back up), are filled in once
/// by the compiler and never change afterwards, which is what makes a compiled schema safe to
/// share between threads.
final class SchemaNode: @unchecked Sendable {
    /// `true` and `false` schemas; nil for schema objects.
    var constant: Bool?
    var keywords: [CompiledKeyword] = []
    /// Set when the node has `unevaluatedProperties` or `unevaluatedItems`: it must then collect
    /// which members or items its other keywords (and in-place subschemas) evaluated.
    var tracksEvaluation = false
    /// The resource (the schema with the nearest `$id`) this node belongs to: the dynamic scope
    /// of `$dynamicRef` is made of these.
    let resource: SchemaResource
    /// "resource-uri#/json/pointer": the base of `absoluteKeywordLocation` in errors.
    let absoluteLocation: String

    init(resource: SchemaResource, absoluteLocation: String) {
        self.resource = resource
        self.absoluteLocation = absoluteLocation
    }
}

/// A schema resource: what `$id` (or the document) names.
final class SchemaResource: @unchecked Sendable {
    let uri: String
    /// `$dynamicAnchor` names declared in this resource and the schemas that carry them.
    var dynamicAnchors: [String: SchemaNode] = [:]

    init(uri: String) { self.uri = uri }
}

struct CompiledKeyword {
    /// The keyword as written, for `keywordLocation` and `keyword` in errors.
    let name: String
    let kind: KeywordKind
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
struct ObjectMembersKeyword {
    var properties: [JSONKey: SchemaNode] = [:]
    var patterns: [(pattern: String, regex: ECMARegex, node: SchemaNode)] = []
    var additional: SchemaNode?
}

/// `prefixItems` + `items` (2020-12), or `items` as an array + `additionalItems` (up to
/// draft-07), or `items` as one schema.
struct ItemsKeyword {
    var prefix: [SchemaNode] = []
    /// Keyword of the prefix: "prefixItems" or "items".
    var prefixName = "prefixItems"
    var rest: SchemaNode?
    /// Keyword of the rest: "items" or "additionalItems".
    var restName = "items"
}

/// Where a `$dynamicRef` goes: its static target, and the anchor name that makes it dynamic
/// when that target carries a matching `$dynamicAnchor`.
struct DynamicReference {
    let target: SchemaNode
    let dynamicAnchor: String?
}

enum KeywordKind {
    case type(JSONTypeSet)
    case enumeration([JSONValue])
    case constant(JSONValue)
    case multipleOf(JSONDecimal)
    case maximum(JSONNumber)
    case exclusiveMaximum(JSONNumber)
    case minimum(JSONNumber)
    case exclusiveMinimum(JSONNumber)
    case maxLength(Int)
    case minLength(Int)
    case pattern(ECMARegex)
    case format(String)
    case maxItems(Int)
    case minItems(Int)
    case uniqueItems
    case maxProperties(Int)
    case minProperties(Int)
    case required([String])
    case dependentRequired([(property: String, required: [String])])
    case reference(SchemaNode)
    case dynamicReference(DynamicReference)
    case allOf([SchemaNode])
    case anyOf([SchemaNode])
    case oneOf([SchemaNode])
    case not(SchemaNode)
    case conditional(if: SchemaNode, then: SchemaNode?, else: SchemaNode?)
    case members(ObjectMembersKeyword)
    case propertyNames(SchemaNode)
    case dependentSchemas([(property: String, schema: SchemaNode)])
    case items(ItemsKeyword)
    case contains(SchemaNode, min: Int, max: Int?)
    case unevaluatedProperties(SchemaNode)
    case unevaluatedItems(SchemaNode)
}
