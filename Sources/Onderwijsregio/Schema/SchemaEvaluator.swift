/// One validation of one instance. Two modes: `collecting` builds the full error report (paths,
/// messages, nested branch errors); otherwise the evaluator only answers valid/invalid and
/// stops at the first failure, building no paths at all — the fast path for valid input.
struct SchemaEvaluator {
    /// Why an evaluation could not finish (neither valid nor invalid).
    enum Abort: Error {
        case regexLimit(pattern: String)
        case recursion(limit: Int)
        case stackExhausted
    }

    let collecting: Bool
    let stopAtFirstError: Bool
    private(set) var errors: [SchemaValidationError] = []
    private(set) var abort: Abort?
    private var instancePath: [String] = []
    private var keywordPath: [String] = []
    /// Resources entered, outermost first: the dynamic scope of `$dynamicRef`.
    private var dynamicScope: [SchemaResource] = []
    /// How many references the current path crossed: errors then get an absolute location.
    private var referencesCrossed = 0
    private var depth = 0
    /// Nested evaluations beyond this are a cyclic reference that never consumes the instance.
    static let depthLimit = 10_000

    init(collecting: Bool, stopAtFirstError: Bool) {
        self.collecting = collecting
        self.stopAtFirstError = stopAtFirstError
    }

    // MARK: - Nodes

    /// Evaluates `node` against `instance`. `evaluated`, when given, receives the members or
    /// items this node evaluated successfully (for an enclosing `unevaluated*`).
    mutating func evaluate(_ node: SchemaNode, _ instance: JSONValue, evaluated: inout EvaluatedSet?) -> Bool {
        if let constant = node.constant {
            if !constant { report(node, keyword: nil, "no value is allowed here (the schema is false)") }
            return constant
        }
        guard abort == nil else { return false }
        depth += 1
        defer { depth -= 1 }
        if depth > Self.depthLimit {
            abort = .recursion(limit: Self.depthLimit)
            return false
        }
        if !StackGuard.hasRoom() {
            abort = .stackExhausted
            return false
        }
        let enteredResource = dynamicScope.last !== node.resource
        if enteredResource { dynamicScope.append(node.resource) }
        defer { if enteredResource { dynamicScope.removeLast() } }

        var local: EvaluatedSet? = (node.tracksEvaluation || evaluated != nil) ? EvaluatedSet() : nil
        var valid = true
        for keyword in node.keywords {
            if collecting { keywordPath.append(keyword.name) }
            let passed = check(keyword, of: node, instance, evaluated: &local)
            if collecting { keywordPath.removeLast() }
            if !passed {
                valid = false
                if !collecting || stopAtFirstError || abort != nil { return false }
            }
        }
        if valid, let local, evaluated != nil { evaluated?.formUnion(local) }
        return valid
    }

    /// Evaluates a subschema at a deeper keyword path (and instance path, when given).
    private mutating func descend(_ node: SchemaNode, _ instance: JSONValue, keywordTokens: [String], instanceToken: String? = nil, evaluated: inout EvaluatedSet?) -> Bool {
        if collecting {
            keywordPath.append(contentsOf: keywordTokens)
            if let instanceToken { instancePath.append(instanceToken) }
        }
        let valid = evaluate(node, instance, evaluated: &evaluated)
        if collecting {
            keywordPath.removeLast(keywordTokens.count)
            if instanceToken != nil { instancePath.removeLast() }
        }
        return valid
    }

    private mutating func descend(_ node: SchemaNode, _ instance: JSONValue, keywordTokens: [String], instanceToken: String? = nil) -> Bool {
        var none: EvaluatedSet? = nil
        return descend(node, instance, keywordTokens: keywordTokens, instanceToken: instanceToken, evaluated: &none)
    }

    /// Runs `body` with errors going to a separate list; returns what it found.
    private mutating func capturingErrors<T>(_ body: (inout SchemaEvaluator) -> T) -> (T, [SchemaValidationError]) {
        let saved = errors
        errors = []
        let result = body(&self)
        let captured = errors
        errors = saved
        return (result, captured)
    }

    // MARK: - Keywords

