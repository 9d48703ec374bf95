/// The members of a tape object in `JSON.parse` order: each key once, at its first position, with
/// its last value. Objects without duplicate keys are walked in place; the rare one with
/// duplicates is resolved once, up front.
struct MemberCursor {
    private let view: JSONTapeView
    private var cursor: Int
    private let end: Int
    private var resolved: [(key: Int, value: Int)]?
    private var position = 0
    /// How many distinct members the object has.
    let count: Int

    init(_ view: JSONTapeView, _ object: Int) {
        self.view = view
        cursor = object + 1
        end = Int(view.nodes[object].end)
        guard view.nodes[object].flag else {
            count = Int(view.nodes[object].count)
            return
        }
        var pairs: [(key: Int, value: Int)] = []
        var positions: [JSONKey: Int] = [:]
        var child = cursor
        while child < end {
            let key = JSONKey(view.string(at: child))
            if let first = positions[key] {
                pairs[first].value = child + 1
            } else {
                positions[key] = pairs.count
                pairs.append((child, child + 1))
            }
            child = Int(view.nodes[child + 1].end)
        }
        resolved = pairs
        count = pairs.count
    }

    /// The next member: the key's node (a string) and the value's.
    @inline(__always)
    mutating func next() -> (key: Int, value: Int)? {
        if let resolved {
            guard position < resolved.count else { return nil }
            position += 1
            return resolved[position - 1]
        }
        guard cursor < end else { return nil }
        let key = cursor
        cursor = Int(view.nodes[key + 1].end)
        return (key, key + 1)
    }
}
