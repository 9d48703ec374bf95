/// Writes JSON text.
///
/// `serialize` keeps member order and number literals as they are. `canonicalize` writes the
/// RFC 8785 (JSON Canonicalization Scheme) form: members sorted by the UTF-16 code units of
/// their names, numbers as ECMAScript prints the nearest IEEE 754 double, minimal escapes.
/// Both write strings the same way, as RFC 8785 prescribes.
public enum JSONSerializer {
    public static func serialize(_ value: JSONValue) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        write(value, to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    public static func serialize(_ value: JSONValue, to out: inout [UInt8]) {
        write(value, to: &out)
    }

    /// Fails when a number has no IEEE 754 double representation (its magnitude overflows to
    /// infinity), which RFC 8785 cannot express.
    public static func canonicalize(_ value: JSONValue) throws(CanonicalizationError) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(256)
        try writeCanonical(value, to: &out)
        return out
    }

    static func write(_ value: JSONValue, to out: inout [UInt8]) {
        switch value {
        case .null: out.append(contentsOf: "null".utf8)
        case .bool(let b): out.append(contentsOf: (b ? "true" : "false").utf8)
        case .number(let n): out.append(contentsOf: n.text.utf8)
        case .string(let s): writeString(s, to: &out)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (i, element) in elements.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                write(element, to: &out)
            }
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            out.append(UInt8(ascii: "{"))
            for (i, member) in object.members.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                writeString(member.key, to: &out)
                out.append(UInt8(ascii: ":"))
                write(member.value, to: &out)
            }
            out.append(UInt8(ascii: "}"))
        }
    }

    static func writeCanonical(_ value: JSONValue, to out: inout [UInt8]) throws(CanonicalizationError) {
        switch value {
        case .number(let n):
            // Integers of up to 53 bits are their own shortest round-trip form.
            if case .integer(let v) = n.storage, v.magnitude < 1 << 53 {
                out.append(contentsOf: String(v).utf8)
                return
            }
            let double = n.doubleValue
            guard double.isFinite else {
                throw CanonicalizationError(
                    message: "number \(abbreviated(n.text)) is outside the IEEE 754 double range that RFC 8785 requires",
                    location: JSONPointer())
            }
            out.append(contentsOf: ECMAScriptNumber.format(double).utf8)
        case .array(let elements):
            out.append(UInt8(ascii: "["))
            for (i, element) in elements.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                do throws(CanonicalizationError) {
                    try writeCanonical(element, to: &out)
                } catch {
                    throw error.inside(String(i))
                }
            }
            out.append(UInt8(ascii: "]"))
        case .object(let object):
            out.append(UInt8(ascii: "{"))
            let sorted = object.members.sorted { $0.key.precedesInUTF16Order($1.key) }
            for (i, member) in sorted.enumerated() {
                if i > 0 { out.append(UInt8(ascii: ",")) }
                writeString(member.key, to: &out)
                out.append(UInt8(ascii: ":"))
                do throws(CanonicalizationError) {
                    try writeCanonical(member.value, to: &out)
                } catch {
                    throw error.inside(member.key)
                }
            }
            out.append(UInt8(ascii: "}"))
        default:
            write(value, to: &out)
        }
    }

    /// Escapes `"`, `\` and control characters only; `\b \t \n \f \r` by name, the rest as
    /// `\u00xx` with lowercase hex. Everything else, including U+2028/2029, is written as UTF-8.
    static func writeString<Sink: JSONByteSink>(_ string: String, to out: inout Sink) {
        out.append(UInt8(ascii: "\""))
        writeEscaped(string, to: &out)
        out.append(UInt8(ascii: "\""))
    }

    /// The escaped text of a JSON string (without the quotes).
    static func writeEscaped<Sink: JSONByteSink>(_ string: String, to out: inout Sink) {
        withUTF8InPlace(string) { writeEscaped($0, to: &out) }
    }

    /// Runs that need no escape are copied whole.
    static func writeEscaped<Sink: JSONByteSink>(_ bytes: UnsafeBufferPointer<UInt8>, to out: inout Sink) {
        var runStart = 0
        while true {
            let i = plainRunEnd(bytes, from: runStart)
            if runStart < i { out.append(bytes: UnsafeBufferPointer(rebasing: bytes[runStart..<i])) }
            guard i < bytes.count else { return }
            let byte = bytes[i]
            runStart = i + 1
            out.append(UInt8(ascii: "\\"))
            switch byte {
            case 0x22: out.append(UInt8(ascii: "\""))
            case 0x5C: out.append(UInt8(ascii: "\\"))
            case 0x08: out.append(UInt8(ascii: "b"))
            case 0x09: out.append(UInt8(ascii: "t"))
            case 0x0A: out.append(UInt8(ascii: "n"))
            case 0x0C: out.append(UInt8(ascii: "f"))
            case 0x0D: out.append(UInt8(ascii: "r"))
            default:
                let hex = hex2(byte).utf8
                for digit in [UInt8(ascii: "u"), UInt8(ascii: "0"), UInt8(ascii: "0")] + hex { out.append(digit) }
            }
        }
    }

    /// Where the run of bytes that need no escape, starting at `start`, ends. Kept apart from
    /// the writing so that the scan runs in registers.
    @inline(__always)
    private static func plainRunEnd(_ bytes: UnsafeBufferPointer<UInt8>, from start: Int) -> Int {
        var i = start
        // Eight bytes at a time while none of them can need an escape: messages quote
        // patterns and values, long runs of plain text.
        if let base = bytes.baseAddress {
            let raw = UnsafeRawPointer(base)
            while i + 8 <= bytes.count && escapeMask(raw.loadUnaligned(fromByteOffset: i, as: UInt64.self)) == 0 { i += 8 }
        }
        while i < bytes.count {
            let byte = bytes[i]
            if byte < 0x20 || byte == 0x22 || byte == 0x5C { break }
            i += 1
        }
        return i
    }

    /// The high bit of each of eight bytes (read little-endian) that a JSON string cannot hold as
    /// it is: a control character, a quote or a backslash. The lowest flagged byte always is one;
    /// a byte above it may be flagged wrongly (a borrow in the subtraction), so callers use only
    /// the first flag, or whether there is any. Shared by this writer and the parser's scan.
    @inline(__always)
    static func escapeMask(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highs: UInt64 = 0x8080_8080_8080_8080
        let control = word &- ones &* 0x20
        let quote = word ^ (ones &* 0x22)
        let backslash = word ^ (ones &* 0x5C)
        return (control | (quote &- ones) & ~quote | (backslash &- ones) & ~backslash) & ~word & highs
    }

    static func abbreviated(_ text: String) -> String {
        text.utf8.count <= 40 ? text : String(text.prefix(37)) + "..."
    }
}