    private mutating func check(_ keyword: CompiledKeyword, of node: SchemaNode, _ instance: JSONValue, evaluated: inout EvaluatedSet?) -> Bool {
        switch keyword.kind {
        case .type(let types):
            if Self.matches(instance, types) { return true }
            let names = types.names
            return fail(node, keyword, names.count == 1 ? "must be of type \(names[0]), not \(instance.typeName)" : "must be one of the types \(names.joined(separator: ", ")), not \(instance.typeName)")
        case .enumeration(let values):
            if values.contains(instance) { return true }
            return fail(node, keyword, "must be one of: \(values.map(Self.brief).joined(separator: ", "))")
        case .constant(let value):
            if instance == value { return true }
            return fail(node, keyword, "must be \(Self.brief(value))")
        case .multipleOf(let divisor):
            guard case .number(let number) = instance else { return true }
            if Self.isMultiple(number.decimal, of: divisor) { return true }
            return fail(node, keyword, "must be a multiple of \(Self.text(divisor))")
        case .maximum(let limit):
            guard case .number(let number) = instance, number > limit else { return true }
            return fail(node, keyword, "must be at most \(limit)")
        case .exclusiveMaximum(let limit):
            guard case .number(let number) = instance, number >= limit else { return true }
            return fail(node, keyword, "must be less than \(limit)")
        case .minimum(let limit):
            guard case .number(let number) = instance, number < limit else { return true }
            return fail(node, keyword, "must be at least \(limit)")
        case .exclusiveMinimum(let limit):
            guard case .number(let number) = instance, number <= limit else { return true }
            return fail(node, keyword, "must be greater than \(limit)")
        case .maxLength(let limit):
            guard case .string(let text) = instance, !Self.hasAtMost(text, limit) else { return true }
            return fail(node, keyword, "must be at most \(limit) characters long")
        case .minLength(let limit):
            guard case .string(let text) = instance, !Self.hasAtLeast(text, limit) else { return true }
            return fail(node, keyword, limit == 1 ? "must not be empty" : "must be at least \(limit) characters long")
        case .pattern(let regex):
            guard case .string(let text) = instance else { return true }
            do throws(ECMARegex.MatchLimitError) {
                if try regex.matches(text) { return true }
            } catch {
                abort = .regexLimit(pattern: error.pattern)
                return false
            }
            return fail(node, keyword, "must match the pattern \(regex.pattern)")
        case .format(let format):
            guard case .string(let text) = instance, FormatChecker.check(format, text) == false else { return true }
            return fail(node, keyword, "is not a valid \(Self.formatDescription(format))")
        case .maxItems(let limit):
            guard case .array(let elements) = instance, elements.count > limit else { return true }
            return fail(node, keyword, "must have at most \(limit) items")
        case .minItems(let limit):
            guard case .array(let elements) = instance, elements.count < limit else { return true }
            return fail(node, keyword, "must have at least \(limit) items")
        case .uniqueItems:
            guard case .array(let elements) = instance, let (first, second) = Self.duplicate(in: elements) else { return true }
            return fail(node, keyword, "must not contain duplicates (items \(first) and \(second) are equal)")
        case .maxProperties(let limit):
            guard case .object(let object) = instance, object.count > limit else { return true }
            return fail(node, keyword, "must have at most \(limit) properties")
        case .minProperties(let limit):
            guard case .object(let object) = instance, object.count < limit else { return true }
            return fail(node, keyword, "must have at least \(limit) properties")
        case .required(let names):
            guard case .object(let object) = instance else { return true }
            let missing = names.filter { !object.contains($0) }
            if missing.isEmpty { return true }
            return fail(node, keyword, missing.count == 1 ? "is missing the required property \(missing[0])" : "is missing the required properties \(missing.joined(separator: ", "))")
        case .dependentRequired(let dependencies):
            guard case .object(let object) = instance else { return true }
            var valid = true
            for dependency in dependencies where object.contains(dependency.property) {
                let missing = dependency.required.filter { !object.contains($0) }
                if !missing.isEmpty {
                    valid = false
                    if !fail(node, keyword, "has \(dependency.property), so it must also have \(missing.joined(separator: ", "))") && !collecting { return false }
                }
            }
            return valid
        case .reference(let target):
            return followReference(to: target, instance, keywordTokens: [], evaluated: &evaluated)
        case .dynamicReference(let reference):
            var target = reference.target
            if let anchor = reference.dynamicAnchor {
                for resource in dynamicScope {
                    if let anchored = resource.dynamicAnchors[anchor] {
                        target = anchored
                        break
                    }
                }
            }
            return followReference(to: target, instance, keywordTokens: [], evaluated: &evaluated)
        case .allOf(let nodes):
            var valid = true
            for (i, subschema) in nodes.enumerated() where !descend(subschema, instance, keywordTokens: [String(i)], evaluated: &evaluated) {
                valid = false
                if !collecting || stopAtFirstError { return false }
            }
            return valid
        case .anyOf(let nodes):
            return checkAlternatives(nodes, keyword: keyword, of: node, instance, exactlyOne: false, evaluated: &evaluated)
        case .oneOf(let nodes):
            return checkAlternatives(nodes, keyword: keyword, of: node, instance, exactlyOne: true, evaluated: &evaluated)
        case .not(let subschema):
            let (matched, _) = capturingErrors { evaluator in evaluator.descend(subschema, instance, keywordTokens: []) }
            guard abort == nil else { return false }
            if !matched { return true }
            return fail(node, keyword, "must not match the schema under not")
        case .conditional(let condition, let thenNode, let elseNode):
            var conditionEvaluated: EvaluatedSet? = evaluated != nil ? EvaluatedSet() : nil
            let (holds, _) = capturingErrors { evaluator in
                evaluator.withKeywordPath(replacingLastWith: "if") { $0.descend(condition, instance, keywordTokens: [], evaluated: &conditionEvaluated) }
            }
            guard abort == nil else { return false }
            if holds, let conditionEvaluated { evaluated?.formUnion(conditionEvaluated) }
            guard let branch = holds ? thenNode : elseNode else { return true }
            return withKeywordPath(replacingLastWith: holds ? "then" : "else") { $0.descend(branch, instance, keywordTokens: [], evaluated: &evaluated) }
        case .members(let members):
            return checkMembers(members, of: node, instance, evaluated: &evaluated)
        case .propertyNames(let subschema):
            guard case .object(let object) = instance else { return true }
            var valid = true
            for member in object.members where !descend(subschema, .string(member.key), keywordTokens: [], instanceToken: member.key) {
                valid = false
                if !collecting || stopAtFirstError { return false }
            }
            return valid
        case .dependentSchemas(let dependencies):
            guard case .object(let object) = instance else { return true }
            var valid = true
            for dependency in dependencies where object.contains(dependency.property) {
                if !descend(dependency.schema, instance, keywordTokens: [dependency.property], evaluated: &evaluated) {
                    valid = false
                    if !collecting || stopAtFirstError { return false }
                }
            }
            return valid
        case .items(let items):
            return checkItems(items, instance, evaluated: &evaluated)
        case .contains(let subschema, let minimum, let maximum):
            return checkContains(subschema, minimum: minimum, maximum: maximum, keyword: keyword, of: node, instance, evaluated: &evaluated)
        case .unevaluatedProperties(let subschema):
            guard case .object(let object) = instance else { return true }
            var valid = true
            var unexpected: [String] = []
            for (i, member) in object.members.enumerated() where evaluated?.contains(i) != true {
                if subschema.constant == false {
                    unexpected.append(member.key)
                    valid = false
                    if !collecting { return false }
                } else if descend(subschema, member.value, keywordTokens: [], instanceToken: member.key) {
                    evaluated?.insert(i)
                } else {
                    valid = false
                    if !collecting || stopAtFirstError { return false }
                }
            }
            if !unexpected.isEmpty {
                return fail(node, keyword, "must not have unevaluated properties: \(unexpected.joined(separator: ", "))")
            }
            return valid
        case .unevaluatedItems(let subschema):
            guard case .array(let elements) = instance else { return true }
            var valid = true
            for (i, element) in elements.enumerated() where evaluated?.contains(i) != true {
                if descend(subschema, element, keywordTokens: [], instanceToken: String(i)) {
                    evaluated?.insert(i)
                } else {
                    valid = false
                    if !collecting || stopAtFirstError { return false }
                }
            }
            return valid
        }
    }

