/// The `format` vocabulary of JSON Schema (2020-12 and draft-07) as assertions.
///
/// Each format is a small hand-written parser over the string's Unicode scalars that follows
/// the ABNF of the RFC the specification names, so that the accepted language is exactly the
/// grammar's and the failure modes stay obvious. Digits, letters and hex digits are ASCII only
/// in every grammar here; anything else that looks like a digit is simply another character.
/// The formats a web form sends most are decided for ASCII values by byte-level twins of these
/// parsers (`ASCIIParsers`), which allocate nothing; the scalar parsers remain the reference.
///
/// `check` returns nil for a format it does not know: the specification makes unknown formats
/// annotations only, so the validator ignores them.
enum FormatChecker {
    /// The formats this checker knows; resolved from the name once, when a schema is compiled.
    enum Format: String, CaseIterable {
        case date, time, dateTime = "date-time", duration, email, idnEmail = "idn-email", hostname
        case idnHostname = "idn-hostname", ipv4, ipv6, uri, uriReference = "uri-reference", iri
        case iriReference = "iri-reference", uriTemplate = "uri-template", uuid, regex
        case jsonPointer = "json-pointer", relativeJSONPointer = "relative-json-pointer"
    }

    static func check(_ format: String, _ value: String) -> Bool? {
        Format(rawValue: format).map { check($0, value) }
    }

    /// Values that are all ASCII (nearly every value a form sends) are decided on their UTF-8
    /// bytes without allocating, for the formats `checkASCII` covers; the rest, and every
    /// value with a non-ASCII character, go through the scalar parsers.
    static func check(_ format: Format, _ value: String) -> Bool {
        checkASCII(format, value) ?? checkByScalars(format, value)
    }

    /// The same for a value's UTF-8 bytes (valid UTF-8): read in place when the byte-level
    /// parsers cover the case, else decoded for the scalar parsers.
    static func check(_ format: Format, utf8: UnsafeBufferPointer<UInt8>) -> Bool {
        ASCIIParsers.check(format, utf8) ?? checkByScalars(format, String(decoding: utf8, as: UTF8.self))
    }

    /// The reference implementation: every format, any input, over the string's scalars.
    static func checkByScalars(_ format: Format, _ value: String) -> Bool {
        let text = scalars(value)
        switch format {
        case .date: return isDate(text)
        case .time: return isTime(text)
        case .dateTime: return isDateTime(text)
        case .duration: return isDuration(text)
        case .email: return isMailbox(text, international: false)
        case .idnEmail: return isMailbox(text, international: true)
        case .hostname: return isHostname(text, international: false)
        case .idnHostname: return isHostname(text, international: true)
        case .ipv4: return isIPv4(text, 0, text.count)
        case .ipv6: return isIPv6(text, 0, text.count)
        case .uri: return isURI(text, international: false, reference: false)
        case .uriReference: return isURI(text, international: false, reference: true)
        case .iri: return isURI(text, international: true, reference: false)
        case .iriReference: return isURI(text, international: true, reference: true)
        case .uriTemplate: return isURITemplate(text)
        case .uuid: return isUUID(text)
        case .regex: return ECMAPatternSyntax.isValid(text) && ECMARegex.isValid(value)
        case .jsonPointer: return isJSONPointer(text, 0)
        case .relativeJSONPointer: return isRelativeJSONPointer(text)
        }
    }

    typealias Text = [Unicode.Scalar]

    /// The string's scalars; ASCII (nearly every value a form sends) is copied in one pass
    /// over its bytes instead of being decoded twice (count, then copy).
    private static func scalars(_ value: String) -> Text {
        var bytes = value
        let ascii = bytes.withUTF8 { utf8 in utf8.allSatisfy({ $0 < 0x80 }) ? utf8.map { Unicode.Scalar($0) } : nil }
        return ascii ?? Array(value.unicodeScalars)
    }
}

// MARK: - ASCII fast path

extension FormatChecker {
    /// The answer for an all-ASCII `value` of a format the byte-level parsers below cover; nil
    /// when the value has a non-ASCII byte, the format is not covered, or the value needs a
    /// part of the grammar only the scalar parsers implement (an `xn--` label, which must be
    /// Punycode-decoded). `check` then falls back to `checkByScalars`.
    ///
    /// The international formats are the same grammar as their ASCII counterparts once the
    /// value is ASCII: every clause that sets them apart (`ucschar`, `iprivate`, non-ASCII
    /// `atext` and `qtextSMTP`, U-labels, the ideographic full stops) needs a non-ASCII scalar.
    static func checkASCII(_ format: Format, _ value: String) -> Bool? {
        switch format {
        case .date, .time, .dateTime, .email, .idnEmail, .hostname, .idnHostname, .ipv4, .ipv6, .uri,
             .uriReference, .iri, .iriReference, .uuid:
            // A native string (all a JSON parser produces) is read in place, a small one from a
            // copy on the stack: no allocation either way. Unlike `withUTF8` this needs no
            // mutable copy of `value`, which cost a retain and a release per call. Only a
            // bridged, non-contiguous string gives nil here, and it takes the scalar path.
            return value.utf8.withContiguousStorageIfAvailable { ASCIIParsers.check(format, $0) } ?? nil
        case .duration, .uriTemplate, .regex, .jsonPointer, .relativeJSONPointer:
            return nil
        }
    }

    /// Byte-level twins of the scalar parsers for ASCII input, written to accept exactly the
    /// same strings (`FormatCheckerTests.asciiPathMatchesScalars` compares the two), with no
    /// heap allocation: positions are offsets into the UTF-8 buffer, never copies of it.
    ///
    /// `UnsafeBufferPointer` does not check its subscript in release builds, so every read
    /// below sits behind an explicit bounds test.
    enum ASCIIParsers {
        typealias Bytes = UnsafeBufferPointer<UInt8>

        static func check(_ format: Format, _ t: Bytes) -> Bool? {
            guard isASCII(t) else { return nil }
            switch format {
            case .date: return isDate(t)
            case .time: return isFullTime(t, 0)
            case .dateTime: return isDateTime(t)
            case .email, .idnEmail: return isMailbox(t)
            case .hostname, .idnHostname: return isHostname(t, 0, t.count)
            case .ipv4: return isIPv4(t, 0, t.count)
            case .ipv6: return isIPv6(t, 0, t.count)
            case .uri, .iri: return isURI(t, reference: false)
            case .uriReference, .iriReference: return isURI(t, reference: true)
            case .uuid: return isUUID(t)
            case .duration, .uriTemplate, .regex, .jsonPointer, .relativeJSONPointer: return nil
            }
        }

        /// One OR over all bytes (the loop has no early exit so that it vectorises): ASCII is
        /// exactly the bytes below 0x80.
        static func isASCII(_ t: Bytes) -> Bool {
            var any: UInt8 = 0
            for b in t { any |= b }
            return any < 0x80
        }

        // MARK: Character classes

        static func isDigit(_ b: UInt8) -> Bool { b &- UInt8(ascii: "0") < 10 }

        /// Setting bit 0x20 maps `A-Z` onto `a-z` and nothing else onto `a-z`.
        static func isAlpha(_ b: UInt8) -> Bool { (b | 0x20) &- UInt8(ascii: "a") < 26 }

        static func isHexDigit(_ b: UInt8) -> Bool { isDigit(b) || (b | 0x20) &- UInt8(ascii: "a") < 6 }

        static func lowercased(_ b: UInt8) -> UInt8 { b &- UInt8(ascii: "A") < 26 ? b | 0x20 : b }

        static func isAtext(_ b: UInt8) -> Bool {
            if isAlpha(b) || isDigit(b) { return true }
            switch b {
            case UInt8(ascii: "!"), UInt8(ascii: "#"), UInt8(ascii: "$"), UInt8(ascii: "%"), UInt8(ascii: "&"),
                 UInt8(ascii: "'"), UInt8(ascii: "*"), UInt8(ascii: "+"), UInt8(ascii: "-"), UInt8(ascii: "/"),
                 UInt8(ascii: "="), UInt8(ascii: "?"), UInt8(ascii: "^"), UInt8(ascii: "_"), UInt8(ascii: "`"),
                 UInt8(ascii: "{"), UInt8(ascii: "|"), UInt8(ascii: "}"), UInt8(ascii: "~"):
                return true
            default:
                return false
            }
        }

        /// The first offset in `start ..< end` holding `b`, or nil.
        static func firstIndex(of b: UInt8, in t: Bytes, _ start: Int, _ end: Int) -> Int? {
            guard start >= 0, end <= t.count else { return nil }
            var i = start
            while i < end {
                if t[i] == b { return i }
                i += 1
            }
            return nil
        }

        /// `count` ASCII digits at `start`, as a number (see `FormatChecker.fixedNumber`).
        static func fixedNumber(_ t: Bytes, _ start: Int, _ count: Int) -> Int? {
            guard start >= 0, count > 0, count <= 4, start <= t.count - count else { return nil }
            var value = 0
            for k in start..<(start + count) {
                let b = t[k]
                guard isDigit(b) else { return nil }
                value = value * 10 + Int(b &- UInt8(ascii: "0"))
            }
            return value
        }

        // MARK: Dates and times

        static func isDate(_ t: Bytes) -> Bool {
            t.count == 10 && isFullDate(t, 0)
        }

        static func isDateTime(_ t: Bytes) -> Bool {
            guard t.count > 11, isFullDate(t, 0), t[10] == UInt8(ascii: "T") || t[10] == UInt8(ascii: "t")
            else { return false }
            return isFullTime(t, 11)
        }

        static func isFullDate(_ t: Bytes, _ start: Int) -> Bool {
            guard start >= 0, t.count - start >= 10, let year = fixedNumber(t, start, 4),
                  t[start + 4] == UInt8(ascii: "-"), let month = fixedNumber(t, start + 5, 2),
                  t[start + 7] == UInt8(ascii: "-"), let day = fixedNumber(t, start + 8, 2)
            else { return false }
            return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month)
        }

