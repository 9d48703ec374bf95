import CPCRE2

/// A JSON Schema regular expression (ECMA-262 syntax, which Zod and the service use), compiled
/// once with PCRE2 and JIT. Immutable after creation, so it may be shared between threads.
///
/// ECMA-262 behaviour asked of PCRE2: `$` matches only at the very end (no final-newline
/// exception), `\u` escapes as `\uHHHH` and `\u{H…}`, `[]` matches nothing and `[^]` anything, a
/// back reference to an unset group matches the empty string. Matching is a search (patterns are
/// not anchored implicitly), as the JSON Schema specification says.
final class ECMARegex: @unchecked Sendable {
    /// A backtracking match gives up after this many steps (the catastrophic `^(a+)+$`
    /// against a long "aaa…b" reaches it within milliseconds) instead of hanging its caller.
    static let matchLimit: UInt32 = 1_000_000
    static let depthLimit: UInt32 = 10_000

    let pattern: String
    /// `pattern` as the contents of a JSON string, for the messages that quote it.
    let escapedPattern: [UInt8]
    private let code: OpaquePointer
    private let jitCompiled: Bool
    private let matchContext: OpaquePointer?

    struct CompileError: Error {
        let message: String
        /// Byte offset in the pattern.
        let offset: Int
    }

    struct MatchLimitError: Error {
        let pattern: String
    }

    init(_ pattern: String) throws(CompileError) {
        self.pattern = pattern
        var escapedPattern: [UInt8] = []
        JSONSerializer.writeEscaped(pattern, to: &escapedPattern)
        self.escapedPattern = escapedPattern
        let context = pcre2_compile_context_create_8(nil)
        defer { pcre2_compile_context_free_8(context) }
        pcre2_set_compile_extra_options_8(context, UInt32(PCRE2_EXTRA_ALT_BSUX))
        let options = UInt32(PCRE2_UTF | PCRE2_DOLLAR_ENDONLY | PCRE2_ALT_BSUX | PCRE2_ALLOW_EMPTY_CLASS | PCRE2_MATCH_UNSET_BACKREF)
        var errorCode: Int32 = 0
        var errorOffset = 0
        let compiled = withNonNullUTF8(ECMARegex.translated(pattern)) { start, count in
            pcre2_compile_8(start, count, options, &errorCode, &errorOffset, context)
        }
        guard let compiled else {
            throw CompileError(message: ECMARegex.message(for: errorCode), offset: errorOffset)
        }
        code = compiled
        // Without JIT (unsupported CPU, no executable memory) the interpreter is used: slower, same results.
        jitCompiled = pcre2_jit_compile_8(compiled, UInt32(PCRE2_JIT_COMPLETE)) == 0
        matchContext = pcre2_match_context_create_8(nil)
        if let matchContext {
            pcre2_set_match_limit_8(matchContext, ECMARegex.matchLimit)
            pcre2_set_depth_limit_8(matchContext, ECMARegex.depthLimit)
        }
    }

    deinit {
        pcre2_match_context_free_8(matchContext)
        pcre2_code_free_8(code)
    }

    /// Whether the pattern matches anywhere in `subject`, which must be valid UTF-8 (what the
    /// JSON parser and Swift strings produce), so PCRE2 need not check it again.
    ///
    /// `scratch` is PCRE2 match data the caller keeps across matches (nil at first; free it with
    /// `releaseScratch`): one allocation per validation instead of one per match.
    func matches(_ subject: UnsafeBufferPointer<UInt8>, scratch: inout OpaquePointer?) throws(MatchLimitError) -> Bool {
        if scratch == nil {
            // One pair of offsets is enough for any pattern: only whether it matched is read.
            scratch = pcre2_match_data_create_8(1, nil)
        }
        guard let matchData = scratch else { throw MatchLimitError(pattern: pattern) }
        let result = withNonNull(subject) { start, count in
            // pcre2_jit_match skips pcre2_match's argument checks (these arguments are known good)
            // and honours the same match limit.
            jitCompiled ? pcre2_jit_match_8(code, start, count, 0, 0, matchData, matchContext)
                : pcre2_match_8(code, start, count, 0, UInt32(PCRE2_NO_UTF_CHECK), matchData, matchContext)
        }
        // 0: matched, with more groups than the one pair of offsets could hold.
        if result >= 0 { return true }
        if result == PCRE2_ERROR_NOMATCH { return false }
        throw MatchLimitError(pattern: pattern)
    }