    private mutating func followReference(to target: SchemaNode, _ instance: JSONValue, keywordTokens: [String], evaluated: inout EvaluatedSet?) -> Bool {
        referencesCrossed += 1
        defer { referencesCrossed -= 1 }
        return descend(target, instance, keywordTokens: keywordTokens, evaluated: &evaluated)
    }

    private mutating func withKeywordPath<T>(replacingLastWith name: String, _ body: (inout SchemaEvaluator) -> T) -> T {
        guard collecting, !keywordPath.isEmpty else { return body(&self) }
        let saved = keywordPath.removeLast()
        keywordPath.append(name)
        let result = body(&self)
        keywordPath.removeLast()
        keywordPath.append(saved)
        return result
    }

    private mutating func checkAlternatives(_ nodes: [SchemaNode], keyword: CompiledKeyword, of node: SchemaNode, _ instance: JSONValue, exactlyOne: Bool, evaluated: inout EvaluatedSet?) -> Bool {
        var matches: [Int] = []
        var branchErrors: [SchemaValidationError] = []
        // Annotations need every branch; so do errors and oneOf. Otherwise the first match decides anyOf.
        let mustVisitAll = exactlyOne || evaluated != nil || collecting
        for (i, subschema) in nodes.enumerated() {
            var branchEvaluated: EvaluatedSet? = evaluated != nil ? EvaluatedSet() : nil
            let (matched, found) = capturingErrors { evaluator in
                evaluator.descend(subschema, instance, keywordTokens: [String(i)], evaluated: &branchEvaluated)
            }
            guard abort == nil else { return false }
            if matched {
                matches.append(i)
                if let branchEvaluated { evaluated?.formUnion(branchEvaluated) }
                if !mustVisitAll { return true }
                if exactlyOne && matches.count > 1 && !collecting && evaluated == nil { break }
            } else {
                branchErrors += found
            }
        }
        if exactlyOne {
            if matches.count == 1 { return true }
            if matches.isEmpty { return fail(node, keyword, "must match exactly one of the \(nodes.count) alternatives, but matches none", nested: branchErrors) }
            return fail(node, keyword, "must match exactly one alternative, but matches \(matches.count) (\(matches.map(String.init).joined(separator: ", ")))")
        }
        if !matches.isEmpty { return true }
        return fail(node, keyword, "must match at least one of the \(nodes.count) alternatives", nested: branchErrors)
    }

