/// ECMAScript's `Number.prototype.toString()` for finite doubles (ECMA-262 §6.1.6.1.20), which
/// RFC 8785 uses for every number.
enum ECMAScriptNumber {
    static func format(_ value: Double) -> String {
        if value == 0 { return "0" }  // also -0
        let (digits, point) = shortestDigits(value.magnitude)
        let k = digits.count
        let n = point
        var out = value < 0 ? "-" : ""
        if k <= n && n <= 21 {
            out += String(decoding: digits, as: UTF8.self)
            out += String(repeating: "0", count: n - k)
        } else if 0 < n && n <= 21 {
            out += String(decoding: digits[0..<n], as: UTF8.self) + "." + String(decoding: digits[n...], as: UTF8.self)
        } else if -6 < n && n <= 0 {
            out += "0." + String(repeating: "0", count: -n) + String(decoding: digits, as: UTF8.self)
        } else {
            let exponent = n - 1
            out += String(decoding: digits[0..<1], as: UTF8.self)
            if k > 1 { out += "." + String(decoding: digits[1...], as: UTF8.self) }
            out += exponent >= 0 ? "e+\(exponent)" : "e-\(-exponent)"
        }
        return out
    }

    /// The shortest digit string that round-trips to `value` (positive, finite), and the
    /// position of the decimal point relative to its first digit: value = 0.d1d2… × 10^point.
    ///
    /// Swift's `description` already produces the shortest round-trip digits (closest to the
    /// exact value when several are equally short), as ECMAScript requires; only its layout
    /// ("1e-07", "100.0", "1.5e+300") differs, so it is taken apart here.
    static func shortestDigits(_ value: Double) -> (digits: [UInt8], point: Int) {
        let text = Array(value.description.utf8)
        var mantissa = text[...]
        var exponent = 0
        if let e = text.firstIndex(of: UInt8(ascii: "e")) {
            mantissa = text[..<e]
            var sign = 1
            var i = e + 1
            if i < text.count && (text[i] == UInt8(ascii: "-") || text[i] == UInt8(ascii: "+")) {
                sign = text[i] == UInt8(ascii: "-") ? -1 : 1
                i += 1
            }
            while i < text.count { exponent = exponent * 10 + Int(text[i] &- 0x30); i += 1 }
            exponent *= sign
        }
        var digits: [UInt8] = []
        var integerDigits = 0
        var seenPoint = false
        for byte in mantissa {
            if byte == UInt8(ascii: ".") { seenPoint = true; continue }
            digits.append(byte)
            if !seenPoint { integerDigits += 1 }
        }
        var point = integerDigits + exponent
        var first = 0
        while first < digits.count - 1 && digits[first] == UInt8(ascii: "0") { first += 1; point -= 1 }
        var last = digits.count
        while last > first + 1 && digits[last - 1] == UInt8(ascii: "0") { last -= 1 }
        return (Array(digits[first..<last]), point)
    }
}