    static func releaseScratch(_ scratch: OpaquePointer?) {
        pcre2_match_data_free_8(scratch)
    }

    /// ECMA-262 spells Unicode properties with long names (`\p{Letter}`,
    /// `\p{General_Category=Uppercase_Letter}`) where PCRE2 knows only the short ones (`\p{L}`,
    /// `\p{Lu}`); everything else passes through unchanged. Escaped backslashes are skipped, so
    /// `\\p{Letter}` (a literal backslash) stays as it is.
    static func translated(_ pattern: String) -> String {
        let bytes = Array(pattern.utf8)
        let mentionsProperty = bytes.indices.dropLast(2).contains { i in
            bytes[i] == UInt8(ascii: "\\") && (bytes[i + 1] | 0x20) == UInt8(ascii: "p") && bytes[i + 2] == UInt8(ascii: "{")
        }
        guard mentionsProperty else { return pattern }
        var out = ""
        var scalars = Substring(pattern).unicodeScalars[...]
        while let scalar = scalars.popFirst() {
            out.unicodeScalars.append(scalar)
            guard scalar == "\\", let next = scalars.popFirst() else { continue }
            out.unicodeScalars.append(next)
            guard next == "p" || next == "P", scalars.first == "{", let close = scalars.firstIndex(of: "}") else { continue }
            var name = String(String.UnicodeScalarView(scalars[scalars.index(after: scalars.startIndex)..<close]))
            for prefix in ["General_Category=", "gc="] where name.hasPrefix(prefix) { name.removeFirst(prefix.count) }
            if let short = generalCategories[name] {
                out += "{\(short)}"
                scalars = scalars[scalars.index(after: close)...]
            }
        }
        return out
    }

    private static let generalCategories: [String: String] = [
        "Letter": "L", "Cased_Letter": "L&", "Uppercase_Letter": "Lu", "Lowercase_Letter": "Ll", "Titlecase_Letter": "Lt",
        "Modifier_Letter": "Lm", "Other_Letter": "Lo", "Mark": "M", "Combining_Mark": "M", "Nonspacing_Mark": "Mn",
        "Spacing_Mark": "Mc", "Enclosing_Mark": "Me", "Number": "N", "Decimal_Number": "Nd", "digit": "Nd",
        "Letter_Number": "Nl", "Other_Number": "No", "Punctuation": "P", "punct": "P", "Connector_Punctuation": "Pc",
        "Dash_Punctuation": "Pd", "Open_Punctuation": "Ps", "Close_Punctuation": "Pe", "Initial_Punctuation": "Pi",
        "Final_Punctuation": "Pf", "Other_Punctuation": "Po", "Symbol": "S", "Math_Symbol": "Sm", "Currency_Symbol": "Sc",
        "Modifier_Symbol": "Sk", "Other_Symbol": "So", "Separator": "Z", "Space_Separator": "Zs", "Line_Separator": "Zl",
        "Paragraph_Separator": "Zp", "Other": "C", "Control": "Cc", "cntrl": "Cc", "Format": "Cf", "Surrogate": "Cs",
        "Private_Use": "Co", "Unassigned": "Cn",
    ]

    /// Whether `pattern` is a regular expression this library accepts (the `regex` format).
    static func isValid(_ pattern: String) -> Bool {
        (try? ECMARegex(pattern)) != nil
    }

    private static func message(for errorCode: Int32) -> String {
        var buffer = [UInt8](repeating: 0, count: 256)
        let length = buffer.withUnsafeMutableBufferPointer { pcre2_get_error_message_8(errorCode, $0.baseAddress, $0.count) }
        guard length > 0 else { return "invalid regular expression (PCRE2 error \(errorCode))" }
        return String(decoding: buffer[0..<Int(length)], as: UTF8.self)
    }
}

/// PCRE2 wants a non-NULL pointer even for an empty string.
private func withNonNullUTF8<R>(_ text: String, _ body: (UnsafePointer<UInt8>, Int) -> R) -> R {
    var text = text
    return text.withUTF8 { withNonNull($0, body) }
}

private func withNonNull<R>(_ bytes: UnsafeBufferPointer<UInt8>, _ body: (UnsafePointer<UInt8>, Int) -> R) -> R {
    if let start = bytes.baseAddress { return body(start, bytes.count) }
    var nothing: UInt8 = 0
    return withUnsafePointer(to: &nothing) { body($0, 0) }
}
