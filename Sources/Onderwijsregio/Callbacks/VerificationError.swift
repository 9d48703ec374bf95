/// Why a callback was refused, or a verifier could not be made. Messages never contain a
/// secret.
public struct VerificationError: Error, Sendable {
    public enum Kind: Sendable {
        /// A required header (timestamp, nonce, signature) is absent or empty.
        case missingHeader
        /// A header is present but not in its format (no usable v2 entry, a timestamp that is
        /// not a number, a nonce with forbidden characters, a header over its size limit).
        case malformedHeader
        /// Well-formed, but no v2 entry matches any secret.
        case signatureMismatch
        /// The timestamp lies further in the past than the tolerance.
        case tooOld
        /// The timestamp lies further in the future than the tolerance.
        case tooNew
        /// The nonce was accepted before, within the replay window.
        case replayed
        /// The call or the options are wrong (short secret, unknown option, ...).
        case misuse
        /// The shared replay store could not be used.
        case store
        /// libcrypto failed (memory).
        case resource
    }

    public let kind: Kind
    public let message: String

    init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }
}
