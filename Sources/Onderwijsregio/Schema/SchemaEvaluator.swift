/// One validation of one instance, read from its `JSONTape`: the instance is a node index, so
/// walking it copies and retains nothing. Two modes: `collecting` writes the full error report
/// (paths, messages, nested branch errors) as JSON text (`ReportWriter`); otherwise the
/// evaluator only answers valid/invalid and stops at the first failure, building no paths at
/// all — the fast path for valid input.
struct SchemaEvaluator {
    /// Why an evaluation could not finish (neither valid nor invalid).
    enum Abort: Error {
        case regexLimit(pattern: String)
        case recursion(limit: Int)
        case stackExhausted
    }

    let tape: JSONTapeView
    /// Off while a subschema is only probed (`probe`): its errors would be thrown away.
    private(set) var collecting: Bool
    let stopAtFirstError: Bool
    let tracksDynamicScope: Bool
    let language: MessageLanguage
    private let stackFloor = StackGuard.currentFloor()
    /// Written only while `collecting`, and only after `beginReport()`.
    private var report = ReportWriter()
    private(set) var abort: Abort?
    /// PCRE2 match data shared by every pattern this evaluation matches; see `release`.
    private var regexScratch: OpaquePointer?
    private var instancePath = PointerText()
    /// The keyword path up to the schema being evaluated; its keyword being checked is
    /// `pendingKeyword`, appended only when a subschema is entered under it or an error names it.
    private var keywordPath = PointerText()
    /// Unretained: the schema, which owns the tokens, outlives the evaluation.
    private var pendingKeyword: Unmanaged<PointerText.Token>?
    /// Resources entered, outermost first: the dynamic scope of `$dynamicRef`.
    private var dynamicScope: [SchemaResource] = []
    /// How many references the current path crossed: errors then get an absolute location.
    private var referencesCrossed = 0
    private var depth = 0
    /// Nested evaluations beyond this are a cyclic reference that never consumes the instance.
    static let depthLimit = 10_000

    init(tape: JSONTapeView, collecting: Bool, stopAtFirstError: Bool, tracksDynamicScope: Bool, language: MessageLanguage = .english) {
        self.tape = tape
        self.collecting = collecting
        self.language = language
        self.stopAtFirstError = stopAtFirstError
        self.tracksDynamicScope = tracksDynamicScope
    }

    /// Frees what the evaluation allocated outside Swift's reach; call once, when done.
    mutating func release() {
        ECMARegex.releaseScratch(regexScratch)
        regexScratch = nil
        instancePath.release()
        keywordPath.release()
        report.release()
    }

    /// Starts the report that a collecting evaluation writes its errors into.
    mutating func beginReport() {
        report.begin()
    }

    /// The finished report, handed to `body`; valid only inside it.
    mutating func finishReport(_ body: (UnsafeBufferPointer<UInt8>) -> Void) {
        report.finish(body)
    }

    // MARK: - Nodes

    /// Evaluates `node` against `instance`. `evaluated`, when given, receives the members or
    /// items this node evaluated successfully (for an enclosing `unevaluated*`).
    mutating func evaluate(_ node: SchemaNode, _ instance: Int, evaluated: inout EvaluatedSet?) -> Bool {
        if let constant = node.constant {
            if !constant && collecting { record(node, ValidationMessage.falseSchema.text(language).json) }
            return constant
        }
        guard abort == nil else { return false }
        depth += 1
        defer { depth -= 1 }
        if depth > Self.depthLimit {
            abort = .recursion(limit: Self.depthLimit)
            return false
        }
        if !StackGuard.hasRoom(above: stackFloor) {
            abort = .stackExhausted
            return false
        }
        // The dynamic scope matters only to $dynamicRef; schemas without one skip the bookkeeping.
        let enteredResource = tracksDynamicScope && dynamicScope.last !== node.resource
        if enteredResource { dynamicScope.append(node.resource) }
        defer { if enteredResource { dynamicScope.removeLast() } }

        guard node.tracksEvaluation || evaluated != nil else {
            // Nothing to collect: `evaluated` is nil and stays nil (keywords only add to a set
            // that exists), so it is handed down instead of a set of this node's own.
            return checkKeywords(of: node, instance, evaluated: &evaluated)
        }
        var local: EvaluatedSet? = EvaluatedSet()
        let valid = checkKeywords(of: node, instance, evaluated: &local)
        if valid, let local, evaluated != nil { evaluated?.formUnion(local) }
        return valid
    }

