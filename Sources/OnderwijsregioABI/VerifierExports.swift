import Onderwijsregio

/// The opaque `oreg_verifier` handle.
final class VerifierHandle {
    let verifier: CallbackVerifier

    init(verifier: CallbackVerifier) { self.verifier = verifier }
}

extension ABIError {
    init(_ error: VerificationError) {
        let status: Status
        switch error.kind {
        case .missingHeader: status = .headerMissing
        case .malformedHeader: status = .headerMalformed
        case .signatureMismatch: status = .signature
        case .tooOld: status = .tooOld
        case .tooNew: status = .tooNew
        case .replayed: status = .replayed
        case .misuse: status = .misuse
        case .store: status = .io
        case .resource: status = .noMemory
        }
        self.init(status, error.message)
    }
}

/// Runs a verification call, turning its error into the ABI's.
private func verification<T>(_ body: () throws(VerificationError) -> T) throws(ABIError) -> T {
    do throws(VerificationError) {
        return try body()
    } catch {
        throw ABIError(error)
    }
}

/// A header argument: NULL stays nil (reported as a missing header, not as misuse).
private func header(_ pointer: UnsafePointer<CChar>?, name: StaticString) throws(ABIError) -> String? {
    guard let pointer else { return nil }
    guard let text = String(validatingCString: pointer) else {
        throw ABIError(.headerMalformed, "\(name) is not valid UTF-8")
    }
    return text
}

@c public func oreg_verifier_new(_ optionsJSON: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> CInt {
    exported { () throws(ABIError) -> CInt in
        guard let out else { throw ABIError(.misuse, "out is NULL: nowhere to store the verifier") }
        out.pointee = nil
        guard let optionsJSON else { throw ABIError(.misuse, "options_json is NULL; at least {\"secrets\": [...]} is needed") }
        let options = try parseDocument(Arguments.cString(optionsJSON))
        let verifier = try verification { () throws(VerificationError) in try CallbackVerifier(options: options) }
        out.pointee = OpaquePointer(Unmanaged.passRetained(VerifierHandle(verifier: verifier)).toOpaque())
        return Status.ok.rawValue
    }
}

@c public func oreg_verifier_verify(
    _ handle: UnsafeMutableRawPointer?, _ pathAndQuery: UnsafePointer<CChar>?,
    _ body: UnsafePointer<CChar>?, _ length: UInt,
    _ timestamp: UnsafePointer<CChar>?, _ nonce: UnsafePointer<CChar>?, _ signature: UnsafePointer<CChar>?,
    _ now: Int64
) -> CInt {
    exported { () throws(ABIError) -> CInt in
        guard let handle else { throw ABIError(.misuse, "verifier is NULL") }
        let verifier = Unmanaged<VerifierHandle>.fromOpaque(handle).takeUnretainedValue().verifier
        let path = try Arguments.text(pathAndQuery, name: "path_and_query")
        let bytes = try Arguments.buffer(body, length, name: "body")
        let timestampText = try header(timestamp, name: "timestamp")
        let nonceText = try header(nonce, name: "nonce")
        let signatureText = try header(signature, name: "signature")
        try verification { () throws(VerificationError) in
            try verifier.verify(pathAndQuery: path, body: UnsafeRawBufferPointer(bytes), timestamp: timestampText, nonce: nonceText,
                                signature: signatureText, now: now == 0 ? nil : now)
        }
        return Status.ok.rawValue
    }
}

@c public func oreg_verifier_free(_ handle: OpaquePointer?) {
    guard let handle else { return }
    Unmanaged<VerifierHandle>.fromOpaque(UnsafeRawPointer(handle)).release()
}

@c public func oreg_callback_sign(
    _ secret: UnsafePointer<CChar>?, _ pathAndQuery: UnsafePointer<CChar>?,
    _ body: UnsafePointer<CChar>?, _ length: UInt,
    _ timestamp: UnsafePointer<CChar>?, _ nonce: UnsafePointer<CChar>?,
    _ out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> CInt {
    exported { () throws(ABIError) -> CInt in
        let output = try Arguments.output(out, name: "out_header_value")
        let secretText = try Arguments.text(secret, name: "secret")
        let path = try Arguments.text(pathAndQuery, name: "path_and_query")
        let bytes = try Arguments.buffer(body, length, name: "body")
        let timestampText = try Arguments.text(timestamp, name: "timestamp")
        let nonceText = try Arguments.text(nonce, name: "nonce")
        let value = try verification { () throws(VerificationError) in
            try CallbackVerifier.sign(secret: secretText, pathAndQuery: path, body: UnsafeRawBufferPointer(bytes),
                                      timestamp: timestampText, nonce: nonceText)
        }
        guard let buffer = CStringBuffer.make(value) else { throw ABIError(.noMemory, "out of memory for the header value") }
        output.pointee = buffer
        return Status.ok.rawValue
    }
}
