/// A failed HTTP exchange in which no usable response arrived.
struct TransportError: Error {
    enum Kind {
        /// Name resolution or TCP connect failed: nothing was sent.
        case connect
        /// The attempt's time ran out; the request may or may not have been processed.
        case timeout
        /// The connection broke while sending or receiving (also a truncated answer).
        case dropped
        /// TLS handshake or certificate verification failed.
        case tls
        /// The answer was larger than the client's maxResponseBytes.
        case responseTooLarge
        /// Anything else libcurl reported.
        case other
    }

    let kind: Kind
    /// libcurl's description (it names host and port, never the headers sent).
    let message: String

    /// Whether another attempt can help. TLS failures and size limits repeat identically.
    var isRetryable: Bool {
        switch kind {
        case .connect, .timeout, .dropped: return true
        case .tls, .responseTooLarge, .other: return false
        }
    }
}
