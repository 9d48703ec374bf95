/// Base64 with the standard alphabet (RFC 4648 §4).
enum Base64 {
    private static let alphabet = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/".utf8)

    private static let values: [UInt8] = {
        var table = [UInt8](repeating: 0xff, count: 256)
        for (index, symbol) in alphabet.enumerated() { table[Int(symbol)] = UInt8(index) }
        return table
    }()

    static func encode(_ bytes: [UInt8]) -> String {
        var out: [UInt8] = []
        out.reserveCapacity((bytes.count + 2) / 3 * 4)
        var index = 0
        while index + 3 <= bytes.count {
            let group = UInt32(bytes[index]) << 16 | UInt32(bytes[index + 1]) << 8 | UInt32(bytes[index + 2])
            for shift in [18, 12, 6, 0] { out.append(alphabet[Int(group >> UInt32(shift) & 63)]) }
            index += 3
        }
        let rest = bytes.count - index
        if rest > 0 {
            let group = UInt32(bytes[index]) << 16 | (rest == 2 ? UInt32(bytes[index + 1]) << 8 : 0)
            out.append(alphabet[Int(group >> 18 & 63)])
            out.append(alphabet[Int(group >> 12 & 63)])
            out.append(rest == 2 ? alphabet[Int(group >> 6 & 63)] : UInt8(ascii: "="))
            out.append(UInt8(ascii: "="))
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Strict decoding: the standard alphabet only, padding optional but correct when present,
    /// unused bits zero (so every byte sequence has exactly one accepted spelling besides the
    /// padding). Writes into `output` and returns the byte count; nil for anything invalid or
    /// longer than `output`.
    static func decode(_ text: UnsafeRawBufferPointer, into output: UnsafeMutableRawBufferPointer) -> Int? {
        var count = text.count
        var padding = 0
        while count > 0 && text[count - 1] == UInt8(ascii: "=") && padding < 2 {
            count -= 1
            padding += 1
        }
        guard count % 4 != 1 else { return nil }
        if padding > 0 && (count + padding) % 4 != 0 { return nil }
        guard count / 4 * 3 + max(count % 4 - 1, 0) <= output.count else { return nil }
        // The table is fetched once: a global read inside the loop costs a lazy-initialisation check per byte.
        return values.withUnsafeBufferPointer { values -> Int? in
            var written = 0
            var accumulator: UInt32 = 0
            var bits = 0
            for index in 0..<count {
                let value = values[Int(text[index])]
                guard value != 0xff else { return nil }
                accumulator = accumulator << 6 | UInt32(value)
                bits += 6
                if bits >= 8 {
                    bits -= 8
                    output[written] = UInt8(truncatingIfNeeded: accumulator >> UInt32(bits))
                    written += 1
                    accumulator &= (1 << UInt32(bits)) - 1
                }
            }
            guard accumulator == 0 else { return nil }   // non-zero leftover bits
            return written
        }
    }
}
