/// A stack the parser builds containers on. Finished containers are moved off its top into
/// arrays of exact size: one allocation per container and no retain/release of the elements,
/// where appending to a growing array would reallocate several times.
///
/// Manual memory: the owner must call `release()` exactly once.
struct MoveStack<Element> {
    private var base: UnsafeMutablePointer<Element>
    private var capacity: Int
    private(set) var count = 0

    init(capacity: Int = 256) {
        self.capacity = capacity
        base = .allocate(capacity: capacity)
    }

    @inline(__always)
    mutating func push(_ element: Element) {
        if count == capacity { grow() }
        (base + count).initialize(to: element)
        count += 1
    }

    /// Moves the elements from `start` to the top into a new array and pops them. Inlined so
    /// that it is specialised at its call sites: generic, the array allocation would look up
    /// type metadata at run time for every container.
    @inline(__always)
    mutating func popArray(from start: Int) -> [Element] {
        let moved = count - start
        guard moved > 0 else { return [] }
        let source = base + start
        let array = [Element](unsafeUninitializedCapacity: moved) { buffer, initialized in
            if let destination = buffer.baseAddress { destination.moveInitialize(from: source, count: moved) }
            initialized = moved
        }
        count = start
        return array
    }

    func release() {
        base.deinitialize(count: count)
        base.deallocate()
    }

    private mutating func grow() {
        let larger = capacity * 2
        let moved = UnsafeMutablePointer<Element>.allocate(capacity: larger)
        moved.moveInitialize(from: base, count: count)
        base.deallocate()
        base = moved
        capacity = larger
    }
}
