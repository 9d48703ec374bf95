/// Where JSON text is written: an array of bytes, or a `JSONTextWriter` when many short pieces
/// are written (a validation report), which is cheaper per piece than an array.
protocol JSONByteSink {
    mutating func append(_ byte: UInt8)
    mutating func append(bytes: UnsafeBufferPointer<UInt8>)
}

extension Array: JSONByteSink where Element == UInt8 {
    mutating func append(bytes: UnsafeBufferPointer<UInt8>) { append(contentsOf: bytes) }
}

/// A growing buffer of bytes in plain memory: appending checks the room left and copies, with no
/// uniqueness check or generic dispatch. Manual memory: `release()` must be called exactly once.
/// A writer made with capacity 0 allocates nothing until it is first written to.
struct JSONTextWriter: JSONByteSink {
    /// Nil only while `capacity` is 0.
    private var start: UnsafeMutablePointer<UInt8>?
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int) {
        self.capacity = max(0, capacity)
        start = self.capacity > 0 ? .allocate(capacity: self.capacity) : nil
    }

    @inline(__always)
    mutating func append(_ byte: UInt8) {
        if count == capacity { grow(toFit: count + 1) }
        start.unsafelyUnwrapped[count] = byte
        count += 1
    }

    @inline(__always)
    mutating func append(bytes: UnsafeBufferPointer<UInt8>) {
        guard let source = bytes.baseAddress, bytes.count > 0 else { return }
        if count + bytes.count > capacity { grow(toFit: count + bytes.count) }
        (start.unsafelyUnwrapped + count).update(from: source, count: bytes.count)
        count += bytes.count
    }

    /// ASCII text known when compiling (the fixed parts of a report).
    @inline(__always)
    mutating func append(_ text: StaticString) {
        append(bytes: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// The bytes written so far; valid until the next change to the writer.
    var written: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(start: start, count: count) }

    /// Forgets what was written after the first `length` bytes.
    @inline(__always)
    mutating func truncate(to length: Int) {
        if length >= 0 && length < count { count = length }
    }

    /// Frees the writer's memory; it is empty (and allocates again if written to).
    mutating func release() {
        start?.deallocate()
        start = nil
        count = 0
        capacity = 0
    }

    private mutating func grow(toFit needed: Int) {
        var larger = max(64, capacity * 2)
        while larger < needed { larger *= 2 }
        let moved = UnsafeMutablePointer<UInt8>.allocate(capacity: larger)
        if let start {
            moved.update(from: start, count: count)
            start.deallocate()
        }
        start = moved
        capacity = larger
    }
}