        static func isFullTime(_ t: Bytes, _ start: Int) -> Bool {
            guard start >= 0, t.count - start >= 9, let hour = fixedNumber(t, start, 2),
                  t[start + 2] == UInt8(ascii: ":"), let minute = fixedNumber(t, start + 3, 2),
                  t[start + 5] == UInt8(ascii: ":"), let second = fixedNumber(t, start + 6, 2),
                  hour <= 23, minute <= 59, second <= 60
            else { return false }
            var i = start + 8
            if i < t.count, t[i] == UInt8(ascii: ".") {
                i += 1
                let fractionStart = i
                while i < t.count, isDigit(t[i]) { i += 1 }
                guard i > fractionStart else { return false }
            }
            guard i < t.count else { return false }
            var offsetMinutes = 0
            switch t[i] {
            case UInt8(ascii: "Z"), UInt8(ascii: "z"):
                guard i + 1 == t.count else { return false }
            case UInt8(ascii: "+"), UInt8(ascii: "-"):
                // `i + 6 == t.count` puts `i + 3` in bounds.
                guard i + 6 == t.count, let offsetHour = fixedNumber(t, i + 1, 2), t[i + 3] == UInt8(ascii: ":"),
                      let offsetMinute = fixedNumber(t, i + 4, 2), offsetHour <= 23, offsetMinute <= 59
                else { return false }
                offsetMinutes = (offsetHour * 60 + offsetMinute) * (t[i] == UInt8(ascii: "+") ? 1 : -1)
            default:
                return false
            }
            return second < 60 || FormatChecker.isLeapSecondMinute(hour: hour, minute: minute, offsetMinutes: offsetMinutes)
        }

        // MARK: UUID and IP addresses

        static func isUUID(_ t: Bytes) -> Bool {
            guard t.count == 36 else { return false }
            for k in 0..<36 {
                if k == 8 || k == 13 || k == 18 || k == 23 {
                    guard t[k] == UInt8(ascii: "-") else { return false }
                } else {
                    guard isHexDigit(t[k]) else { return false }
                }
            }
            return true
        }

        static func isIPv4(_ t: Bytes, _ start: Int, _ end: Int) -> Bool {
            guard start >= 0, start <= end, end <= t.count else { return false }
            var i = start
            for octet in 0..<4 {
                if octet > 0 {
                    guard i < end, t[i] == UInt8(ascii: ".") else { return false }
                    i += 1
                }
                let octetStart = i
                var value = 0
                while i < end, i - octetStart < 3, isDigit(t[i]) {
                    value = value * 10 + Int(t[i] &- UInt8(ascii: "0"))
                    i += 1
                }
                let length = i - octetStart
                // `length > 0` puts `octetStart` in bounds.
                guard length > 0, value <= 255, length == 1 || t[octetStart] != UInt8(ascii: "0") else { return false }
            }
            return i == end
        }

        static func isIPv6(_ t: Bytes, _ start: Int, _ end: Int) -> Bool {
            guard start >= 0, start <= end, end <= t.count else { return false }
            var groups = 0
            var compressed = false
            var i = start
            if end - start >= 2, t[start] == UInt8(ascii: ":"), t[start + 1] == UInt8(ascii: ":") {
                compressed = true
                i = start + 2
                if i == end { return true }
            }
            while i < end {
                let groupStart = i
                while i < end, i - groupStart < 4, isHexDigit(t[i]) { i += 1 }
                if i < end, t[i] == UInt8(ascii: ".") {
                    guard isIPv4(t, groupStart, end) else { return false }
                    groups += 2
                    break
                }
                guard i > groupStart else { return false }
                groups += 1
                if i == end { break }
                guard t[i] == UInt8(ascii: ":") else { return false }
                i += 1
                guard i < end else { return false }
                if t[i] == UInt8(ascii: ":") {
                    guard !compressed else { return false }
                    compressed = true
                    i += 1
                }
            }
            return compressed ? groups <= 7 : groups == 8
        }

        // MARK: URIs

        /// The characters a URI component admits besides percent-encodings, as a bit set over
        /// ASCII (bit `b` of `low` for `b < 64`, bit `b - 64` of `high` otherwise): unreserved
        /// and sub-delims, plus what the closures of `FormatChecker.scanURIChars`' callers
        /// add. One shift and mask per byte instead of a dozen comparisons;
        /// `asciiPathMatchesScalars` checks every set against the scalar predicates.
        struct URIChars {
            let low: UInt64, high: UInt64

            /// Unreserved and sub-delims only (`reg-name`).
            static let regName = URIChars(low: 0x2BFF_7FD2_0000_0000, high: 0x47FF_FFFE_87FF_FFFE)
            /// Plus `:` (`userinfo`).
            static let userinfo = URIChars(low: 0x2FFF_7FD2_0000_0000, high: 0x47FF_FFFE_87FF_FFFE)
            /// Plus `:`, `@` and `/` (`pchar` and the path's slashes).
            static let path = URIChars(low: 0x2FFF_FFD2_0000_0000, high: 0x47FF_FFFE_87FF_FFFF)
            /// Plus `:`, `@`, `/` and `?` (query and fragment).
            static let query = URIChars(low: 0xAFFF_FFD2_0000_0000, high: 0x47FF_FFFE_87FF_FFFF)

            func contains(_ b: UInt8) -> Bool {
                // `&>>` cannot trap; the range tests keep each shift below 64.
                if b < 64 { return (low &>> UInt64(b)) & 1 != 0 }
                return b < 128 && (high &>> UInt64(b - 64)) & 1 != 0
            }
        }

        static func scanURIChars(_ t: Bytes, _ start: Int, _ end: Int, _ allowed: URIChars) -> Bool {
            guard start >= 0, start <= end, end <= t.count else { return false }
            var i = start
            while i < end {
                let b = t[i]
                if b == UInt8(ascii: "%") {
                    guard end - i >= 3, isHexDigit(t[i + 1]), isHexDigit(t[i + 2]) else { return false }
                    i += 3
                    continue
                }
                guard allowed.contains(b) else { return false }
                i += 1
            }
            return true
        }

        static func isURI(_ t: Bytes, reference: Bool) -> Bool {
            // One pass finds what the scalar parser finds in two: the first `#`, and the first
            // `?` before it.
            var end = t.count
            var question: Int? = nil
            var k = 0
            while k < t.count {
                let b = t[k]
                if b == UInt8(ascii: "#") {
                    guard scanURIChars(t, k + 1, t.count, .query) else { return false }
                    end = k
                    break
                }
                if b == UInt8(ascii: "?"), question == nil { question = k }
                k += 1
            }
            if let question {
                guard scanURIChars(t, question + 1, end, .query) else { return false }
                end = question
            }
            // The first `:` or `/`: a colon there ends a scheme (see `FormatChecker.isURI`).
            var colonOrSlash = 0
            while colonOrSlash < end, t[colonOrSlash] != UInt8(ascii: ":"), t[colonOrSlash] != UInt8(ascii: "/") {
                colonOrSlash += 1
            }
            var i = 0
            if colonOrSlash < end, t[colonOrSlash] == UInt8(ascii: ":") {
                guard isScheme(t, 0, colonOrSlash) else { return false }
                i = colonOrSlash + 1
            } else if !reference {
                return false
            }
            if end - i >= 2, t[i] == UInt8(ascii: "/"), t[i + 1] == UInt8(ascii: "/") {
                guard let authorityEnd = authorityEnd(t, i + 2, end) else { return false }
                i = authorityEnd
            }
            return scanURIChars(t, i, end, .path)
        }

        static func isScheme(_ t: Bytes, _ start: Int, _ end: Int) -> Bool {
            guard start >= 0, start < end, end <= t.count, isAlpha(t[start]) else { return false }
            for k in start..<end {
                let b = t[k]
                guard isAlpha(b) || isDigit(b) || b == UInt8(ascii: "+") || b == UInt8(ascii: "-")
                        || b == UInt8(ascii: ".")
                else { return false }
            }
            return true
        }

        /// The end of the authority starting at `start` (the first `/` before `end`, else `end`),
        /// or nil if it is not valid. One pass finds that end together with the first `@` and
        /// the first `:` after it, which the scalar parser searches for one after the other.
        static func authorityEnd(_ t: Bytes, _ start: Int, _ end: Int) -> Int? {
            guard start >= 0, start <= end, end <= t.count else { return nil }
            var at: Int? = nil
            var hostColon: Int? = nil
            var k = start
            while k < end {
                let b = t[k]
                if b == UInt8(ascii: "/") { break }
                if b == UInt8(ascii: "@"), at == nil {
                    // A colon before the `@` is in the userinfo, not the host.
                    at = k
                    hostColon = nil
                } else if b == UInt8(ascii: ":"), hostColon == nil {
                    hostColon = k
                }
                k += 1
            }
            return isAuthority(t, start, k, at: at, hostColon: hostColon) ? k : nil
        }

        /// `t[start ..< end]` as an authority whose first `@` is `at` and whose first `:` after
        /// that (or after `start`, without `@`) is `hostColon`.
        static func isAuthority(_ t: Bytes, _ start: Int, _ end: Int, at: Int?, hostColon: Int?) -> Bool {
            guard start >= 0, start <= end, end <= t.count else { return false }
            var hostStart = start
            if let at {
                guard scanURIChars(t, start, at, .userinfo) else { return false }
                hostStart = at + 1
            }
            var portStart: Int? = nil
            if hostStart < end, t[hostStart] == UInt8(ascii: "[") {
                guard let close = firstIndex(of: UInt8(ascii: "]"), in: t, hostStart, end),
                      isIPv6(t, hostStart + 1, close) || isIPvFuture(t, hostStart + 1, close)
                else { return false }
                if close + 1 < end {
                    guard t[close + 1] == UInt8(ascii: ":") else { return false }
                    portStart = close + 2
                }
            } else {
                let hostEnd = hostColon ?? end
                guard scanURIChars(t, hostStart, hostEnd, .regName) else { return false }
                if hostEnd < end { portStart = hostEnd + 1 }
            }
            if let portStart {
                var k = portStart
                while k < end {
                    guard isDigit(t[k]) else { return false }
                    k += 1
                }
            }
            return true
        }

        static func isIPvFuture(_ t: Bytes, _ start: Int, _ end: Int) -> Bool {
            guard start >= 0, start < end, end <= t.count,
                  t[start] == UInt8(ascii: "v") || t[start] == UInt8(ascii: "V")
            else { return false }
            var i = start + 1
            while i < end, isHexDigit(t[i]) { i += 1 }
            guard i > start + 1, i < end, t[i] == UInt8(ascii: "."), i + 1 < end else { return false }
            // Unreserved, sub-delims and ":" are exactly the `userinfo` set (without its
            // percent-encodings, which IPvFuture does not allow).
            for k in (i + 1)..<end {
                guard URIChars.userinfo.contains(t[k]) else { return false }
            }
            return true
        }

        // MARK: E-mail addresses and host names

