/// A `JSONTape` read in place. Indexes come from the tape itself, so they are always in range.
struct JSONTapeView {
    let nodes: UnsafeBufferPointer<JSONTape.Node>
    let bytes: UnsafeBufferPointer<UInt8>

    @inline(__always)
    func kind(_ index: Int) -> JSONTape.Kind { nodes[index].kind }

    /// The bytes of a string (decoded UTF-8) or of a number's literal.
    @inline(__always)
    func utf8(_ index: Int) -> UnsafeBufferPointer<UInt8> {
        let node = nodes[index]
        return UnsafeBufferPointer(rebasing: bytes[Int(node.offset)..<Int(node.offset) + Int(node.count)])
    }

    func string(at index: Int) -> String { String(decoding: utf8(index), as: UTF8.self) }

    func number(at index: Int) -> JSONNumber {
        let node = nodes[index]
        if node.flag { return JSONNumber(node.integer) }
        return JSONNumber(validatedLiteral: string(at: index))
    }

    /// The number at `index` against `other`, exactly: negative, zero or positive as it is below,
    /// equal or above. An integer `other` is met without allocating by an integer or a plain
    /// decimal literal (`PlainDecimal`), what form fields hold.
    func compareNumber(_ index: Int, with other: JSONNumber) -> Int {
        if case .integer(let limit) = other.storage {
            let node = nodes[index]
            if node.flag { return node.integer < limit ? -1 : (node.integer == limit ? 0 : 1) }
            if let plain = PlainDecimal(utf8(index)) { return plain.compare(with: limit) }
        }
        let value = number(at: index)
        return value < other ? -1 : (value == other ? 0 : 1)
    }

    func isInteger(_ index: Int) -> Bool { nodes[index].flag || number(at: index).isInteger }

    /// The JSON Schema type name ("integer" is never returned).
    func typeName(_ index: Int) -> String { nodes[index].kind.rawValue }

    func count(_ index: Int) -> Int { Int(nodes[index].count) }

    /// The index after the value's subtree: its next sibling, if it has one.
    @inline(__always)
    func end(_ index: Int) -> Int { Int(nodes[index].end) }

    /// Code-point (byte) equality of two strings of the tape.
    @inline(__always)
    func sameString(_ a: Int, _ b: Int) -> Bool {
        let left = nodes[a], right = nodes[b]
        guard left.count == right.count, left.integer == right.integer else { return false }
        return left.count <= 8 || bytesEqual(utf8(a), utf8(b))
    }

    /// A string's length and leading bytes, as `KeyFingerprint` computes them.
    @inline(__always)
    func fingerprint(_ string: Int) -> KeyFingerprint {
        KeyFingerprint(length: Int(nodes[string].count), prefix: UInt64(bitPattern: nodes[string].integer))
    }

    func isString(_ index: Int, equalTo text: String) -> Bool {
        let own = utf8(index)
        guard own.count == text.utf8.count else { return false }
        return withUTF8InPlace(text) { bytesEqual(own, $0) }
    }

    func elements(of array: Int) -> ElementCursor { ElementCursor(self, array) }

    func members(of object: Int) -> MemberCursor { MemberCursor(self, object) }

    /// The value of member `key` (the last one written, as `JSON.parse` has it), if any.
    func value(of object: Int, forKey key: UnsafeBufferPointer<UInt8>) -> Int? {
        value(of: object, forKey: key, fingerprint: KeyFingerprint(utf8: key))
    }

    /// `value(of:forKey:)` with the key's fingerprint made once, ahead of time.
    func value(of object: Int, forKey key: UnsafeBufferPointer<UInt8>, fingerprint wanted: KeyFingerprint) -> Int? {
        var found: Int?
        var child = object + 1
        let end = Int(nodes[object].end)
        while child < end {
            if fingerprint(child) == wanted && (wanted.isWholeKey || bytesEqual(utf8(child), key)) {
                found = child + 1
                if !nodes[object].flag { return found }
            }
            child = Int(nodes[child + 1].end)
        }
        return found
    }

    func contains(_ object: Int, key: String) -> Bool {
        withUTF8InPlace(key) { value(of: object, forKey: $0) } != nil
    }

    // MARK: Equality (JSON equality, as `JSONValue ==`)

    func equal(_ a: Int, _ b: Int) -> Bool {
        let left = nodes[a], right = nodes[b]
        guard left.kind == right.kind else { return false }
        switch left.kind {
        case .null: return true
        case .bool: return left.flag == right.flag
        case .number:
            if left.flag && right.flag { return left.integer == right.integer }
            return number(at: a) == number(at: b)
        case .string: return sameString(a, b)
        case .array:
            guard left.count == right.count else { return false }
            var leftElements = elements(of: a), rightElements = elements(of: b)
            while let element = leftElements.next(), let other = rightElements.next() {
                guard equal(element.node, other.node) else { return false }
            }
            return true
        case .object:
            var leftMembers = members(of: a), rightMembers = members(of: b)
            guard leftMembers.count == rightMembers.count else { return false }
            while let member = leftMembers.next() {
                guard let value = value(of: b, forKey: utf8(member.key)), equal(member.value, value) else { return false }
            }
            return true
        }
    }

    func equal(_ index: Int, _ value: JSONValue) -> Bool {
        let node = nodes[index]
        switch (node.kind, value) {
        case (.null, .null): return true
        case (.bool, .bool(let flag)): return node.flag == flag
        case (.number, .number(let number)):
            if node.flag, case .integer(let integer) = number.storage { return node.integer == integer }
            return self.number(at: index) == number
        case (.string, .string(let text)): return isString(index, equalTo: text)
        case (.array, .array(let elements)):
            guard node.count == elements.count else { return false }
            var cursor = self.elements(of: index)
            while let element = cursor.next() {
                guard equal(element.node, elements[element.position]) else { return false }
            }
            return true
        case (.object, .object(let object)):
            var members = members(of: index)
            guard members.count == object.count else { return false }
            while let member = members.next() {
                guard let other = object[string(at: member.key)], equal(member.value, other) else { return false }
            }
            return true
        default: return false
        }
    }
}
