/// The language of validation messages. Reports are read by the people who fill in the
/// (Dutch) forms as much as by developers.
public enum MessageLanguage: String, Sendable {
    case english = "en"
    case dutch = "nl"
}

/// One kind of validation failure with what its message needs. The evaluator records these;
/// the text, in the schema's language, is made only for an error that is reported.
enum ValidationMessage {
    case falseSchema
    case type(expected: [String], actual: String)
    case enumeration(values: [String])
    case constant(value: String)
    case multipleOf(divisor: String)
    case maximum(String), exclusiveMaximum(String), minimum(String), exclusiveMinimum(String)
    case maxLength(Int), minLength(Int)
    /// The pattern's source text, escaped for JSON (`ECMARegex.escapedPattern`).
    case pattern(escaped: [UInt8])
    case format(FormatChecker.Format)
    case maxItems(Int), minItems(Int)
    case duplicates(first: Int, second: Int)
    case maxProperties(Int), minProperties(Int)
    case required(missing: [String])
    case dependentRequired(property: String, missing: [String])
    case not
    case unevaluatedProperties([String])
    case oneOfNone(alternatives: Int)
    case oneOfSeveral(matches: Int, first: [Int])
    case anyOf(alternatives: Int)
    case additionalProperties([String])
    case containsTooFew(minimum: Int, count: Int)
    case containsTooMany(maximum: Int, count: Int)

    /// The message of a keyword whose failure says nothing about the instance's value, made once
    /// when the schema is compiled (`CompiledKeyword.fixedMessage`); nil for the other keywords.
    init?(failing kind: KeywordKind) {
        switch kind {
        case .enumeration(let values): self = .enumeration(values: values.with { $0.values.map(ValidationMessage.brief) })
        case .constant(let value): self = .constant(value: ValidationMessage.brief(value))
        case .multipleOf(let divisor): self = .multipleOf(divisor: JSONSerializer.abbreviated(divisor.text))
        case .maximum(let limit): self = .maximum("\(limit)")
        case .exclusiveMaximum(let limit): self = .exclusiveMaximum("\(limit)")
        case .minimum(let limit): self = .minimum("\(limit)")
        case .exclusiveMinimum(let limit): self = .exclusiveMinimum("\(limit)")
        case .maxLength(let limit): self = .maxLength(limit)
        case .minLength(let limit): self = .minLength(limit)
        case .pattern(let regex): self = .pattern(escaped: regex.with(\.escapedPattern))
        case .format(let format): self = .format(format)
        case .maxItems(let limit): self = .maxItems(limit)
        case .minItems(let limit): self = .minItems(limit)
        case .maxProperties(let limit): self = .maxProperties(limit)
        case .minProperties(let limit): self = .minProperties(limit)
        case .not: self = .not
        case .anyOf(let nodes): self = .anyOf(alternatives: nodes.with { $0.value.count })
        case .oneOf(let nodes): self = .oneOfNone(alternatives: nodes.with { $0.value.count })
        case .type, .uniqueItems, .required, .dependentRequired, .reference, .dynamicReference, .allOf, .conditional,
             .members, .propertyNames, .dependentSchemas, .items, .contains, .unevaluatedProperties, .unevaluatedItems:
            return nil
        }
    }

    /// A value as a message quotes it: strings as they are, the rest as JSON, abbreviated.
    private static func brief(_ value: JSONValue) -> String {
        if case .string(let text) = value { return text }
        let serialized = JSONSerializer.serialize(value)
        return serialized.utf8.count > 60 ? String(serialized.prefix(57)) + "..." : serialized
    }

    func text(_ language: MessageLanguage) -> MessageText {
        switch language {
        case .english: return english
        case .dutch: return dutch
        }
    }

