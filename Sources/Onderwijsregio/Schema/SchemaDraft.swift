/// The JSON Schema drafts the validator implements: the three Zod can emit.
public enum SchemaDraft: String, Sendable, CaseIterable {
    case draft4 = "draft4"
    case draft7 = "draft7"
    case draft2020_12 = "2020-12"

    var metaschemaURI: String {
        switch self {
        case .draft4: return "http://json-schema.org/draft-04/schema"
        case .draft7: return "http://json-schema.org/draft-07/schema"
        case .draft2020_12: return "https://json-schema.org/draft/2020-12/schema"
        }
    }

    /// The draft a `$schema` value names, ignoring an empty fragment and http/https.
    init?(metaschemaURI uri: String) {
        var text = uri
        if text.hasSuffix("#") { text.removeLast() }
        if text.hasPrefix("https://") { text = "http://" + text.dropFirst("https://".count) }
        switch text {
        case "http://json-schema.org/draft-04/schema": self = .draft4
        case "http://json-schema.org/draft-07/schema": self = .draft7
        case "http://json-schema.org/draft/2020-12/schema": self = .draft2020_12
        default: return nil
        }
    }

    /// The keyword that names a schema resource.
    var idKeyword: String { self == .draft4 ? "id" : "$id" }

    /// Up to draft-07 `$ref` replaces every other keyword of its schema object.
    var refOverridesSiblings: Bool { self != .draft2020_12 }

    /// Up to draft-07 an `$id` of the form "#name" is a plain-name anchor.
    var idMayBeAnchor: Bool { self != .draft2020_12 }
}

/// The 2020-12 vocabularies; a metaschema's `$vocabulary` switches them on and off.
struct Vocabularies: OptionSet, Sendable {
    let rawValue: UInt8
    static let core = Vocabularies(rawValue: 1 << 0)
    static let applicator = Vocabularies(rawValue: 1 << 1)
    static let unevaluated = Vocabularies(rawValue: 1 << 2)
    static let validation = Vocabularies(rawValue: 1 << 3)
    static let format = Vocabularies(rawValue: 1 << 4)
    static let all: Vocabularies = [.core, .applicator, .unevaluated, .validation, .format]

    static func named(_ uri: String) -> Vocabularies? {
        switch uri {
        case "https://json-schema.org/draft/2020-12/vocab/core": return .core
        case "https://json-schema.org/draft/2020-12/vocab/applicator": return .applicator
        case "https://json-schema.org/draft/2020-12/vocab/unevaluated": return .unevaluated
        case "https://json-schema.org/draft/2020-12/vocab/validation": return .validation
        case "https://json-schema.org/draft/2020-12/vocab/format-annotation",
             "https://json-schema.org/draft/2020-12/vocab/format-assertion": return .format
        case "https://json-schema.org/draft/2020-12/vocab/meta-data",
             "https://json-schema.org/draft/2020-12/vocab/content": return []
        default: return nil
        }
    }
}
