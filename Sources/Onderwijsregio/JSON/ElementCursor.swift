/// The elements of a tape array in order, each with its position: the walk `MemberCursor` is for
/// objects, over the subtree ends, never into an element's children.
struct ElementCursor {
    private let view: JSONTapeView
    private var cursor: Int
    private let end: Int
    private var position = 0

    init(_ view: JSONTapeView, _ array: Int) {
        self.view = view
        cursor = array + 1
        end = view.end(array)
    }

    /// The next element: its position in the array and its node.
    @inline(__always)
    mutating func next() -> (position: Int, node: Int)? {
        guard cursor < end else { return nil }
        let element = (position, cursor)
        position += 1
        cursor = view.end(cursor)
        return element
    }
}