    private var english: MessageText {
        switch self {
        case .falseSchema: return "no value is allowed here (the schema is false)"
        case .type(let expected, let actual):
            return expected.count == 1 ? "must be of type \(expected[0]), not \(actual)" : "must be one of the types \(list: expected), not \(actual)"
        case .enumeration(let values): return "must be one of: \(list: values)"
        case .constant(let value): return "must be \(value)"
        case .multipleOf(let divisor): return "must be a multiple of \(divisor)"
        case .maximum(let limit): return "must be at most \(limit)"
        case .exclusiveMaximum(let limit): return "must be less than \(limit)"
        case .minimum(let limit): return "must be at least \(limit)"
        case .exclusiveMinimum(let limit): return "must be greater than \(limit)"
        case .maxLength(let limit): return "must be at most \(limit) characters long"
        case .minLength(let limit): return limit == 1 ? "must not be empty" : "must be at least \(limit) characters long"
        case .pattern(let pattern): return "must match the pattern \(escaped: pattern)"
        case .format(let format): return "is not a valid \(ValidationMessage.englishName(format))"
        case .maxItems(let limit): return "must have at most \(limit) items"
        case .minItems(let limit): return "must have at least \(limit) items"
        case .duplicates(let first, let second): return "must not contain duplicates (items \(first) and \(second) are equal)"
        case .maxProperties(let limit): return "must have at most \(limit) properties"
        case .minProperties(let limit): return "must have at least \(limit) properties"
        case .required(let missing):
            return missing.count == 1 ? "is missing the required property \(missing[0])" : "is missing the required properties \(list: missing)"
        case .dependentRequired(let property, let missing): return "has \(property), so it must also have \(list: missing)"
        case .not: return "must not match the schema under not"
        case .unevaluatedProperties(let names): return "must not have unevaluated properties: \(list: names)"
        case .oneOfNone(let alternatives): return "must match exactly one of the \(alternatives) alternatives, but matches none"
        case .oneOfSeveral(let matches, let first):
            return "must match exactly one alternative, but matches \(matches) (alternatives \(first.map(String.init).joined(separator: " and ")), …)"
        case .anyOf(let alternatives): return "must match at least one of the \(alternatives) alternatives"
        case .additionalProperties(let names):
            return names.count == 1 ? "must not have the property \(names[0])" : "must not have the properties \(list: names)"
        case .containsTooFew(let minimum, let count):
            return minimum == 1 ? "must contain an item that matches the schema under contains"
                : "must contain at least \(minimum) items that match the schema under contains (it has \(count))"
        case .containsTooMany(let maximum, let count):
            return "must contain at most \(maximum) items that match the schema under contains (it has \(count))"
        }
    }