    private mutating func checkMembers(_ members: ObjectMembersKeyword, of node: SchemaNode, _ instance: JSONValue, evaluated: inout EvaluatedSet?) -> Bool {
        guard case .object(let object) = instance else { return true }
        var valid = true
        var unexpected: [String] = []
        for (i, member) in object.members.enumerated() {
            var matched = false
            if let property = members.properties.isEmpty ? nil : members.properties[JSONKey(member.key)] {
                matched = true
                if !descendMember(property, member, keyword: "properties", token: member.key) {
                    valid = false
                    if !collecting || stopAtFirstError { return false }
                }
            }
            for pattern in members.patterns {
                let found: Bool
                do throws(ECMARegex.MatchLimitError) {
                    found = try pattern.regex.matches(member.key)
                } catch {
                    abort = .regexLimit(pattern: error.pattern)
                    return false
                }
                guard found else { continue }
                matched = true
                if !descendMember(pattern.node, member, keyword: "patternProperties", token: pattern.pattern) {
                    valid = false
                    if !collecting || stopAtFirstError { return false }
                }
            }
            if !matched, let additional = members.additional {
                matched = true
                if additional.constant == false {
                    unexpected.append(member.key)
                    valid = false
                    if !collecting { return false }
                } else if !descendMember(additional, member, keyword: "additionalProperties", token: nil) {
                    valid = false
                    if !collecting || stopAtFirstError { return false }
                }
            }
            if matched { evaluated?.insert(i) }
        }
        if !unexpected.isEmpty {
            // One error for the object, naming every property that is not allowed.
            let listed = unexpected.joined(separator: ", ")
            return withKeywordPath(replacingLastWith: "additionalProperties") { evaluator in
                evaluator.fail(node, CompiledKeyword(name: "additionalProperties", kind: .members(members)),
                               unexpected.count == 1 ? "must not have the property \(listed)" : "must not have the properties \(listed)")
            }
        }
        return valid
    }

    private mutating func descendMember(_ node: SchemaNode, _ member: JSONObject.Member, keyword: String, token: String?) -> Bool {
        withKeywordPath(replacingLastWith: keyword) { evaluator in
            evaluator.descend(node, member.value, keywordTokens: token.map { [$0] } ?? [], instanceToken: member.key)
        }
    }