public struct CanonicalizationError: Error, Sendable, CustomStringConvertible {
    public let message: String
    /// Where in the document the offending value is.
    public private(set) var location: JSONPointer
    public var description: String { "\(message) (at '\(location)')" }

    /// The path is assembled while the error travels up, so the success path never builds it.
    func inside(_ token: String) -> CanonicalizationError {
        var outer = self
        outer.location = JSONPointer(tokens: [token] + location.tokens)
        return outer
    }
}

extension String {
    /// RFC 8785 orders member names by UTF-16 code units. UTF-8 byte order is code point
    /// order, which agrees with UTF-16 order except between U+E000...U+FFFF and the
    /// supplementary planes (whose UTF-16 surrogates, D800...DFFF, sort first).
    func precedesInUTF16Order(_ other: String) -> Bool {
        var a = self, b = other
        return a.withUTF8 { pa in
            b.withUTF8 { pb in
                let common = Swift.min(pa.count, pb.count)
                var i = 0
                while i < common && pa[i] == pb[i] { i += 1 }
                guard i < common else { return pa.count < pb.count }
                // Back up to the lead byte of the code point where they differ.
                var lead = i
                while lead > 0 && pa[lead] & 0xC0 == 0x80 { lead -= 1 }
                let leadA = pa[lead], leadB = pb[lead]
                let supplementaryA = leadA >= 0xF0, supplementaryB = leadB >= 0xF0
                let highBMPA = leadA == 0xEE || leadA == 0xEF, highBMPB = leadB == 0xEE || leadB == 0xEF
                if supplementaryA && highBMPB { return true }
                if highBMPA && supplementaryB { return false }
                return pa[i] < pb[i]
            }
        }
    }
}