    @inline(__always)
    private mutating func checkKeywords(of node: SchemaNode, _ instance: Int, evaluated: inout EvaluatedSet?) -> Bool {
        var valid = true
        let keywords = node.keywordRefs
        for i in keywords.indices {
            let passed = keywords[i].keyword._withUnsafeGuaranteedRef { keyword in
                if collecting { pendingKeyword = .passUnretained(keyword.pathToken) }
                return check(keyword, of: node, instance, evaluated: &evaluated)
            }
            if !passed {
                valid = false
                if !collecting || stopAtFirstError || abort != nil { return false }
            }
        }
        return valid
    }

    /// How a subschema's keyword path continues the current one. Only turned into path tokens
    /// when collecting, so the fast path builds no paths at all.
    enum SchemaStep {
        /// The subschema sits at the current keyword (`$ref`, `not`, `if`).
        case here
        case index(Int)
        case key(String)
        /// The keyword on the path is really another one of its fused group (`then`, `items`…).
        case renamed(PointerText.Token)
        case renamedIndex(PointerText.Token, Int)
        case renamedKey(PointerText.Token, String)
        /// A property named like the instance's member whose key is this tape node.
        case renamedMember(PointerText.Token, Int)

        var replacesKeyword: Bool {
            switch self {
            case .here, .index, .key: return false
            case .renamed, .renamedIndex, .renamedKey, .renamedMember: return true
            }
        }
    }

    enum InstanceStep {
        case here
        /// The member whose key is this tape node.
        case member(Int)
        case index(Int)
    }

    /// Evaluates a subschema one step further along the keyword path (and the instance path).
    /// Inlined so that the fast path never even builds the step values.
    @inline(__always)
    private mutating func descend(_ node: NodeRef, _ instance: Int, _ schemaStep: @autoclosure () -> SchemaStep, _ instanceStep: @autoclosure () -> InstanceStep = .here, evaluated: inout EvaluatedSet?) -> Bool {
        guard collecting else { return node.with { evaluate($0, instance, evaluated: &evaluated) } }
        return node.with { descendCollecting($0, instance, schemaStep(), instanceStep(), evaluated: &evaluated) }
    }

    private mutating func descendCollecting(_ node: SchemaNode, _ instance: Int, _ schemaStep: SchemaStep, _ instanceStep: InstanceStep, evaluated: inout EvaluatedSet?) -> Bool {
        let keywordLength = keywordPath.length
        let keyword = pendingKeyword
        if !schemaStep.replacesKeyword, let keyword { keywordPath.append(keyword.takeUnretainedValue()) }
        switch schemaStep {
        case .here: break
        case .index(let i): keywordPath.append(index: i)
        case .key(let key): keywordPath.append(key)
        case .renamed(let name): keywordPath.append(name)
        case .renamedIndex(let name, let i):
            keywordPath.append(name)
            keywordPath.append(index: i)
        case .renamedKey(let name, let key):
            keywordPath.append(name)
            keywordPath.append(key)
        case .renamedMember(let name, let key):
            keywordPath.append(name)
            keywordPath.append(tape.utf8(key))
        }
        pendingKeyword = nil
        let instanceLength = instancePath.length
        switch instanceStep {
        case .here: break
        case .member(let key): instancePath.append(tape.utf8(key))
        case .index(let i): instancePath.append(index: i)
        }
        let valid = evaluate(node, instance, evaluated: &evaluated)
        instancePath.truncate(to: instanceLength)
        keywordPath.truncate(to: keywordLength)
        pendingKeyword = keyword
        return valid
    }

