/// What the parser builds from the values it reads. The grammar, its checks and its errors live
/// in the parser once; a sink decides the shape: a `JSONValue` tree for the public API, or a
/// flat `JSONTape` for validation, which allocates nothing per string or container.
///
/// The parser calls, for an array, `beginArray`, then `element` after each value, then
/// `endArray` with what `beginArray` returned; for an object, `beginObject`, then per member
/// `key` (before the value is read) and `member`, then `endObject`. Byte buffers are valid only
/// during the call.
protocol JSONDocumentSink {
    associatedtype Value
    associatedtype Key
    associatedtype ContainerStart

    mutating func null() -> Value
    mutating func bool(_ value: Bool) -> Value
    /// `literal` passed the JSON number grammar; `integer` is its value when it is a plain
    /// integer of at most 18 digits (and not "-0").
    mutating func number(literal: UnsafeBufferPointer<UInt8>, integer: Int64?) -> Value
    /// Decoded, valid UTF-8.
    mutating func string(_ utf8: UnsafeBufferPointer<UInt8>) -> Value
    mutating func beginArray() -> ContainerStart
    mutating func element(_ value: Value)
    mutating func endArray(_ start: ContainerStart) -> Value
    mutating func beginObject() -> ContainerStart
    mutating func key(_ utf8: UnsafeBufferPointer<UInt8>) -> Key
    mutating func member(_ key: Key, _ value: Value)
    mutating func endObject(_ start: ContainerStart) -> Value
}

/// Builds `JSONValue` trees. Containers are built on move stacks and moved off in one piece.
/// Manual memory: call `release()` exactly once.
struct JSONValueSink: JSONDocumentSink {
    /// Elements and members of the containers being parsed, innermost on top.
    private var elements = MoveStack<JSONValue>()
    private var members = MoveStack<JSONObject.Member>()

    func release() {
        elements.release()
        members.release()
    }

    func null() -> JSONValue { .null }
    func bool(_ value: Bool) -> JSONValue { .bool(value) }

    func number(literal: UnsafeBufferPointer<UInt8>, integer: Int64?) -> JSONValue {
        if let integer { return .number(JSONNumber(integer)) }
        return .number(JSONNumber(validatedLiteral: String(decoding: literal, as: UTF8.self)))
    }

    func string(_ utf8: UnsafeBufferPointer<UInt8>) -> JSONValue { .string(String(decoding: utf8, as: UTF8.self)) }

    func beginArray() -> Int { elements.count }
    mutating func element(_ value: JSONValue) { elements.push(value) }
    mutating func endArray(_ start: Int) -> JSONValue { .array(elements.popArray(from: start)) }

    func beginObject() -> Int { members.count }
    func key(_ utf8: UnsafeBufferPointer<UInt8>) -> String { String(decoding: utf8, as: UTF8.self) }
    mutating func member(_ key: String, _ value: JSONValue) { members.push(JSONObject.Member(key: key, value: value)) }
    mutating func endObject(_ start: Int) -> JSONValue { .object(JSONObject(parsedMembers: members.popArray(from: start))) }
}
