/// Why a document was not accepted, and where.
public struct JSONParseError: Error, Sendable, CustomStringConvertible {
    public enum Kind: Sendable {
        /// The text is not JSON (RFC 8259), including invalid UTF-8 and lone surrogates.
        case syntax
        /// The document is JSON but exceeds a configured limit (size or nesting depth).
        case limit
    }

    public let kind: Kind
    public let message: String
    /// Zero-based byte offset of the offending byte.
    public let offset: Int
    /// One-based line (lines end at LF).
    public let line: Int
    /// One-based column, counted in bytes.
    public let column: Int

    public var description: String { "\(message) at line \(line), column \(column) (byte \(offset))" }
}

/// Limits applied while parsing. Both protect the host process: the size limit bounds memory,
/// the depth limit bounds recursion (the parser, the serializer and the validator recurse).
public struct JSONParseOptions: Sendable {
    public static let defaultMaxDepth = 512
    /// Deeper documents would risk the stack of a host thread (PHP-FPM and Python threads
    /// commonly have 8 MiB); `maxDepth` is clamped to this.
    public static let maxDepthCeiling = 10_000
    public static let defaultMaxBytes = 64 << 20

    public var maxDepth: Int {
        didSet { maxDepth = max(1, min(maxDepth, Self.maxDepthCeiling)) }
    }
    public var maxBytes: Int

    public init(maxDepth: Int = JSONParseOptions.defaultMaxDepth, maxBytes: Int = JSONParseOptions.defaultMaxBytes) {
        self.maxDepth = max(1, min(maxDepth, Self.maxDepthCeiling))
        self.maxBytes = max(0, maxBytes)
    }
}