    @inline(__always)
    private mutating func descend(_ node: NodeRef, _ instance: Int, _ schemaStep: @autoclosure () -> SchemaStep, _ instanceStep: @autoclosure () -> InstanceStep = .here) -> Bool {
        var none: EvaluatedSet? = nil
        return descend(node, instance, schemaStep(), instanceStep(), evaluated: &none)
    }

    /// Only whether `node` holds (and what it evaluated): for `not`, `if` and `contains`, whose
    /// subschema's errors never count. The verdict path is taken even while collecting, so no
    /// error is built only to be thrown away.
    private mutating func probe(_ node: NodeRef, _ instance: Int, evaluated: inout EvaluatedSet?) -> Bool {
        let wasCollecting = collecting
        collecting = false
        defer { collecting = wasCollecting }
        return node.with { evaluate($0, instance, evaluated: &evaluated) }
    }

    private mutating func probe(_ node: NodeRef, _ instance: Int) -> Bool {
        var none: EvaluatedSet? = nil
        return probe(node, instance, evaluated: &none)
    }

    /// Whether evaluation may go on after a failure: only when collecting every error.
    private var continuesAfterFailure: Bool { collecting && !stopAtFirstError && abort == nil }

    // MARK: - Keywords

    private mutating func check(_ keyword: CompiledKeyword, of node: SchemaNode, _ instance: Int, evaluated: inout EvaluatedSet?) -> Bool {
        // A copy: messages and paths built in autoclosures read it while `self` is being mutated.
        let tape = self.tape
        switch keyword.kind {
        case .type(let types):
            if matches(instance, types) { return true }
            return fail(node, .type(expected: types.names, actual: tape.typeName(instance)))
        case .enumeration(let values):
            if values.with({ $0.contains(instance, in: tape) }) { return true }
            return fail(node, keyword)
        case .constant(let value):
            if tape.equal(instance, value) { return true }
            return fail(node, keyword)
        case .multipleOf(let divisor):
            guard tape.kind(instance) == .number else { return true }
            if Self.isMultiple(instance, in: tape, of: divisor) { return true }
            return fail(node, keyword)
        case .maximum(let limit):
            guard tape.kind(instance) == .number, tape.compareNumber(instance, with: limit) > 0 else { return true }
            return fail(node, keyword)
        case .exclusiveMaximum(let limit):
            guard tape.kind(instance) == .number, tape.compareNumber(instance, with: limit) >= 0 else { return true }
            return fail(node, keyword)
        case .minimum(let limit):
            guard tape.kind(instance) == .number, tape.compareNumber(instance, with: limit) < 0 else { return true }
            return fail(node, keyword)
        case .exclusiveMinimum(let limit):
            guard tape.kind(instance) == .number, tape.compareNumber(instance, with: limit) <= 0 else { return true }
            return fail(node, keyword)
        case .maxLength(let limit):
            guard tape.kind(instance) == .string, !Self.hasAtMost(tape.utf8(instance), limit) else { return true }
            return fail(node, keyword)
        case .minLength(let limit):
            guard tape.kind(instance) == .string, !Self.hasAtLeast(tape.utf8(instance), limit) else { return true }
            return fail(node, keyword)
        case .pattern(let regex):
            guard tape.kind(instance) == .string else { return true }
            let text = tape.utf8(instance)
            let matched = regex.with { regex -> Result<Bool, ECMARegex.MatchLimitError> in
                Result { () throws(ECMARegex.MatchLimitError) -> Bool in try regex.matches(text, scratch: &regexScratch) }
            }
            switch matched {
            case .success(true): return true
            case .success(false): return fail(node, keyword)
            case .failure(let error):
                abort = .regexLimit(pattern: error.pattern)
                return false
            }
        case .format(let format):
            guard tape.kind(instance) == .string, !FormatChecker.check(format, utf8: tape.utf8(instance)) else { return true }
            return fail(node, keyword)
        case .maxItems(let limit):
            guard tape.kind(instance) == .array, tape.count(instance) > limit else { return true }
            return fail(node, keyword)
        case .minItems(let limit):
            guard tape.kind(instance) == .array, tape.count(instance) < limit else { return true }
            return fail(node, keyword)
        case .uniqueItems:
            guard tape.kind(instance) == .array, let (first, second) = duplicate(in: instance) else { return true }
            return fail(node, .duplicates(first: first, second: second))
        case .maxProperties(let limit):
            guard tape.kind(instance) == .object, tape.members(of: instance).count > limit else { return true }
            return fail(node, keyword)
        case .minProperties(let limit):
            guard tape.kind(instance) == .object, tape.members(of: instance).count < limit else { return true }
            return fail(node, keyword)
        case .required(let required):
            guard tape.kind(instance) == .object,
                  !required.with({ $0.allPresent(in: instance, of: tape) }) else { return true }
            return fail(node, .required(missing: required.with { $0.missing(in: instance, of: tape) }))
        case .dependentRequired(let dependencies):
            guard tape.kind(instance) == .object else { return true }
            var valid = true
            for dependency in dependencies where tape.contains(instance, key: dependency.property) {
                let missing = dependency.then.filter { !tape.contains(instance, key: $0) }
                guard !missing.isEmpty else { continue }
                valid = fail(node, .dependentRequired(property: dependency.property, missing: missing))
                if !continuesAfterFailure { return false }
            }
            return valid
        case .reference(let target):
            return followReference(to: target, instance, evaluated: &evaluated)
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
            return followReference(to: target, instance, evaluated: &evaluated)
        case .allOf(let subschemas):
            return subschemas.with { box in
                var valid = true
                for i in box.value.indices where !descend(box.value[i], instance, .index(i), evaluated: &evaluated) {
                    valid = false
                    if !continuesAfterFailure { return false }
                }
                return valid
            }
        case .anyOf(let subschemas):
            return subschemas.with { checkAlternatives($0.value, keyword: keyword, of: node, instance, exactlyOne: false, evaluated: &evaluated) }
        case .oneOf(let subschemas):
            return subschemas.with { checkAlternatives($0.value, keyword: keyword, of: node, instance, exactlyOne: true, evaluated: &evaluated) }
        case .not(let subschema):
            let matched = probe(subschema, instance)
            guard abort == nil else { return false }
            if !matched { return true }
            return fail(node, keyword)
        case .conditional(let condition, let thenNode, let elseNode):
            var conditionEvaluated: EvaluatedSet? = evaluated != nil ? EvaluatedSet() : nil
            let holds = probe(condition, instance, evaluated: &conditionEvaluated)
            guard abort == nil else { return false }
            if holds, let conditionEvaluated { evaluated?.formUnion(conditionEvaluated) }
            guard let branch = holds ? thenNode : elseNode else { return true }
            return descend(branch, instance, .renamed(holds ? .then : .else), evaluated: &evaluated)
        case .members(let members):
            return members.with { checkMembers($0, of: node, instance, evaluated: &evaluated) }
        case .propertyNames(let subschema):
            guard tape.kind(instance) == .object else { return true }
            var valid = true
            var members = tape.members(of: instance)
            while let member = members.next() {
                if descend(subschema, member.key, .here, .member(member.key)) { continue }
                valid = false
                if !continuesAfterFailure { return false }
            }
            return valid
        case .dependentSchemas(let dependencies):
            guard tape.kind(instance) == .object else { return true }
            var valid = true
            for dependency in dependencies where tape.contains(instance, key: dependency.property) {
                if !descend(dependency.then, instance, .key(dependency.property), evaluated: &evaluated) {
                    valid = false
                    if !continuesAfterFailure { return false }
                }
            }
            return valid
        case .items(let items):
            return items.with { checkItems($0, instance, evaluated: &evaluated) }
        case .contains(let subschema, let minimum, let maximum):
            return checkContains(subschema, minimum: minimum, maximum: maximum, of: node, instance, evaluated: &evaluated)
        case .unevaluatedProperties(let subschema):
            guard tape.kind(instance) == .object else { return true }
            var valid = true
            var unexpected: [String] = []
            var members = tape.members(of: instance)
            var i = -1
            while let member = members.next() {
                i += 1
                if evaluated?.contains(i) == true { continue }
                if subschema.isFalse {
                    if !collecting { return false }
                    unexpected.append(tape.string(at: member.key))
                    valid = false
                } else if descend(subschema, member.value, .here, .member(member.key)) {
                    evaluated?.insert(i)
                } else {
                    valid = false
                    if !continuesAfterFailure { return false }
                }
            }
            if !unexpected.isEmpty {
                return fail(node, .unevaluatedProperties(unexpected))
            }
            return valid
        case .unevaluatedItems(let subschema):
            guard tape.kind(instance) == .array else { return true }
            var valid = true
            var elements = tape.elements(of: instance)
            while let (i, element) = elements.next() {
                if evaluated?.contains(i) == true { continue }
                if descend(subschema, element, .here, .index(i)) {
                    evaluated?.insert(i)
                } else {
                    valid = false
                    if !continuesAfterFailure { return false }
                }
            }
            return valid
        }
    }

