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
        return withUTF8(of: text) { bytesEqual(own, $0) }
    }

    /// Visits an array's elements: `body(position, node)`, stopping when it returns false.
    @inline(__always)
    func forEachElement(of array: Int, _ body: (Int, Int) throws -> Bool) rethrows {
        var child = array + 1
        let end = Int(nodes[array].end)
        var position = 0
        while child < end {
            guard try body(position, child) else { return }
            position += 1
            child = Int(nodes[child].end)
        }
    }

    func members(of object: Int) -> MemberCursor { MemberCursor(self, object) }

    /// The value of member `key` (the last one written, as `JSON.parse` has it), if any.
    func value(of object: Int, forKey key: UnsafeBufferPointer<UInt8>) -> Int? {
        var found: Int?
        let wanted = KeyFingerprint(utf8: key)
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
        withUTF8(of: key) { value(of: object, forKey: $0) } != nil
    }

    /// A string's UTF-8 read in place: native strings (every one the library makes) need no
    /// mutable copy, which `withUTF8` would take at the cost of a retain and a release.
    @inline(__always)
    private func withUTF8<T>(of text: String, _ body: (UnsafeBufferPointer<UInt8>) -> T) -> T {
        if let result = text.utf8.withContiguousStorageIfAvailable(body) { return result }
        return Array(text.utf8).withUnsafeBufferPointer(body)
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
            var other = b + 1
            var same = true
            forEachElement(of: a) { _, element in
                same = equal(element, other)
                other = Int(nodes[other].end)
                return same
            }
            return same
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
            var same = true
            forEachElement(of: index) { position, element in
                same = equal(element, elements[position])
                return same
            }
            return same
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