        static func isMailbox(_ t: Bytes) -> Bool? {
            guard let first = t.first else { return false }
            var i = 0
            if first == UInt8(ascii: "\"") {
                i = 1
                var closed = false
                while i < t.count {
                    let b = t[i]
                    if b == UInt8(ascii: "\"") { closed = true; i += 1; break }
                    if b == UInt8(ascii: "\\") {
                        guard i + 1 < t.count, t[i + 1] >= 32 && t[i + 1] <= 126 else { return false }
                        i += 2
                        continue
                    }
                    guard b >= 32 && b <= 126 else { return false }
                    i += 1
                }
                guard closed else { return false }
            } else {
                var atomLength = 0
                while i < t.count, t[i] != UInt8(ascii: "@") {
                    let b = t[i]
                    if b == UInt8(ascii: ".") {
                        guard atomLength > 0 else { return false }
                        atomLength = 0
                    } else {
                        guard isAtext(b) else { return false }
                        atomLength += 1
                    }
                    i += 1
                }
                guard atomLength > 0 else { return false }
            }
            // The local part is `t[0 ..< i]`, one octet per (ASCII) character.
            guard i <= 64, i < t.count, t[i] == UInt8(ascii: "@") else { return false }
            let domainStart = i + 1
            guard domainStart < t.count else { return false }
            if t[domainStart] == UInt8(ascii: "[") {
                guard t.count - domainStart >= 2, t[t.count - 1] == UInt8(ascii: "]") else { return false }
                let innerStart = domainStart + 1, innerEnd = t.count - 1
                // The tag "IPv6:" in any case, as `FormatChecker.isMailbox` compares it.
                if innerEnd - innerStart > 5, lowercased(t[innerStart]) == UInt8(ascii: "i"),
                   lowercased(t[innerStart + 1]) == UInt8(ascii: "p"), lowercased(t[innerStart + 2]) == UInt8(ascii: "v"),
                   t[innerStart + 3] == UInt8(ascii: "6"), t[innerStart + 4] == UInt8(ascii: ":") {
                    return isIPv6(t, innerStart + 5, innerEnd)
                }
                return isIPv4(t, innerStart, innerEnd)
            }
            return isHostname(t, domainStart, t.count)
        }

        /// `FormatChecker.isHostname` for `t[start ..< end]`, or nil at a label starting with
        /// `xn--`: an A-label must be Punycode-decoded and its U-label checked against the IDNA
        /// tables, which only the scalar path does. Earlier labels are checked first, in the
        /// same order as there, so a `false` here is the answer the scalar path gives too.
        static func isHostname(_ t: Bytes, _ start: Int, _ end: Int) -> Bool? {
            guard start >= 0, start < end, end <= t.count else { return false }
            var asciiLength = 0
            var labelStart = start
            var i = start
            while i <= end {
                if i == end || t[i] == UInt8(ascii: ".") {
                    let length = i - labelStart
                    // `length >= 1` puts the first and last byte of the label in bounds.
                    guard length >= 1, length <= 63, t[labelStart] != UInt8(ascii: "-"),
                          t[i - 1] != UInt8(ascii: "-")
                    else { return false }
                    for k in labelStart..<i {
                        let b = t[k]
                        guard isAlpha(b) || isDigit(b) || b == UInt8(ascii: "-") else { return false }
                    }
                    if length >= 4, lowercased(t[labelStart]) == UInt8(ascii: "x"),
                       lowercased(t[labelStart + 1]) == UInt8(ascii: "n"), t[labelStart + 2] == UInt8(ascii: "-"),
                       t[labelStart + 3] == UInt8(ascii: "-") {
                        return nil
                    }
                    asciiLength += length + (labelStart == start ? 0 : 1)
                    guard asciiLength <= 253 else { return false }
                    labelStart = i + 1
                }
                i += 1
            }
            // All labels are LDH without A-labels, hence all-ASCII: the Bidi rule never applies.
            return true
        }
    }
}

// MARK: - Character classes

extension FormatChecker {
    static func digitValue(_ c: Unicode.Scalar) -> Int? {
        guard c >= "0" && c <= "9" else { return nil }
        return Int(c.value) - 0x30
    }

    static func isDigit(_ c: Unicode.Scalar) -> Bool { c >= "0" && c <= "9" }