    private mutating func followReference(to target: NodeRef, _ instance: Int, evaluated: inout EvaluatedSet?) -> Bool {
        referencesCrossed += 1
        defer { referencesCrossed -= 1 }
        return descend(target, instance, .here, evaluated: &evaluated)
    }

    private mutating func checkAlternatives(_ nodes: [NodeRef], keyword: CompiledKeyword, of node: SchemaNode, _ instance: Int, exactlyOne: Bool, evaluated: inout EvaluatedSet?) -> Bool {
        var matches = 0
        var firstMatches: [Int] = []
        // Annotations need every branch; so do error reports and oneOf. Otherwise the first match decides anyOf.
        let visitsAll = exactlyOne || evaluated != nil || collecting
        // Only when collecting, which visits every branch: the early returns below never leave it open.
        let branchErrors = collecting ? report.beginGroup() : nil
        for i in nodes.indices {
            var branchEvaluated: EvaluatedSet? = evaluated != nil ? EvaluatedSet() : nil
            let matched = descend(nodes[i], instance, .index(i), evaluated: &branchEvaluated)
            guard abort == nil else { return false }
            if matched {
                matches += 1
                if collecting && firstMatches.count < 2 { firstMatches.append(i) }
                if let branchEvaluated { evaluated?.formUnion(branchEvaluated) }
                if !visitsAll { return true }
                if exactlyOne && matches > 1 && !collecting && evaluated == nil { return false }
            }
        }
        if let branchErrors {
            report.endGroup(branchErrors)
            // A match makes the failed branches' errors moot (a branch that holds wrote none).
            if matches > 0 { report.discard(branchErrors) }
        }
        if matches == 0 { return fail(node, keyword, nested: branchErrors) }
        if exactlyOne && matches > 1 { return fail(node, .oneOfSeveral(matches: matches, first: firstMatches)) }
        return true
    }