    private var dutch: MessageText {
        switch self {
        case .falseSchema: return "hier is geen waarde toegestaan (het schema is false)"
        case .type(let expected, let actual):
            let names = expected.map(ValidationMessage.dutchType)
            return expected.count == 1 ? "moet \(names[0]) zijn, niet \(ValidationMessage.dutchType(actual))"
                : "moet een van deze soorten zijn: \(list: names); niet \(ValidationMessage.dutchType(actual))"
        case .enumeration(let values): return "moet een van deze waarden zijn: \(list: values)"
        case .constant(let value): return "moet \(value) zijn"
        case .multipleOf(let divisor): return "moet een veelvoud van \(divisor) zijn"
        case .maximum(let limit): return "mag hoogstens \(limit) zijn"
        case .exclusiveMaximum(let limit): return "moet kleiner zijn dan \(limit)"
        case .minimum(let limit): return "moet minstens \(limit) zijn"
        case .exclusiveMinimum(let limit): return "moet groter zijn dan \(limit)"
        case .maxLength(let limit): return "mag hoogstens \(limit) \(limit == 1 ? "teken" : "tekens") lang zijn"
        case .minLength(let limit): return limit == 1 ? "mag niet leeg zijn" : "moet minstens \(limit) tekens lang zijn"
        case .pattern(let pattern): return "heeft niet de juiste vorm (patroon \(escaped: pattern))"
        case .format(let format): return "is geen geldig\(ValidationMessage.dutchName(format))"
        case .maxItems(let limit): return "mag hoogstens \(limit) \(limit == 1 ? "item" : "items") bevatten"
        case .minItems(let limit): return "moet minstens \(limit) \(limit == 1 ? "item" : "items") bevatten"
        case .duplicates(let first, let second): return "mag geen dubbele waarden bevatten (items \(first) en \(second) zijn gelijk)"
        case .maxProperties(let limit): return "mag hoogstens \(limit) \(limit == 1 ? "veld" : "velden") hebben"
        case .minProperties(let limit): return "moet minstens \(limit) \(limit == 1 ? "veld" : "velden") hebben"
        case .required(let missing):
            return missing.count == 1 ? "het verplichte veld \(missing[0]) ontbreekt" : "de verplichte velden \(list: missing) ontbreken"
        case .dependentRequired(let property, let missing): return "heeft \(property), dus moet ook \(list: missing) hebben"
        case .not: return "mag niet voldoen aan het schema onder not"
        case .unevaluatedProperties(let names): return "mag deze velden niet hebben: \(list: names)"
        case .oneOfNone(let alternatives): return "moet aan precies één van de \(alternatives) mogelijkheden voldoen, maar voldoet aan geen enkele"
        case .oneOfSeveral(let matches, let first):
            return "moet aan precies één mogelijkheid voldoen, maar voldoet aan \(matches) (mogelijkheden \(first.map(String.init).joined(separator: " en ")), …)"
        case .anyOf(let alternatives): return "moet aan minstens één van de \(alternatives) mogelijkheden voldoen"
        case .additionalProperties(let names):
            return names.count == 1 ? "het veld \(names[0]) is niet toegestaan" : "de velden \(list: names) zijn niet toegestaan"
        case .containsTooFew(let minimum, let count):
            return minimum == 1 ? "moet een item bevatten dat voldoet aan het schema onder contains"
                : "moet minstens \(minimum) items bevatten die voldoen aan het schema onder contains (nu \(count))"
        case .containsTooMany(let maximum, let count):
            return "mag hoogstens \(maximum) items bevatten die voldoen aan het schema onder contains (nu \(count))"
        }
    }

    static func englishName(_ format: FormatChecker.Format) -> String {
        switch format {
        case .email, .idnEmail: return "email address"
        case .date: return "date (YYYY-MM-DD)"
        case .dateTime: return "date and time (RFC 3339, e.g. 2026-01-31T09:30:00Z)"
        case .time: return "time (RFC 3339, e.g. 09:30:00Z)"
        case .duration: return "duration (ISO 8601, e.g. P1DT2H)"
        case .uri, .iri: return "absolute URI"
        case .uriReference, .iriReference: return "URI reference"
        case .uuid: return "UUID"
        case .ipv4: return "IPv4 address"
        case .ipv6: return "IPv6 address"
        case .hostname, .idnHostname: return "host name"
        case .regex: return "regular expression"
        case .uriTemplate, .jsonPointer, .relativeJSONPointer: return format.rawValue
        }
    }

    /// The Dutch name with the adjective's ending: "geldig e-mailadres", "geldige datum".
    private static func dutchName(_ format: FormatChecker.Format) -> String {
        switch format {
        case .email, .idnEmail: return " e-mailadres"
        case .date: return "e datum (JJJJ-MM-DD)"
        case .dateTime: return "e datum en tijd (RFC 3339, bijv. 2026-01-31T09:30:00Z)"
        case .time: return "e tijd (RFC 3339, bijv. 09:30:00Z)"
        case .duration: return "e tijdsduur (ISO 8601, bijv. P1DT2H)"
        case .uri, .iri: return "e absolute URI"
        case .uriReference, .iriReference: return "e URI-verwijzing"
        case .uuid: return "e UUID"
        case .ipv4: return " IPv4-adres"
        case .ipv6: return " IPv6-adres"
        case .hostname, .idnHostname: return "e hostnaam"
        case .regex: return "e reguliere expressie"
        case .uriTemplate, .jsonPointer, .relativeJSONPointer: return " " + format.rawValue
        }
    }

    private static func dutchType(_ name: String) -> String {
        switch name {
        case "string": return "tekst"
        case "number": return "een getal"
        case "integer": return "een geheel getal"
        case "boolean": return "ja of nee (true/false)"
        case "object": return "een object"
        case "array": return "een lijst"
        case "null": return "leeg (null)"
        default: return name
        }
    }
}