    static func isAlpha(_ c: Unicode.Scalar) -> Bool { (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") }

    static func isHexDigit(_ c: Unicode.Scalar) -> Bool {
        isDigit(c) || (c >= "a" && c <= "f") || (c >= "A" && c <= "F")
    }

    static func asciiLowercase(_ c: Unicode.Scalar) -> Unicode.Scalar {
        guard c >= "A" && c <= "Z", let lower = Unicode.Scalar(c.value + 0x20) else { return c }
        return lower
    }

    /// `count` ASCII digits at `start`, as a number; nil if any is missing or not a digit.
    /// Only used for fixed-width fields of at most four digits, so the value cannot overflow.
    static func fixedNumber(_ t: Text, _ start: Int, _ count: Int) -> Int? {
        guard start >= 0, count > 0, count <= 4, start <= t.count - count else { return nil }
        var value = 0
        for k in start..<(start + count) {
            guard let d = digitValue(t[k]) else { return nil }
            value = value * 10 + d
        }
        return value
    }

    static func utf8Length(_ c: Unicode.Scalar) -> Int {
        switch c.value {
        case 0..<0x80: return 1
        case 0x80..<0x800: return 2
        case 0x800..<0x10000: return 3
        default: return 4
        }
    }
}

// MARK: - Dates and times (RFC 3339 section 5.6, appendix A)

extension FormatChecker {
    static func isDate(_ t: Text) -> Bool {
        t.count == 10 && isFullDate(t, 0)
    }

    static func isTime(_ t: Text) -> Bool {
        isFullTime(t, 0)
    }

    static func isDateTime(_ t: Text) -> Bool {
        // RFC 3339 allows a lowercase "t" (section 5.6 note); the space of the note is not in
        // the ABNF and JSON Schema follows the ABNF.
        guard t.count > 11, isFullDate(t, 0), t[10] == "T" || t[10] == "t" else { return false }
        return isFullTime(t, 11)
    }

    /// `full-date` occupying exactly `t[start ..< start + 10]`.
    static func isFullDate(_ t: Text, _ start: Int) -> Bool {
        guard start >= 0, t.count - start >= 10, let year = fixedNumber(t, start, 4), t[start + 4] == "-",
              let month = fixedNumber(t, start + 5, 2), t[start + 7] == "-",
              let day = fixedNumber(t, start + 8, 2)
        else { return false }
        return month >= 1 && month <= 12 && day >= 1 && day <= daysInMonth(year, month)
    }

    static func daysInMonth(_ year: Int, _ month: Int) -> Int {
        switch month {
        case 2:
            let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
            return leap ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// `full-time` from `start` to the end of `t`: the offset is mandatory.
    static func isFullTime(_ t: Text, _ start: Int) -> Bool {
        guard start >= 0, t.count - start >= 9, let hour = fixedNumber(t, start, 2), t[start + 2] == ":",
              let minute = fixedNumber(t, start + 3, 2), t[start + 5] == ":",
              let second = fixedNumber(t, start + 6, 2),
              hour <= 23, minute <= 59, second <= 60
        else { return false }
        var i = start + 8
        if i < t.count, t[i] == "." {
            i += 1
            let fractionStart = i
            while i < t.count, isDigit(t[i]) { i += 1 }
            guard i > fractionStart else { return false }
        }
        guard i < t.count else { return false }
        var offsetMinutes = 0
        switch t[i] {
        case "Z", "z":
            guard i + 1 == t.count else { return false }
        case "+", "-":
            guard i + 6 == t.count, let offsetHour = fixedNumber(t, i + 1, 2), t[i + 3] == ":",
                  let offsetMinute = fixedNumber(t, i + 4, 2), offsetHour <= 23, offsetMinute <= 59
            else { return false }
            offsetMinutes = (offsetHour * 60 + offsetMinute) * (t[i] == "+" ? 1 : -1)
        default:
            return false
        }
        return second < 60 || isLeapSecondMinute(hour: hour, minute: minute, offsetMinutes: offsetMinutes)
    }

    /// A leap second is inserted at the end of a UTC day, so the time must be 23:59 once the
    /// offset is taken off (which may move it to the previous or next local day).
    static func isLeapSecondMinute(hour: Int, minute: Int, offsetMinutes: Int) -> Bool {
        ((hour * 60 + minute - offsetMinutes) % 1440 + 1440) % 1440 == 23 * 60 + 59
    }

    /// RFC 3339 appendix A: `P` then either weeks alone, or date components (a run of Y, M, D
    /// in that order without gaps) and/or `T` with time components (a run of H, M, S likewise).
    static func isDuration(_ t: Text) -> Bool {
        guard t.count >= 3, t[0] == "P" else { return false }
        var dateUnits: [Int] = []
        var timeUnits: [Int] = []
        var weeks = false
        var inTime = false
        var i = 1
        while i < t.count {
            if t[i] == "T" {
                guard !inTime else { return false }
                inTime = true
                i += 1
                continue
            }
            let numberStart = i
            while i < t.count, isDigit(t[i]) { i += 1 }
            guard i > numberStart, i < t.count else { return false }
            let designator = t[i]
            i += 1
            if inTime {
                switch designator {
                case "H": timeUnits.append(0)
                case "M": timeUnits.append(1)
                case "S": timeUnits.append(2)
                default: return false
                }
            } else {
                switch designator {
                case "Y": dateUnits.append(0)
                case "M": dateUnits.append(1)
                case "D": dateUnits.append(2)
                case "W": weeks = true
                default: return false
                }
            }
        }
        if weeks { return dateUnits.isEmpty && timeUnits.isEmpty && !inTime }
        if inTime && timeUnits.isEmpty { return false }
        guard !dateUnits.isEmpty || !timeUnits.isEmpty else { return false }
        return isContiguousRun(dateUnits) && isContiguousRun(timeUnits)
    }

    private static func isContiguousRun(_ units: [Int]) -> Bool {
        var previous: Int? = nil
        for unit in units {
            if let previous, unit != previous + 1 { return false }
            previous = unit
        }
        return true
    }
}

// MARK: - Small fixed grammars

extension FormatChecker {
    /// RFC 4122 section 3: 8-4-4-4-12 hex digits, any version and variant.
    static func isUUID(_ t: Text) -> Bool {
        guard t.count == 36 else { return false }
        for (k, c) in t.enumerated() {
            if k == 8 || k == 13 || k == 18 || k == 23 {
                guard c == "-" else { return false }
            } else {
                guard isHexDigit(c) else { return false }
            }
        }
        return true
    }

    /// RFC 6901: empty, or `/`-prefixed reference tokens in which `~` only starts `~0` or `~1`.
    /// Validates `t[start...]`.
    static func isJSONPointer(_ t: Text, _ start: Int) -> Bool {
        guard start <= t.count else { return false }
        if start == t.count { return true }
        guard t[start] == "/" else { return false }
        var i = start + 1
        while i < t.count {
            if t[i] == "~" {
                guard i + 1 < t.count, t[i + 1] == "0" || t[i + 1] == "1" else { return false }
                i += 2
            } else {
                i += 1
            }
        }
        return true
    }

    /// draft-bhutton-relative-json-pointer-00: a non-negative integer without leading zeros, an
    /// optional index manipulation (`+N` / `-N`, new in the 2020-12 edition), then `#` or a
    /// JSON Pointer.
    static func isRelativeJSONPointer(_ t: Text) -> Bool {
        guard var i = nonNegativeIntegerEnd(t, 0) else { return false }
        if i < t.count, t[i] == "+" || t[i] == "-" {
            guard let end = nonNegativeIntegerEnd(t, i + 1) else { return false }
            i = end
        }
        if i < t.count, t[i] == "#" { return i + 1 == t.count }
        return isJSONPointer(t, i)
    }

    private static func nonNegativeIntegerEnd(_ t: Text, _ start: Int) -> Int? {
        guard start < t.count, isDigit(t[start]) else { return nil }
        if t[start] == "0" { return start + 1 }
        var i = start + 1
        while i < t.count, isDigit(t[i]) { i += 1 }
        return i
    }
}

// MARK: - IP addresses

extension FormatChecker {
    /// RFC 3986 `IPv4address` in `t[start ..< end]`: four decimal octets, no leading zeros.
    static func isIPv4(_ t: Text, _ start: Int, _ end: Int) -> Bool {
        guard start >= 0, start <= end, end <= t.count else { return false }
        var i = start
        for octet in 0..<4 {
            if octet > 0 {
                guard i < end, t[i] == "." else { return false }
                i += 1
            }
            let octetStart = i
            var value = 0
            while i < end, i - octetStart < 3, let d = digitValue(t[i]) {
                value = value * 10 + d
                i += 1
            }
            let length = i - octetStart
            guard length > 0, value <= 255, length == 1 || t[octetStart] != "0" else { return false }
        }
        return i == end
    }

    /// RFC 4291 section 2.2 text forms in `t[start ..< end]`: eight groups of 1-4 hex digits,
    /// at most one `::` standing for one or more zero groups, and optionally a dotted IPv4
    /// address as the last two groups. Zone identifiers (RFC 6874) are not part of the format.
    static func isIPv6(_ t: Text, _ start: Int, _ end: Int) -> Bool {
        guard start >= 0, start <= end, end <= t.count else { return false }
        var groups = 0
        var compressed = false
        var i = start
        if end - start >= 2, t[start] == ":", t[start + 1] == ":" {
            compressed = true
            i = start + 2
            if i == end { return true }
        }
        while i < end {
            let groupStart = i
            while i < end, i - groupStart < 4, isHexDigit(t[i]) { i += 1 }
            if i < end, t[i] == "." {
                guard isIPv4(t, groupStart, end) else { return false }
                groups += 2
                break
            }
            guard i > groupStart else { return false }
            groups += 1
            if i == end { break }
            guard t[i] == ":" else { return false }
            i += 1
            guard i < end else { return false }
            if t[i] == ":" {
                guard !compressed else { return false }
                compressed = true
                i += 1
            }
        }
        return compressed ? groups <= 7 : groups == 8
    }
}

// MARK: - URIs and IRIs (RFC 3986, RFC 3987)

extension FormatChecker {
    static func isUnreserved(_ c: Unicode.Scalar) -> Bool {
        isAlpha(c) || isDigit(c) || c == "-" || c == "." || c == "_" || c == "~"
    }

    static func isSubDelim(_ c: Unicode.Scalar) -> Bool {
        switch c {
        case "!", "$", "&", "'", "(", ")", "*", "+", ",", ";", "=": return true
        default: return false
        }
    }

    /// RFC 3987 `ucschar`: the non-ASCII characters an IRI may carry unencoded.
    static func isUCSChar(_ c: Unicode.Scalar) -> Bool {
        let v = c.value
        switch v {
        case 0xA0...0xD7FF, 0xF900...0xFDCF, 0xFDF0...0xFFEF: return true
        case 0x10000...0xEFFFD:
            // Planes 1-14 minus each plane's last two code points (noncharacters); plane 14
            // starts at E1000 (E0000-E0FFF are tags and variation selectors).
            if v & 0xFFFE == 0xFFFE { return false }
            return v < 0xE0000 || v >= 0xE1000
        default: return false
        }
    }

    /// RFC 3987 `iprivate`, allowed in the query only.
    static func isPrivateUse(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0xE000...0xF8FF, 0xF0000...0xFFFFD, 0x100000...0x10FFFD: return true
        default: return false
        }
    }

    /// `t[start ..< end]` consists of unreserved characters (plus `ucschar` for IRIs),
    /// sub-delims, percent-encoded octets and the characters `extra` allows.
    static func scanURIChars(
        _ t: Text, _ start: Int, _ end: Int, international: Bool, privateUse: Bool = false,
        extra: (Unicode.Scalar) -> Bool
    ) -> Bool {
        guard start >= 0, start <= end, end <= t.count else { return false }
        var i = start
        while i < end {
            let c = t[i]
            if c == "%" {
                guard end - i >= 3, isHexDigit(t[i + 1]), isHexDigit(t[i + 2]) else { return false }
                i += 3
                continue
            }
            guard isUnreserved(c) || isSubDelim(c) || extra(c)
                    || (international && (isUCSChar(c) || (privateUse && isPrivateUse(c))))
            else { return false }
            i += 1
        }
        return true
    }

    private static func isPathChar(_ c: Unicode.Scalar) -> Bool { c == ":" || c == "@" || c == "/" }
    private static func isQueryChar(_ c: Unicode.Scalar) -> Bool { c == ":" || c == "@" || c == "/" || c == "?" }

    /// `URI` / `IRI` (scheme required, fragment allowed) or, with `reference`, also the
    /// relative references of RFC 3986 section 4.2.
    static func isURI(_ t: Text, international: Bool, reference: Bool) -> Bool {
        var end = t.count
        if let hash = t.firstIndex(of: "#") {
            guard scanURIChars(t, hash + 1, t.count, international: international, extra: isQueryChar)
            else { return false }
            end = hash
        }
        if let question = t[..<end].firstIndex(of: "?") {
            guard scanURIChars(t, question + 1, end, international: international, privateUse: true,
                               extra: isQueryChar)
            else { return false }
            end = question
        }
        // A colon before the first slash can only end a scheme: a relative path's first
        // segment may not contain one (`path-noscheme`), so there is no second reading.
        var i = 0
        if let colon = t[..<end].firstIndex(where: { $0 == ":" || $0 == "/" }), t[colon] == ":" {
            guard isScheme(t, 0, colon) else { return false }
            i = colon + 1
        } else if !reference {
            return false
        }
        if end - i >= 2, t[i] == "/", t[i + 1] == "/" {
            let authorityEnd = t[(i + 2)..<end].firstIndex(of: "/") ?? end
            guard isAuthority(t, i + 2, authorityEnd, international: international) else { return false }
            i = authorityEnd
        }
        return scanURIChars(t, i, end, international: international, extra: isPathChar)
    }

    private static func isScheme(_ t: Text, _ start: Int, _ end: Int) -> Bool {
        guard start < end, isAlpha(t[start]) else { return false }
        for c in t[start..<end] {
            guard isAlpha(c) || isDigit(c) || c == "+" || c == "-" || c == "." else { return false }
        }
        return true
    }

    private static func isAuthority(_ t: Text, _ start: Int, _ end: Int, international: Bool) -> Bool {
        var hostStart = start
        if let at = t[start..<end].firstIndex(of: "@") {
            guard scanURIChars(t, start, at, international: international, extra: { $0 == ":" })
            else { return false }
            hostStart = at + 1
        }
        var portStart: Int? = nil
        if hostStart < end, t[hostStart] == "[" {
            guard let close = t[hostStart..<end].firstIndex(of: "]"),
                  isIPv6(t, hostStart + 1, close) || isIPvFuture(t, hostStart + 1, close)
            else { return false }
            if close + 1 < end {
                guard t[close + 1] == ":" else { return false }
                portStart = close + 2
            }
        } else {
            // `reg-name` has no colon, so the first one starts the port. IPv4address is a
            // subset of reg-name, which is why "999.999.999.999" is a valid host.
            let hostEnd = t[hostStart..<end].firstIndex(of: ":") ?? end
            guard scanURIChars(t, hostStart, hostEnd, international: international, extra: { _ in false })
            else { return false }
            if hostEnd < end { portStart = hostEnd + 1 }
        }
        if let portStart {
            for c in t[portStart..<end] where !isDigit(c) { return false }
        }
        return true
    }

    private static func isIPvFuture(_ t: Text, _ start: Int, _ end: Int) -> Bool {
        guard start < end, t[start] == "v" || t[start] == "V" else { return false }
        var i = start + 1
        while i < end, isHexDigit(t[i]) { i += 1 }
        guard i > start + 1, i < end, t[i] == ".", i + 1 < end else { return false }
        for c in t[(i + 1)..<end] where !(isUnreserved(c) || isSubDelim(c) || c == ":") { return false }
        return true
    }

    /// RFC 6570 section 2 syntax (any level): literals, percent-encoded octets and expressions
    /// `{` [operator] varspec *( "," varspec ) `}`. The apostrophe is a literal per erratum 6937.
    /// The operators reserved for future extensions are accepted, as the ABNF does.
    static func isURITemplate(_ t: Text) -> Bool {
        var i = 0
        while i < t.count {
            let c = t[i]
            if c == "{" {
                guard let close = t[(i + 1)...].firstIndex(of: "}"), isExpression(t, i + 1, close)
                else { return false }
                i = close + 1
            } else if c == "%" {
                guard t.count - i >= 3, isHexDigit(t[i + 1]), isHexDigit(t[i + 2]) else { return false }
                i += 3
            } else {
                guard isTemplateLiteral(c) else { return false }
                i += 1
            }
        }
        return true
    }

    private static func isTemplateLiteral(_ c: Unicode.Scalar) -> Bool {
        switch c.value {
        case 0x21, 0x23, 0x24, 0x26, 0x27, 0x28...0x3B, 0x3D, 0x3F...0x5B, 0x5D, 0x5F, 0x61...0x7A, 0x7E:
            return true
        default:
            return isUCSChar(c) || isPrivateUse(c)
        }
    }

    private static func isExpression(_ t: Text, _ start: Int, _ end: Int) -> Bool {
        var i = start
        guard i < end else { return false }
        switch t[i] {
        case "+", "#", ".", "/", ";", "?", "&", "=", ",", "!", "@", "|": i += 1
        default: break
        }
        while true {
            // varname = varchar *( ["."] varchar ), varchar = ALPHA / DIGIT / "_" / pct-encoded
            var afterDot = true
            var sawChar = false
            while i < end {
                let c = t[i]
                if c == "%" {
                    guard end - i >= 3, isHexDigit(t[i + 1]), isHexDigit(t[i + 2]) else { return false }
                    i += 3
                } else if isAlpha(c) || isDigit(c) || c == "_" {
                    i += 1
                } else if c == "." {
                    guard !afterDot else { return false }
                    afterDot = true
                    i += 1
                    continue
                } else {
                    break
                }
                afterDot = false
                sawChar = true
            }
            guard sawChar, !afterDot else { return false }
            if i < end, t[i] == "*" {
                i += 1
            } else if i < end, t[i] == ":" {
                // max-length = %x31-39 0*3DIGIT: 1 to 9999 without a leading zero.
                i += 1
                guard i < end, t[i] >= "1" && t[i] <= "9" else { return false }
                let lengthStart = i
                while i < end, isDigit(t[i]) { i += 1 }
                guard i - lengthStart <= 4 else { return false }
            }
            if i == end { return true }
            guard t[i] == "," else { return false }
            i += 1
        }
    }
}

// MARK: - E-mail addresses (RFC 5321 section 4.1.2, RFC 6531 section 3.3)

extension FormatChecker {
    /// `Mailbox = Local-part "@" ( Domain / address-literal )`. The international form adds
    /// any non-ASCII character to `atext` and `qtextSMTP` and allows U-labels in the domain.
    static func isMailbox(_ t: Text, international: Bool) -> Bool {
        guard let first = t.first else { return false }
        var i = 0
        if first == "\"" {
            i = 1
            var closed = false
            while i < t.count {
                let c = t[i]
                if c == "\"" { closed = true; i += 1; break }
                if c == "\\" {
                    guard i + 1 < t.count, t[i + 1].value >= 32 && t[i + 1].value <= 126 else { return false }
                    i += 2
                    continue
                }
                guard (c.value >= 32 && c.value <= 126) || (international && c.value >= 0x80) else { return false }
                i += 1
            }
            guard closed else { return false }
        } else {
            // Dot-string: atoms separated by single dots, no dot at either end.
            var atomLength = 0
            while i < t.count, t[i] != "@" {
                let c = t[i]
                if c == "." {
                    guard atomLength > 0 else { return false }
                    atomLength = 0
                } else {
                    guard isAtext(c) || (international && c.value >= 0x80) else { return false }
                    atomLength += 1
                }
                i += 1
            }
            guard atomLength > 0 else { return false }
        }
        // RFC 5321 section 4.5.3.1.1: the local part is at most 64 octets.
        var localOctets = 0
        for c in t[0..<i] { localOctets += utf8Length(c) }
        guard localOctets <= 64, i < t.count, t[i] == "@" else { return false }
        let domain = Array(t[(i + 1)...])
        guard let domainFirst = domain.first else { return false }
        if domainFirst == "[" {
            guard domain.count >= 2, domain[domain.count - 1] == "]" else { return false }
            let inner = Array(domain[1..<(domain.count - 1)])
            let tag: Text = ["I", "P", "v", "6", ":"]
            if inner.count > tag.count, zip(inner, tag).allSatisfy({ asciiLowercase($0) == asciiLowercase($1) }) {
                return isIPv6(inner, tag.count, inner.count)
            }
            // General-address-literal needs an IANA-registered tag, and none but IPv6 exists.
            return isIPv4(inner, 0, inner.count)
        }
        return isHostname(domain, international: international)
    }

    private static func isAtext(_ c: Unicode.Scalar) -> Bool {
        if isAlpha(c) || isDigit(c) { return true }
        switch c {
        case "!", "#", "$", "%", "&", "'", "*", "+", "-", "/", "=", "?", "^", "_", "`", "{", "|", "}", "~":
            return true
        default:
            return false
        }
    }
}

// MARK: - ECMA-262 pattern syntax

extension FormatChecker {
    /// The parts of ECMA-262 pattern syntax (with the `u` flag, as the JSON Schema test suite
    /// assumes) that PCRE2 would otherwise accept with a meaning of its own: `(?` other than
    /// `(?:`, lookaround, named groups and `(?ims-ims:` modifiers (so no `(?P<n>`, `(?#…)`,
    /// `(?i)`, `(?>…)`), `(*VERB)`, possessive and stacked quantifiers, escapes other than
    /// ECMA's (no `\a`, `\z`, `\Q`, `\-` outside a class…), lone `{`, `}` and `]`, ranges with
    /// a class escape as an end, and quantified assertions. Everything PCRE2 checks itself
    /// (balanced groups, range order, back reference targets, property names) is left to
    /// `ECMARegex`, which must accept the pattern as well.
    enum ECMAPatternSyntax {
        private enum Group { case quantifiable, assertion }

        static func isValid(_ p: Text) -> Bool {
            var groups: [Group] = []
            var canQuantify = false
            var i = 0
            while i < p.count {
                let c = p[i]
                switch c {
                case "\\":
                    guard let (next, kind) = escape(p, i, inClass: false) else { return false }
                    i = next
                    canQuantify = kind != .assertion
                    continue
                case "[":
                    guard let next = characterClassEnd(p, i) else { return false }
                    i = next
                    canQuantify = true
                    continue
                case "(":
                    guard let (next, group) = groupStart(p, i) else { return false }
                    groups.append(group)
                    i = next
                    canQuantify = false
                    continue
                case ")":
                    guard let group = groups.popLast() else { return false }
                    canQuantify = group == .quantifiable
                case "*", "+", "?", "{":
                    guard canQuantify else { return false }
                    if c == "{" {
                        guard let next = braceQuantifierEnd(p, i) else { return false }
                        i = next
                    } else {
                        i += 1
                    }
                    if i < p.count, p[i] == "?" { i += 1 }  // lazy
                    canQuantify = false
                    continue
                case "}", "]":
                    return false
                case "|", "^", "$":
                    canQuantify = false
                default:
                    canQuantify = true
                }
                i += 1
            }
            return groups.isEmpty
        }

        private enum EscapeKind { case character, set, assertion }

        /// The end of the escape starting at `p[start] == "\\"`.
        private static func escape(_ p: Text, _ start: Int, inClass: Bool) -> (Int, EscapeKind)? {
            guard start + 1 < p.count else { return nil }
            let c = p[start + 1]
            var i = start + 2
            switch c {
            case "d", "D", "s", "S", "w", "W": return (i, .set)
            case "b": return (i, inClass ? .character : .assertion)  // backspace inside a class
            case "B": return inClass ? nil : (i, .assertion)
            case "f", "n", "r", "t", "v": return (i, .character)
            case "-": return inClass ? (i, .character) : nil
            case "^", "$", "\\", ".", "*", "+", "?", "(", ")", "[", "]", "{", "}", "|", "/": return (i, .character)
            case "c":
                guard i < p.count, isAlpha(p[i]) else { return nil }
                return (i + 1, .character)
            case "0":
                if i < p.count, isDigit(p[i]) { return nil }
                return (i, .character)
            case "1"..."9":
                // A back reference; a class has none with the u flag.
                guard !inClass else { return nil }
                while i < p.count, isDigit(p[i]) { i += 1 }
                return (i, .character)
            case "x":
                guard p.count - i >= 2, isHexDigit(p[i]), isHexDigit(p[i + 1]) else { return nil }
                return (i + 2, .character)
            case "u":
                if i < p.count, p[i] == "{" {
                    var value: UInt32 = 0
                    i += 1
                    let digitsStart = i
                    while i < p.count, isHexDigit(p[i]) {
                        guard value <= 0x10FFFF else { return nil }
                        value = value * 16 + UInt32(hexValue(p[i]))
                        i += 1
                    }
                    guard i > digitsStart, value <= 0x10FFFF, i < p.count, p[i] == "}" else { return nil }
                    return (i + 1, .character)
                }
                guard p.count - i >= 4, p[i..<(i + 4)].allSatisfy(isHexDigit) else { return nil }
                return (i + 4, .character)
            case "p", "P":
                guard i < p.count, p[i] == "{" else { return nil }
                i += 1
                let nameStart = i
                while i < p.count, isAlpha(p[i]) || isDigit(p[i]) || p[i] == "_" || p[i] == "=" { i += 1 }
                guard i > nameStart, i < p.count, p[i] == "}" else { return nil }
                return (i + 1, .set)
            case "k":
                guard !inClass, let end = groupNameEnd(p, i) else { return nil }
                return (end, .character)
            default:
                return nil
            }
        }

        private static func hexValue(_ c: Unicode.Scalar) -> Int {
            switch c {
            case "0"..."9": return Int(c.value) - 0x30
            case "a"..."f": return Int(c.value) - 0x61 + 10
            case "A"..."F": return Int(c.value) - 0x41 + 10
            default: return 0
            }
        }

        /// `<` RegExpIdentifierName `>` at `start`; the index after `>`.
        private static func groupNameEnd(_ p: Text, _ start: Int) -> Int? {
            guard start < p.count, p[start] == "<" else { return nil }
            var i = start + 1
            while i < p.count, p[i] != ">" {
                let c = p[i]
                let allowed = i == start + 1
                    ? c.properties.isIDStart || c == "$" || c == "_"
                    : c.properties.isIDContinue || c == "$" || c.value == 0x200C || c.value == 0x200D
                guard allowed else { return nil }
                i += 1
            }
            guard i > start + 1, i < p.count else { return nil }
            return i + 1
        }

        /// The part after `(` up to the group's contents.
        private static func groupStart(_ p: Text, _ start: Int) -> (Int, Group)? {
            var i = start + 1
            guard i < p.count else { return nil }
            if p[i] == "*" { return nil }  // PCRE verbs; in ECMA-262, nothing to repeat
            guard p[i] == "?" else { return (i, .quantifiable) }
            i += 1
            guard i < p.count else { return nil }
            switch p[i] {
            case ":": return (i + 1, .quantifiable)
            case "=", "!": return (i + 1, .assertion)
            case "<":
                if i + 1 < p.count, p[i + 1] == "=" || p[i + 1] == "!" { return (i + 2, .assertion) }
                guard let end = groupNameEnd(p, i) else { return nil }
                return (end, .quantifiable)
            default:
                // Modifiers (ES2025): (?flags:…), (?-flags:…) or (?flags-flags:…), flags from
                // "ims", none twice, not both sets empty.
                var seen: Set<Unicode.Scalar> = []
                var sawDash = false
                while i < p.count, p[i] != ":" {
                    let c = p[i]
                    if c == "-" {
                        guard !sawDash else { return nil }
                        sawDash = true
                    } else {
                        guard c == "i" || c == "m" || c == "s", seen.insert(c).inserted else { return nil }
                    }
                    i += 1
                }
                guard i < p.count, !seen.isEmpty else { return nil }
                return (i + 1, .quantifiable)
            }
        }

        /// `{n}`, `{n,}` or `{n,m}` at `start`; with the u flag any other `{` is an error.
        private static func braceQuantifierEnd(_ p: Text, _ start: Int) -> Int? {
            var i = start + 1
            let minStart = i
            while i < p.count, isDigit(p[i]) { i += 1 }
            guard i > minStart, i < p.count else { return nil }
            if p[i] == "," {
                i += 1
                while i < p.count, isDigit(p[i]) { i += 1 }
            }
            guard i < p.count, p[i] == "}" else { return nil }
            return i + 1
        }

        /// The index after the class starting at `p[start] == "["`.
        private static func characterClassEnd(_ p: Text, _ start: Int) -> Int? {
            var i = start + 1
            if i < p.count, p[i] == "^" { i += 1 }
            while i < p.count {
                if p[i] == "]" { return i + 1 }
                guard let (afterFirst, firstIsSet) = classAtom(p, i) else { return nil }
                i = afterFirst
                if i + 1 < p.count, p[i] == "-", p[i + 1] != "]" {
                    guard let (afterSecond, secondIsSet) = classAtom(p, i + 1), !firstIsSet, !secondIsSet
                    else { return nil }
                    i = afterSecond
                }
            }
            return nil
        }

        private static func classAtom(_ p: Text, _ start: Int) -> (Int, Bool)? {
            guard start < p.count else { return nil }
            guard p[start] == "\\" else { return (start + 1, false) }
            guard let (next, kind) = escape(p, start, inClass: true) else { return nil }
            return (next, kind == .set)
        }
    }
}

// MARK: - Host names (RFC 1123 section 2.1, IDNA2008: RFC 5890-5893)

extension FormatChecker {
    /// `hostname` is all-ASCII: letter-digit-hyphen labels of 1-63 characters, 253 in all,
    /// no empty label (so no trailing dot). Labels starting with `xn--` must be valid A-labels.
    /// `idn-hostname` also takes U-labels and the ideographic full stops as separators; its
    /// lengths are those of the A-label (ASCII) form.
    ///
    /// Not checked, for want of tables the standard library does not provide: that U-labels
    /// are in Unicode Normalization Form C (RFC 5891 section 5.4).
    static func isHostname(_ t: Text, international: Bool) -> Bool {
        guard !t.isEmpty else { return false }
        var labels: [Text] = []
        var asciiLength = 0
        var labelStart = 0
        var i = 0
        while i <= t.count {
            if i == t.count || isLabelSeparator(t[i], international: international) {
                guard i > labelStart,
                      let (length, uLabel) = checkLabel(Array(t[labelStart..<i]), international: international)
                else { return false }
                asciiLength += length + (labels.isEmpty ? 0 : 1)
                guard asciiLength <= 253 else { return false }
                labels.append(uLabel)
                labelStart = i + 1
            }
            i += 1
        }
        // RFC 5893 section 2: once any label is right-to-left, every label must obey the rule.
        // ASCII has no right-to-left characters, so the common all-ASCII name skips the lookups.
        if labels.contains(where: { !$0.allSatisfy(\.isASCII) }), labels.contains(where: isRightToLeftLabel) {
            return labels.allSatisfy(satisfiesBidiRule)
        }
        return true
    }

    private static func isLabelSeparator(_ c: Unicode.Scalar, international: Bool) -> Bool {
        if c == "." { return true }
        guard international else { return false }
        // RFC 3490 section 3.1: ideographic, fullwidth and halfwidth ideographic full stops.
        return c.value == 0x3002 || c.value == 0xFF0E || c.value == 0xFF61
    }

    /// The label's length in ASCII form and its Unicode form (for the Bidi rule), or nil if it
    /// is not valid.
    private static func checkLabel(_ label: Text, international: Bool) -> (Int, Text)? {
        if label.allSatisfy({ $0.isASCII }) {
            guard label.count <= 63, label.allSatisfy({ isAlpha($0) || isDigit($0) || $0 == "-" }),
                  label.first != "-", label.last != "-"
            else { return nil }
            if label.count >= 4, asciiLowercase(label[0]) == "x", asciiLowercase(label[1]) == "n",
               label[2] == "-", label[3] == "-" {
                // RFC 5891 section 5.3: an A-label must decode to a valid U-label that is not
                // all-ASCII, and encoding that U-label again must give the same A-label.
                let encoded = Array(label[4...])
                guard let uLabel = Punycode.decode(encoded), !uLabel.allSatisfy({ $0.isASCII }),
                      let reencoded = Punycode.encode(uLabel), reencoded.count == encoded.count,
                      zip(reencoded, encoded).allSatisfy({ asciiLowercase($0) == asciiLowercase($1) }),
                      isValidULabel(uLabel)
                else { return nil }
                return (label.count, uLabel)
            }
            return (label.count, label)
        }
        guard international, isValidULabel(label), let encoded = Punycode.encode(label),
              encoded.count + 4 <= 63
        else { return nil }
        return (encoded.count + 4, label)
    }

    /// RFC 5891 section 5.4 and RFC 5892: the checks on a U-label other than NFC and Bidi.
    static func isValidULabel(_ label: Text) -> Bool {
        guard let first = label.first, let last = label.last, first != "-", last != "-" else { return false }
        if label.count >= 4, label[2] == "-", label[3] == "-" { return false }
        switch first.properties.generalCategory {
        case .nonspacingMark, .spacingMark, .enclosingMark: return false
        default: break
        }
        for k in label.indices {
            switch IDNA.derivedProperty(label[k]) {
            case .pvalid: continue
            case .disallowed: return false
            case .contextJ: guard IDNA.contextJAllows(label, k) else { return false }
            case .contextO: guard IDNA.contextOAllows(label, k) else { return false }
            }
        }
        return true
    }

    private static func isRightToLeftLabel(_ label: Text) -> Bool {
        label.contains { c in
            let bidi = IDNA.bidiClass(c)
            return bidi == .r || bidi == .al || bidi == .an
        }
    }

    /// RFC 5893 section 2, rules 1-6.
    private static func satisfiesBidiRule(_ label: Text) -> Bool {
        guard let first = label.first else { return false }
        let classes = label.map(IDNA.bidiClass)
        let lastStrong = classes.last(where: { $0 != .nsm })
        switch IDNA.bidiClass(first) {
        case .l:
            let allowed: Set<IDNA.BidiClass> = [.l, .en, .es, .cs, .et, .on, .bn, .nsm]
            guard classes.allSatisfy(allowed.contains) else { return false }
            return lastStrong == .l || lastStrong == .en
        case .r, .al:
            let allowed: Set<IDNA.BidiClass> = [.r, .al, .an, .en, .es, .cs, .et, .on, .bn, .nsm]
            guard classes.allSatisfy(allowed.contains) else { return false }
            guard let lastStrong, [.r, .al, .en, .an].contains(lastStrong) else { return false }
            return !(classes.contains(.en) && classes.contains(.an))
        default:
            return false
        }
    }
}

// MARK: - Punycode (RFC 3492)

extension FormatChecker {
    enum Punycode {
        private static let base = 36, tMin = 1, tMax = 26, skew = 38, damp = 700
        private static let initialBias = 72, initialN = 0x80
        /// Labels are at most 63 octets, so anything near this bound is garbage; keeping all
        /// arithmetic below it rules out overflow.
        private static let limit = 0x7FFF_FFFF

        private static func adapt(_ delta: Int, _ count: Int, _ first: Bool) -> Int {
            var delta = first ? delta / damp : delta / 2
            delta += delta / count
            var k = 0
            while delta > ((base - tMin) * tMax) / 2 {
                delta /= base - tMin
                k += base
            }
            return k + (base - tMin + 1) * delta / (delta + skew)
        }

        private static func threshold(_ k: Int, _ bias: Int) -> Int {
            k <= bias ? tMin : (k >= bias + tMax ? tMax : k - bias)
        }

        private static func digitValue(_ c: Unicode.Scalar) -> Int? {
            switch c {
            case "a"..."z": return Int(c.value) - 0x61
            case "A"..."Z": return Int(c.value) - 0x41
            case "0"..."9": return Int(c.value) - 0x30 + 26
            default: return nil
            }
        }

        private static func digit(_ d: Int) -> Unicode.Scalar {
            let value = d < 26 ? 0x61 + d : 0x30 + d - 26
            return Unicode.Scalar(UInt8(truncatingIfNeeded: value))
        }

        static func decode(_ input: Text) -> Text? {
            var output: Text = []
            var position = 0
            if let delimiter = input.lastIndex(of: "-") {
                for c in input[..<delimiter] {
                    guard c.isASCII else { return nil }
                    output.append(c)
                }
                position = delimiter + 1
            }
            var n = initialN, i = 0, bias = initialBias
            while position < input.count {
                let oldI = i
                var w = 1
                var k = base
                while true {
                    guard position < input.count, let d = digitValue(input[position]) else { return nil }
                    position += 1
                    guard d <= (limit - i) / w else { return nil }
                    i += d * w
                    let t = threshold(k, bias)
                    if d < t { break }
                    guard w <= limit / (base - t) else { return nil }
                    w *= base - t
                    k += base
                }
                let count = output.count + 1
                bias = adapt(i - oldI, count, oldI == 0)
                guard i / count <= limit - n else { return nil }
                n += i / count
                i %= count
                guard n <= 0x10FFFF, let scalar = Unicode.Scalar(UInt32(n)), !scalar.isASCII else { return nil }
                output.insert(scalar, at: i)
                i += 1
            }
            return output
        }

        static func encode(_ input: Text) -> Text? {
            var output: Text = input.filter(\.isASCII)
            let basicCount = output.count
            var handled = basicCount
            if basicCount > 0 { output.append("-") }
            var n = initialN, delta = 0, bias = initialBias
            while handled < input.count {
                var m = limit
                for c in input where Int(c.value) >= n && Int(c.value) < m { m = Int(c.value) }
                guard (m - n) <= (limit - delta) / (handled + 1) else { return nil }
                delta += (m - n) * (handled + 1)
                n = m
                for c in input {
                    let value = Int(c.value)
                    if value < n {
                        guard delta < limit else { return nil }
                        delta += 1
                    } else if value == n {
                        var q = delta
                        var k = base
                        while true {
                            let t = threshold(k, bias)
                            if q < t { break }
                            output.append(digit(t + (q - t) % (base - t)))
                            q = (q - t) / (base - t)
                            k += base
                        }
                        output.append(digit(q))
                        bias = adapt(delta, handled + 1, handled == basicCount)
                        delta = 0
                        handled += 1
                    }
                }
                guard delta < limit else { return nil }
                delta += 1
                n += 1
            }
            return output
        }
    }
}

// MARK: - IDNA2008 character properties (RFC 5892, RFC 5893)

extension FormatChecker {
    enum IDNA {
        enum DerivedProperty { case pvalid, contextJ, contextO, disallowed }

        /// RFC 5892 section 3, computed from the standard library's Unicode properties
        /// instead of a table. With Swift 6.3 (Unicode 17.0) this agrees on every code point with
        /// the tables of the Python `idna` package 3.13 (Unicode 17.0).
        static func derivedProperty(_ c: Unicode.Scalar) -> DerivedProperty {
            let v = c.value
            switch v {
            // Exceptions (section 2.6).
            case 0xDF, 0x3C2, 0x6FD, 0x6FE, 0xF0B, 0x3007: return .pvalid
            case 0xB7, 0x375, 0x5F3, 0x5F4, 0x30FB, 0x660...0x669, 0x6F0...0x6F9: return .contextO
            case 0x640, 0x7FA, 0x302E, 0x302F, 0x3031...0x3035, 0x303B: return .disallowed
            // LDH (section 2.3): lowercase only; uppercase is caught as Unstable below.
            case 0x2D, 0x30...0x39, 0x61...0x7A: return .pvalid
            // JoinControl (section 2.4).
            case 0x200C, 0x200D: return .contextJ
            default: break
            }
            let properties = c.properties
            // Unassigned (section 2.5) and Unstable (section 2.2).
            if properties.generalCategory == .unassigned || properties.changesWhenNFKCCaseFolded { return .disallowed }
            // IgnorableProperties (section 2.7).
            if properties.isDefaultIgnorableCodePoint || properties.isWhitespace || properties.isNoncharacterCodePoint {
                return .disallowed
            }
            switch v {
            // IgnorableBlocks (section 2.8): Combining Diacritical Marks for Symbols, Musical
            // Symbols, Ancient Greek Musical Notation.
            case 0x20D0...0x20FF, 0x1D100...0x1D1FF, 0x1D200...0x1D24F: return .disallowed
            // OldHangulJamo (section 2.9): Hangul_Syllable_Type L, V and T.
            case 0x1100...0x11FF, 0xA960...0xA97F, 0xD7B0...0xD7FF: return .disallowed
            default: break
            }
            // LetterDigits (section 2.1).
            switch properties.generalCategory {
            case .lowercaseLetter, .uppercaseLetter, .otherLetter, .decimalNumber, .modifierLetter,
                 .nonspacingMark, .spacingMark:
                return .pvalid
            default:
                return .disallowed
            }
        }

        /// RFC 5892 appendix A.1 and A.2.
        static func contextJAllows(_ label: Text, _ k: Int) -> Bool {
            guard k >= 0, k < label.count else { return false }
            if k > 0, label[k - 1].properties.canonicalCombiningClass.rawValue == 9 { return true }  // Virama
            guard label[k].value == 0x200C else { return false }
            // (Joining_Type:{L,D})(Joining_Type:T)*\u200C(Joining_Type:T)*(Joining_Type:{R,D})
            var j = k - 1
            while j >= 0, joiningType(label[j]) == "T" { j -= 1 }
            guard j >= 0, joiningType(label[j]) == "L" || joiningType(label[j]) == "D" else { return false }
            j = k + 1
            while j < label.count, joiningType(label[j]) == "T" { j += 1 }
            return j < label.count && (joiningType(label[j]) == "R" || joiningType(label[j]) == "D")
        }

        /// RFC 5892 appendix A.3 to A.9.
        static func contextOAllows(_ label: Text, _ k: Int) -> Bool {
            guard k >= 0, k < label.count else { return false }
            switch label[k].value {
            case 0xB7:  // MIDDLE DOT: only in Catalan "l·l"
                return k > 0 && k + 1 < label.count && label[k - 1] == "l" && label[k + 1] == "l"
            case 0x375:  // GREEK LOWER NUMERAL SIGN (KERAIA)
                return k + 1 < label.count && inRanges(greek, label[k + 1].value)
            case 0x5F3, 0x5F4:  // HEBREW PUNCTUATION GERESH and GERSHAYIM
                return k > 0 && inRanges(hebrew, label[k - 1].value)
            case 0x30FB:  // KATAKANA MIDDLE DOT
                return label.contains { inRanges(hiraganaKatakanaHan, $0.value) }
            case 0x660...0x669:  // ARABIC-INDIC DIGITS
                return !label.contains { (0x6F0...0x6F9).contains($0.value) }
            case 0x6F0...0x6F9:  // EXTENDED ARABIC-INDIC DIGITS
                return !label.contains { (0x660...0x669).contains($0.value) }
            default:
                return false
            }
        }

        /// Joining_Type from ArabicShaping.txt: listed code points, else T for the marks
        /// (Mn, Me; the Cf that are also T never reach this: IDNA disallows them), else U.
        static func joiningType(_ c: Unicode.Scalar) -> Unicode.Scalar {
            if let listed = lookup(joiningTypes, c.value) { return Unicode.Scalar(listed) }
            switch c.properties.generalCategory {
            case .nonspacingMark, .enclosingMark: return "T"
            default: return "U"
            }
        }

        enum BidiClass: Hashable { case l, r, al, an, en, es, cs, et, on, bn, nsm }

        /// Bidi_Class, exact only for the code points IDNA permits (the rule runs after the
        /// derived-property check): marks are NSM except the five listed, the table holds the
        /// rest that is not L.
        static func bidiClass(_ c: Unicode.Scalar) -> BidiClass {
            switch c.value {
            case 0xCBF, 0xCC6, 0x11A07, 0x11A08, 0x11C3F: return .l
            default: break
            }
            switch c.properties.generalCategory {
            case .nonspacingMark, .enclosingMark: return .nsm
            default: break
            }
            switch lookup(bidiClasses, c.value) {
            case UInt8(ascii: "R"): return .r
            case UInt8(ascii: "A"): return .al
            case UInt8(ascii: "N"): return .an
            case UInt8(ascii: "E"): return .en
            case UInt8(ascii: "S"): return .es
            case UInt8(ascii: "C"): return .cs
            case UInt8(ascii: "T"): return .et
            case UInt8(ascii: "O"): return .on
            case UInt8(ascii: "B"): return .bn
            default: return .l
            }
        }

        private static func lookup(_ table: [(UInt32, UInt32, UInt8)], _ v: UInt32) -> UInt8? {
            entry(in: table, containing: v, first: { $0.0 }, last: { $0.1 })?.2
        }

        private static func inRanges(_ table: [(UInt32, UInt32)], _ v: UInt32) -> Bool {
            entry(in: table, containing: v, first: { $0.0 }, last: { $0.1 }) != nil
        }

        /// Binary search of a table of sorted, disjoint code point ranges.
        private static func entry<Entry>(in table: [Entry], containing v: UInt32, first: (Entry) -> UInt32, last: (Entry) -> UInt32) -> Entry? {
            var low = 0, high = table.count
            while low < high {
                let mid = low + (high - low) / 2
                let entry = table[mid]
                if v < first(entry) {
                    high = mid
                } else if v > last(entry) {
                    low = mid + 1
                } else {
                    return entry
                }
            }
            return nil
        }

        // The tables below are generated: joining types and scripts from the Python `idna`
        // package 3.13 (Unicode 17.0), Bidi classes from the Unicode 15.1 UCD with the
        // DerivedBidiClass block defaults (R, AL) for later additions. Ranges are merged across
        // code points IDNA disallows, since no label that reaches a lookup has them.
        // Bidi codes: R, A(L), (A)N, E(N), (E)S, C(S), (E)T, O(N), B(N).

        private static let bidiClasses: [(UInt32, UInt32, UInt8)] = [
            (0x2D, 0x2D, UInt8(ascii: "S")), (0x30, 0x39, UInt8(ascii: "E")),
            (0xB7, 0xB7, UInt8(ascii: "O")), (0x2B9, 0x2BA, UInt8(ascii: "O")),
            (0x2C6, 0x2CF, UInt8(ascii: "O")), (0x2EC, 0x2EC, UInt8(ascii: "O")),
            (0x375, 0x375, UInt8(ascii: "O")), (0x5D0, 0x5F4, UInt8(ascii: "R")),
            (0x620, 0x64A, UInt8(ascii: "A")), (0x660, 0x669, UInt8(ascii: "N")),
            (0x66E, 0x6EF, UInt8(ascii: "A")), (0x6F0, 0x6F9, UInt8(ascii: "E")),
            (0x6FA, 0x7B1, UInt8(ascii: "A")), (0x7C0, 0x858, UInt8(ascii: "R")),
            (0x860, 0x8C9, UInt8(ascii: "A")), (0x200C, 0x200D, UInt8(ascii: "B")),
            (0x2E2F, 0x2E2F, UInt8(ascii: "O")), (0x30FB, 0x30FB, UInt8(ascii: "O")),
            (0xA67F, 0xA67F, UInt8(ascii: "O")), (0xA717, 0xA71F, UInt8(ascii: "O")),
            (0xA788, 0xA788, UInt8(ascii: "O")), (0xFE73, 0xFE73, UInt8(ascii: "A")),
            (0x10800, 0x10CF2, UInt8(ascii: "R")), (0x10D00, 0x10D23, UInt8(ascii: "A")),
            (0x10D30, 0x10D39, UInt8(ascii: "N")), (0x10D40, 0x10EB1, UInt8(ascii: "R")),
            (0x10EC2, 0x10EC7, UInt8(ascii: "A")), (0x10F00, 0x10F27, UInt8(ascii: "R")),
            (0x10F30, 0x10F45, UInt8(ascii: "A")), (0x10F70, 0x10FF6, UInt8(ascii: "R")),
            (0x1E800, 0x1E959, UInt8(ascii: "R")),
        ]

        private static let joiningTypes: [(UInt32, UInt32, UInt8)] = [
            (0x620, 0x620, UInt8(ascii: "D")), (0x622, 0x625, UInt8(ascii: "R")),
            (0x626, 0x626, UInt8(ascii: "D")), (0x627, 0x627, UInt8(ascii: "R")),
            (0x628, 0x628, UInt8(ascii: "D")), (0x629, 0x629, UInt8(ascii: "R")),
            (0x62A, 0x62E, UInt8(ascii: "D")), (0x62F, 0x632, UInt8(ascii: "R")),
            (0x633, 0x63F, UInt8(ascii: "D")), (0x640, 0x640, UInt8(ascii: "C")),
            (0x641, 0x647, UInt8(ascii: "D")), (0x648, 0x648, UInt8(ascii: "R")),
            (0x649, 0x64A, UInt8(ascii: "D")), (0x66E, 0x66F, UInt8(ascii: "D")),
            (0x671, 0x673, UInt8(ascii: "R")), (0x675, 0x677, UInt8(ascii: "R")),
            (0x678, 0x687, UInt8(ascii: "D")), (0x688, 0x699, UInt8(ascii: "R")),
            (0x69A, 0x6BF, UInt8(ascii: "D")), (0x6C0, 0x6C0, UInt8(ascii: "R")),
            (0x6C1, 0x6C2, UInt8(ascii: "D")), (0x6C3, 0x6CB, UInt8(ascii: "R")),
            (0x6CC, 0x6CC, UInt8(ascii: "D")), (0x6CD, 0x6CD, UInt8(ascii: "R")),
            (0x6CE, 0x6CE, UInt8(ascii: "D")), (0x6CF, 0x6CF, UInt8(ascii: "R")),
            (0x6D0, 0x6D1, UInt8(ascii: "D")), (0x6D2, 0x6D3, UInt8(ascii: "R")),
            (0x6D5, 0x6D5, UInt8(ascii: "R")), (0x6EE, 0x6EF, UInt8(ascii: "R")),
            (0x6FA, 0x6FC, UInt8(ascii: "D")), (0x6FF, 0x6FF, UInt8(ascii: "D")),
            (0x710, 0x710, UInt8(ascii: "R")), (0x712, 0x714, UInt8(ascii: "D")),
            (0x715, 0x719, UInt8(ascii: "R")), (0x71A, 0x71D, UInt8(ascii: "D")),
            (0x71E, 0x71E, UInt8(ascii: "R")), (0x71F, 0x727, UInt8(ascii: "D")),
            (0x728, 0x728, UInt8(ascii: "R")), (0x729, 0x729, UInt8(ascii: "D")),
            (0x72A, 0x72A, UInt8(ascii: "R")), (0x72B, 0x72B, UInt8(ascii: "D")),
            (0x72C, 0x72C, UInt8(ascii: "R")), (0x72D, 0x72E, UInt8(ascii: "D")),
            (0x72F, 0x72F, UInt8(ascii: "R")), (0x74D, 0x74D, UInt8(ascii: "R")),
            (0x74E, 0x758, UInt8(ascii: "D")), (0x759, 0x75B, UInt8(ascii: "R")),
            (0x75C, 0x76A, UInt8(ascii: "D")), (0x76B, 0x76C, UInt8(ascii: "R")),
            (0x76D, 0x770, UInt8(ascii: "D")), (0x771, 0x771, UInt8(ascii: "R")),
            (0x772, 0x772, UInt8(ascii: "D")), (0x773, 0x774, UInt8(ascii: "R")),
            (0x775, 0x777, UInt8(ascii: "D")), (0x778, 0x779, UInt8(ascii: "R")),
            (0x77A, 0x77F, UInt8(ascii: "D")), (0x7CA, 0x7EA, UInt8(ascii: "D")),
            (0x7FA, 0x7FA, UInt8(ascii: "C")), (0x840, 0x840, UInt8(ascii: "R")),
            (0x841, 0x845, UInt8(ascii: "D")), (0x846, 0x847, UInt8(ascii: "R")),
            (0x848, 0x848, UInt8(ascii: "D")), (0x849, 0x849, UInt8(ascii: "R")),
            (0x84A, 0x853, UInt8(ascii: "D")), (0x854, 0x854, UInt8(ascii: "R")),
            (0x855, 0x855, UInt8(ascii: "D")), (0x856, 0x858, UInt8(ascii: "R")),
            (0x860, 0x860, UInt8(ascii: "D")), (0x862, 0x865, UInt8(ascii: "D")),
            (0x867, 0x867, UInt8(ascii: "R")), (0x868, 0x868, UInt8(ascii: "D")),
            (0x869, 0x86A, UInt8(ascii: "R")), (0x870, 0x882, UInt8(ascii: "R")),
            (0x883, 0x885, UInt8(ascii: "C")), (0x886, 0x886, UInt8(ascii: "D")),
            (0x889, 0x88D, UInt8(ascii: "D")), (0x88E, 0x88E, UInt8(ascii: "R")),
            (0x88F, 0x88F, UInt8(ascii: "D")), (0x8A0, 0x8A9, UInt8(ascii: "D")),
            (0x8AA, 0x8AC, UInt8(ascii: "R")), (0x8AE, 0x8AE, UInt8(ascii: "R")),
            (0x8AF, 0x8B0, UInt8(ascii: "D")), (0x8B1, 0x8B2, UInt8(ascii: "R")),
            (0x8B3, 0x8B8, UInt8(ascii: "D")), (0x8B9, 0x8B9, UInt8(ascii: "R")),
            (0x8BA, 0x8C8, UInt8(ascii: "D")), (0x1807, 0x1807, UInt8(ascii: "D")),
            (0x180A, 0x180A, UInt8(ascii: "C")), (0x1820, 0x1878, UInt8(ascii: "D")),
            (0x1887, 0x18A8, UInt8(ascii: "D")), (0x18AA, 0x18AA, UInt8(ascii: "D")),
            (0x200D, 0x200D, UInt8(ascii: "C")), (0xA840, 0xA871, UInt8(ascii: "D")),
            (0xA872, 0xA872, UInt8(ascii: "L")), (0x10AC0, 0x10AC4, UInt8(ascii: "D")),
            (0x10AC5, 0x10AC5, UInt8(ascii: "R")), (0x10AC7, 0x10AC7, UInt8(ascii: "R")),
            (0x10AC9, 0x10ACA, UInt8(ascii: "R")), (0x10ACD, 0x10ACD, UInt8(ascii: "L")),
            (0x10ACE, 0x10AD2, UInt8(ascii: "R")), (0x10AD3, 0x10AD6, UInt8(ascii: "D")),
            (0x10AD7, 0x10AD7, UInt8(ascii: "L")), (0x10AD8, 0x10ADC, UInt8(ascii: "D")),
            (0x10ADD, 0x10ADD, UInt8(ascii: "R")), (0x10ADE, 0x10AE0, UInt8(ascii: "D")),
            (0x10AE1, 0x10AE1, UInt8(ascii: "R")), (0x10AE4, 0x10AE4, UInt8(ascii: "R")),
            (0x10AEB, 0x10AEE, UInt8(ascii: "D")), (0x10AEF, 0x10AEF, UInt8(ascii: "R")),
            (0x10B80, 0x10B80, UInt8(ascii: "D")), (0x10B81, 0x10B81, UInt8(ascii: "R")),
            (0x10B82, 0x10B82, UInt8(ascii: "D")), (0x10B83, 0x10B85, UInt8(ascii: "R")),
            (0x10B86, 0x10B88, UInt8(ascii: "D")), (0x10B89, 0x10B89, UInt8(ascii: "R")),
            (0x10B8A, 0x10B8B, UInt8(ascii: "D")), (0x10B8C, 0x10B8C, UInt8(ascii: "R")),
            (0x10B8D, 0x10B8D, UInt8(ascii: "D")), (0x10B8E, 0x10B8F, UInt8(ascii: "R")),
            (0x10B90, 0x10B90, UInt8(ascii: "D")), (0x10B91, 0x10B91, UInt8(ascii: "R")),
            (0x10BA9, 0x10BAC, UInt8(ascii: "R")), (0x10BAD, 0x10BAE, UInt8(ascii: "D")),
            (0x10D00, 0x10D00, UInt8(ascii: "L")), (0x10D01, 0x10D21, UInt8(ascii: "D")),
            (0x10D22, 0x10D22, UInt8(ascii: "R")), (0x10D23, 0x10D23, UInt8(ascii: "D")),
            (0x10EC2, 0x10EC2, UInt8(ascii: "R")), (0x10EC3, 0x10EC4, UInt8(ascii: "D")),
            (0x10EC6, 0x10EC7, UInt8(ascii: "D")), (0x10F30, 0x10F32, UInt8(ascii: "D")),
            (0x10F33, 0x10F33, UInt8(ascii: "R")), (0x10F34, 0x10F44, UInt8(ascii: "D")),
            (0x10F51, 0x10F53, UInt8(ascii: "D")), (0x10F54, 0x10F54, UInt8(ascii: "R")),
            (0x10F70, 0x10F73, UInt8(ascii: "D")), (0x10F74, 0x10F75, UInt8(ascii: "R")),
            (0x10F76, 0x10F81, UInt8(ascii: "D")), (0x10FB0, 0x10FB0, UInt8(ascii: "D")),
            (0x10FB2, 0x10FB3, UInt8(ascii: "D")), (0x10FB4, 0x10FB6, UInt8(ascii: "R")),
            (0x10FB8, 0x10FB8, UInt8(ascii: "D")), (0x10FB9, 0x10FBA, UInt8(ascii: "R")),
            (0x10FBB, 0x10FBC, UInt8(ascii: "D")), (0x10FBD, 0x10FBD, UInt8(ascii: "R")),
            (0x10FBE, 0x10FBF, UInt8(ascii: "D")), (0x10FC1, 0x10FC1, UInt8(ascii: "D")),
            (0x10FC2, 0x10FC3, UInt8(ascii: "R")), (0x10FC4, 0x10FC4, UInt8(ascii: "D")),
            (0x10FC9, 0x10FC9, UInt8(ascii: "R")), (0x10FCA, 0x10FCA, UInt8(ascii: "D")),
            (0x10FCB, 0x10FCB, UInt8(ascii: "L")), (0x1E900, 0x1E943, UInt8(ascii: "D")),
            (0x1E94B, 0x1E94B, UInt8(ascii: "T")),
        ]

        private static let greek: [(UInt32, UInt32)] = [
            (0x371, 0x3E1), (0x3F3, 0x3FC), (0x1D26, 0x1D2A), (0x1F00, 0x1FF6), (0xAB65, 0xAB65),
        ]

        private static let hebrew: [(UInt32, UInt32)] = [
            (0x591, 0x5F4), (0xFB1E, 0xFB1E),
        ]

        private static let hiraganaKatakanaHan: [(UInt32, UInt32)] = [
            (0x3005, 0x3005), (0x3007, 0x3007), (0x3041, 0x3096), (0x309D, 0x30FA), (0x30FD, 0x30FE),
            (0x31F0, 0x9FFF), (0xFA0E, 0xFA29), (0x16FE3, 0x16FE3), (0x16FF0, 0x16FF3), (0x1AFF0, 0x1B167),
            (0x20000, 0x33479),
        ]
    }
}