    private mutating func checkMembers(_ members: ObjectMembersKeyword, of node: SchemaNode, _ instance: Int, evaluated: inout EvaluatedSet?) -> Bool {
        let tape = self.tape
        guard tape.kind(instance) == .object else { return true }
        var valid = true
        var unexpected: [String] = []
        var cursor = tape.members(of: instance)
        var i = -1
        var propertyHint = 0
        // What a member's subschema evaluated is not wanted (a member counts as a whole): one
        // empty set serves every member, as `evaluate` never fills one that is nil.
        var none: EvaluatedSet? = nil
        while let member = cursor.next() {
            i += 1
            let key = tape.utf8(member.key)
            var matched = false
            if let property = members.properties.node(forKey: key, fingerprint: tape.fingerprint(member.key), hint: &propertyHint) {
                matched = true
                if !descend(property, member.value, .renamedMember(.properties, member.key), .member(member.key), evaluated: &none) {
                    valid = false
                    if !continuesAfterFailure { return false }
                }
            }
            for pattern in members.patterns {
                let found: Bool
                do throws(ECMARegex.MatchLimitError) {
                    found = try pattern.regex.matches(key, scratch: &regexScratch)
                } catch {
                    abort = .regexLimit(pattern: error.pattern)
                    return false
                }
                guard found else { continue }
                matched = true
                if !descend(pattern.node, member.value, .renamedKey(.patternProperties, pattern.pattern), .member(member.key), evaluated: &none) {
                    valid = false
                    if !continuesAfterFailure { return false }
                }
            }
            if !matched, let additional = members.additional {
                matched = true
                if additional.isFalse {
                    if !collecting { return false }
                    unexpected.append(tape.string(at: member.key))
                    valid = false
                } else if !descend(additional, member.value, .renamed(.additionalProperties), .member(member.key), evaluated: &none) {
                    valid = false
                    if !continuesAfterFailure { return false }
                }
            }
            if matched { evaluated?.insert(i) }
        }
        if !unexpected.isEmpty {
            // One error for the object, naming every property that is not allowed.
            let members = pendingKeyword
            pendingKeyword = .passUnretained(.additionalProperties)
            fail(node, .additionalProperties(unexpected))
            pendingKeyword = members
        }
        return valid
    }