    private mutating func checkItems(_ items: ItemsKeyword, _ instance: JSONValue, evaluated: inout EvaluatedSet?) -> Bool {
        guard case .array(let elements) = instance else { return true }
        var valid = true
        for (i, element) in elements.enumerated() {
            let node: SchemaNode
            let keywordName: String
            let tokens: [String]
            if i < items.prefix.count {
                node = items.prefix[i]
                keywordName = items.prefixName
                tokens = [String(i)]
            } else if let rest = items.rest {
                node = rest
                keywordName = items.restName
                tokens = []
            } else {
                break
            }
            let passed = withKeywordPath(replacingLastWith: keywordName) { evaluator in
                evaluator.descend(node, element, keywordTokens: tokens, instanceToken: String(i))
            }
            if passed {
                evaluated?.insert(i)
            } else {
                valid = false
                if !collecting || stopAtFirstError { return false }
            }
        }
        return valid
    }

    private mutating func checkContains(_ subschema: SchemaNode, minimum: Int, maximum: Int?, keyword: CompiledKeyword, of node: SchemaNode, _ instance: JSONValue, evaluated: inout EvaluatedSet?) -> Bool {
        guard case .array(let elements) = instance else { return true }
        var count = 0
        for (i, element) in elements.enumerated() {
            let (matched, _) = capturingErrors { evaluator in evaluator.descend(subschema, element, keywordTokens: [], instanceToken: String(i)) }
            guard abort == nil else { return false }
            if matched {
                count += 1
                evaluated?.insert(i)
                if evaluated == nil && maximum == nil && count >= minimum { return true }
            }
        }
        if count < minimum {
            return fail(node, keyword, minimum == 1 ? "must contain an item that matches the schema under contains" : "must contain at least \(minimum) items that match the schema under contains (it has \(count))")
        }
        if let maximum, count > maximum {
            return fail(node, keyword, "must contain at most \(maximum) items that match the schema under contains (it has \(count))")
        }
        return true
    }

    // MARK: - Errors

    /// Records an error for `keyword` (when collecting) and returns false.
    @discardableResult
    private mutating func fail(_ node: SchemaNode, _ keyword: CompiledKeyword, _ message: @autoclosure () -> String, nested: [SchemaValidationError] = []) -> Bool {
        report(node, keyword: keyword.name, message(), nested: nested)
        return false
    }

    private mutating func report(_ node: SchemaNode, keyword: String?, _ message: @autoclosure () -> String, nested: [SchemaValidationError] = []) {
        guard collecting else { return }
        let keywordLocation = JSONPointer(tokens: keywordPath)
        var absolute: String?
        if referencesCrossed > 0 {
            let local = keyword.map { JSONPointer(tokens: [$0]).description } ?? ""
            absolute = node.absoluteLocation + local
        }
        errors.append(SchemaValidationError(
            instanceLocation: JSONPointer(tokens: instancePath), keywordLocation: keywordLocation,
            absoluteKeywordLocation: absolute, keyword: keyword ?? "false", message: message(), errors: nested))
    }

    // MARK: - Helpers

    static func matches(_ instance: JSONValue, _ types: JSONTypeSet) -> Bool {
        switch instance {
        case .null: return types.contains(.null)
        case .bool: return types.contains(.boolean)
        case .string: return types.contains(.string)
        case .array: return types.contains(.array)
        case .object: return types.contains(.object)
        case .number(let number): return types.contains(.number) || (types.contains(.integer) && number.isInteger)
        }
    }

    /// Whether the string has at most `limit` Unicode code points, counting no further than needed.
    static func hasAtMost(_ text: String, _ limit: Int) -> Bool {
        if text.utf8.count <= limit { return true }
        var count = 0
        for _ in text.unicodeScalars {
            count += 1
            if count > limit { return false }
        }
        return true
    }

    static func hasAtLeast(_ text: String, _ limit: Int) -> Bool {
        if limit <= 0 { return true }
        if text.utf8.count < limit { return false }
        var count = 0
        for _ in text.unicodeScalars {
            count += 1
            if count >= limit { return true }
        }
        return false
    }

