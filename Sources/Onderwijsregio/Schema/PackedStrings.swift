/// Names and values a schema compares with an instance's strings (property names, `required`,
/// string `enum` values): each one's fingerprint, and all their UTF-8 in one array. A lookup
/// reads them in place (`withView`), so it converts no String and retains nothing.
struct PackedStrings {
    private var fingerprints: [KeyFingerprint] = []
    /// Where each string's UTF-8 starts in `bytes`, and one more: the end of the last.
    private var starts: [Int] = [0]
    private var bytes: [UInt8] = []

    init() {}

    init(_ strings: some Sequence<String>) {
        for string in strings { append(string) }
    }

    var count: Int { fingerprints.count }

    mutating func append(_ string: String) {
        fingerprints.append(KeyFingerprint(string))
        bytes.append(contentsOf: string.utf8)
        starts.append(bytes.count)
    }

    /// The strings read in place, valid only inside `body`.
    @inline(__always)
    func withView<Result>(_ body: (View) -> Result) -> Result {
        fingerprints.withUnsafeBufferPointer { fingerprints in
            starts.withUnsafeBufferPointer { starts in
                bytes.withUnsafeBufferPointer { bytes in
                    body(View(fingerprints: fingerprints, starts: starts, bytes: bytes))
                }
            }
        }
    }

    struct View {
        let fingerprints: UnsafeBufferPointer<KeyFingerprint>
        fileprivate let starts: UnsafeBufferPointer<Int>
        fileprivate let bytes: UnsafeBufferPointer<UInt8>

        var count: Int { fingerprints.count }

        func utf8(_ i: Int) -> UnsafeBufferPointer<UInt8> {
            UnsafeBufferPointer(rebasing: bytes[starts[i]..<starts[i + 1]])
        }

        /// Whether string `i` is `utf8`, whose fingerprint is `fingerprint`: most are told
        /// apart by the fingerprints alone.
        @inline(__always)
        func matches(_ i: Int, _ utf8: UnsafeBufferPointer<UInt8>, fingerprint: KeyFingerprint) -> Bool {
            fingerprints[i] == fingerprint && (fingerprint.isWholeKey || bytesEqual(self.utf8(i), utf8))
        }
    }
}