    private mutating func checkItems(_ box: Boxed<ItemsKeyword>, _ instance: Int, evaluated: inout EvaluatedSet?) -> Bool {
        guard tape.kind(instance) == .array else { return true }
        let items = box.value
        var valid = true
        var elements = tape.elements(of: instance)
        var none: EvaluatedSet? = nil  // as in `checkMembers`
        while let (i, element) = elements.next() {
            let passed: Bool
            if i < items.prefix.count {
                passed = descend(items.prefix[i], element, .renamedIndex(items.prefixToken, i), .index(i), evaluated: &none)
            } else if let rest = items.rest {
                passed = descend(rest, element, .renamed(items.restToken), .index(i), evaluated: &none)
            } else {
                break
            }
            if passed {
                evaluated?.insert(i)
            } else {
                valid = false
                if !continuesAfterFailure { return false }
            }
        }
        return valid
    }

    private mutating func checkContains(_ subschema: NodeRef, minimum: Int, maximum: Int?, of node: SchemaNode, _ instance: Int, evaluated: inout EvaluatedSet?) -> Bool {
        guard tape.kind(instance) == .array else { return true }
        var count = 0
        var elements = tape.elements(of: instance)
        while let (i, element) = elements.next() {
            let matched = probe(subschema, element)
            guard abort == nil else { return false }
            if matched {
                count += 1
                evaluated?.insert(i)
                if evaluated == nil && maximum == nil && count >= minimum { return true }
            }
        }
        if count < minimum {
            return fail(node, .containsTooFew(minimum: minimum, count: count))
        }
        if let maximum, count > maximum {
            return fail(node, .containsTooMany(maximum: maximum, count: count))
        }
        return true
    }

    // MARK: - Errors

    /// Records an error (when collecting) for the keyword being checked, `pendingKeyword`, and
    /// returns false.
    @discardableResult
    private mutating func fail(_ node: SchemaNode, _ message: @autoclosure () -> ValidationMessage, nested: ReportWriter.ErrorGroup? = nil) -> Bool {
        guard collecting else { return false }
        let text = message().text(language).json
        record(node, text, nested: nested)
        return false
    }

    /// `fail` for a keyword whose message says nothing about the instance: made when compiling.
    private mutating func fail(_ node: SchemaNode, _ keyword: CompiledKeyword, nested: ReportWriter.ErrorGroup? = nil) -> Bool {
        guard collecting else { return false }
        record(node, keyword.fixedMessage(language), nested: nested)
        return false
    }