    /// Exact decimal divisibility: `value / divisor` is an integer.
    static func isMultiple(_ value: JSONDecimal, of divisor: JSONDecimal) -> Bool {
        if value.isZero { return true }
        // value = a·10^ea, divisor = d·10^ed (a, d without trailing zeros), so the quotient is
        // (a/d)·10^(ea-ed): an integer needs ea ≥ ed (a has no factor 10 to spare) and d | a·10^(ea-ed).
        let shift = value.exponent - divisor.exponent
        guard shift >= 0 else { return false }
        guard let modulus = UInt64(digits: divisor.significand), modulus > 0 else {
            // A divisor of more than 19 significant digits: fall back to binary floating point.
            let quotient = value.doubleValue / divisor.doubleValue
            return quotient.isFinite && quotient == quotient.rounded()
        }
        var remainder: UInt64 = 0
        for digit in value.significand {
            remainder = mulmod(remainder, 10, modulus)
            remainder = (remainder + UInt64(digit &- 0x30) % modulus) % modulus
        }
        return mulmod(remainder, powmod(10, UInt64(shift), modulus), modulus) == 0
    }

    static func duplicate(in elements: [JSONValue]) -> (Int, Int)? {
        guard elements.count > 1 else { return nil }
        for i in 1..<elements.count {
            for j in 0..<i where elements[i] == elements[j] { return (j, i) }
        }
        return nil
    }

    static func brief(_ value: JSONValue) -> String {
        if case .string(let text) = value { return text }
        let serialized = JSONSerializer.serialize(value)
        return serialized.utf8.count > 60 ? String(serialized.prefix(57)) + "..." : serialized
    }

    static func text(_ decimal: JSONDecimal) -> String {
        JSONSerializer.abbreviated(decimal.text)
    }

    static func formatDescription(_ format: String) -> String {
        switch format {
        case "email", "idn-email": return "email address"
        case "date": return "date (YYYY-MM-DD)"
        case "date-time": return "date and time (RFC 3339, e.g. 2026-01-31T09:30:00Z)"
        case "time": return "time (RFC 3339, e.g. 09:30:00Z)"
        case "uri": return "absolute URI"
        case "uri-reference": return "URI reference"
        case "uuid": return "UUID"
        case "ipv4": return "IPv4 address"
        case "ipv6": return "IPv6 address"
        case "hostname", "idn-hostname": return "host name"
        case "regex": return "regular expression"
        default: return format
        }
    }
}

private func mulmod(_ a: UInt64, _ b: UInt64, _ m: UInt64) -> UInt64 {
    let (high, low) = a.multipliedFullWidth(by: b)
    return m.dividingFullWidth((high % m, low)).remainder
}

private func powmod(_ base: UInt64, _ exponent: UInt64, _ m: UInt64) -> UInt64 {
    var result: UInt64 = 1 % m
    var base = base % m
    var exponent = exponent
    while exponent > 0 {
        if exponent & 1 == 1 { result = mulmod(result, base, m) }
        base = mulmod(base, base, m)
        exponent >>= 1
    }
    return result
}

extension UInt64 {
    /// From ASCII decimal digits; nil when empty or too large.
    init?(digits: [UInt8]) {
        guard !digits.isEmpty, digits.count <= 19 else { return nil }
        var value: UInt64 = 0
        for digit in digits {
            let (times, o1) = value.multipliedReportingOverflow(by: 10)
            let (sum, o2) = times.addingReportingOverflow(UInt64(digit &- 0x30))
            guard !o1, !o2 else { return nil }
            value = sum
        }
        self = value
    }
}

/// Which members (by position) or items of the instance have been evaluated successfully.
struct EvaluatedSet {
    private var small: UInt64 = 0
    private var large: [UInt64] = []

    func contains(_ index: Int) -> Bool {
        if index < 64 { return small & (1 << UInt64(index)) != 0 }
        let word = index / 64 - 1
        return word < large.count && large[word] & (1 << UInt64(index % 64)) != 0
    }

    mutating func insert(_ index: Int) {
        if index < 64 { small |= 1 << UInt64(index); return }
        let word = index / 64 - 1
        if word >= large.count { large += [UInt64](repeating: 0, count: word - large.count + 1) }
        large[word] |= 1 << UInt64(index % 64)
    }

    mutating func formUnion(_ other: EvaluatedSet) {
        small |= other.small
        if large.count < other.large.count { large += [UInt64](repeating: 0, count: other.large.count - large.count) }
        for i in other.large.indices { large[i] |= other.large[i] }
    }
}