    /// The error of the keyword being checked (`pendingKeyword`), or of a false schema when there
    /// is none.
    private mutating func record(_ node: SchemaNode, _ message: [UInt8], nested: ReportWriter.ErrorGroup? = nil) {
        report.writeError(instanceLocation: instancePath, keywordLocation: keywordPath, keyword: pendingKeyword?.takeUnretainedValue(),
                          absoluteBase: referencesCrossed > 0 ? node.absoluteLocationJSON : nil, message: message, nested: nested)
    }

    // MARK: - Helpers

    func matches(_ instance: Int, _ types: JSONTypeSet) -> Bool {
        switch tape.kind(instance) {
        case .null: return types.contains(.null)
        case .bool: return types.contains(.boolean)
        case .string: return types.contains(.string)
        case .array: return types.contains(.array)
        case .object: return types.contains(.object)
        case .number: return types.contains(.number) || (types.contains(.integer) && tape.isInteger(instance))
        }
    }

    /// Whether valid UTF-8 has at most `limit` Unicode code points, counting no further than
    /// needed: a code point is a byte that does not continue a sequence.
    static func hasAtMost(_ utf8: UnsafeBufferPointer<UInt8>, _ limit: Int) -> Bool {
        if utf8.count <= limit { return true }
        var count = 0
        for byte in utf8 where byte & 0xC0 != 0x80 {
            count += 1
            if count > limit { return false }
        }
        return true
    }

    static func hasAtLeast(_ utf8: UnsafeBufferPointer<UInt8>, _ limit: Int) -> Bool {
        if limit <= 0 { return true }
        if utf8.count < limit { return false }
        var count = 0
        for byte in utf8 where byte & 0xC0 != 0x80 {
            count += 1
            if count >= limit { return true }
        }
        return false
    }

    static func isMultiple(_ number: Int, in tape: JSONTapeView, of divisor: JSONDecimal) -> Bool {
        let node = tape.nodes[number]
        if node.flag, let whole = divisor.int64Value, whole > 0 {
            return node.integer % whole == 0
        }
        if let plain = node.flag ? PlainDecimal(node.integer) : PlainDecimal(tape.utf8(number)), let modulus = UInt64(digits: divisor.significand), modulus > 0 {
            // The argument of the general case below, with the significand already an integer.
            if plain.significand == 0 { return true }
            let shift = plain.exponent - divisor.exponent
            guard shift >= 0 else { return false }
            return mulmod(plain.significand % modulus, powmod(10, UInt64(shift), modulus), modulus) == 0
        }
        return isMultiple(tape.number(at: number).decimal, of: divisor)
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

    /// The positions of the first two equal elements of an array, if any.
    func duplicate(in array: Int) -> (Int, Int)? {
        var later = tape.elements(of: array)
        while let (i, element) = later.next() {
            var earlier = tape.elements(of: array)
            while let (j, other) = earlier.next(), j < i {
                if tape.equal(other, element) { return (j, i) }
            }
        }
        return nil
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
    /// Words for indexes from 64 on; nil (no allocation) for the usual small instance.
    private var large: [UInt64]? = nil

    func contains(_ index: Int) -> Bool {
        if index < 64 { return small & (1 << UInt64(index)) != 0 }
        let word = index / 64 - 1
        guard let large, word < large.count else { return false }
        return large[word] & (1 << UInt64(index % 64)) != 0
    }

    mutating func insert(_ index: Int) {
        if index < 64 { small |= 1 << UInt64(index); return }
        let word = index / 64 - 1
        var words = large ?? []
        if word >= words.count { words += [UInt64](repeating: 0, count: word - words.count + 1) }
        words[word] |= 1 << UInt64(index % 64)
        large = words
    }

    mutating func formUnion(_ other: EvaluatedSet) {
        small |= other.small
        guard let theirs = other.large else { return }
        var words = large ?? []
        if words.count < theirs.count { words += [UInt64](repeating: 0, count: theirs.count - words.count) }
        for i in theirs.indices { words[i] |= theirs[i] }
        large = words
    }
}
