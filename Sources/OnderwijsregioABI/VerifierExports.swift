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

/// The bytes of a NUL-terminated argument; NULL stays nil (for headers: reported as missing).
private func bytes(_ pointer: UnsafePointer<CChar>?) -> UnsafeRawBufferPointer? {
    pointer.map { UnsafeRawBufferPointer(Arguments.cString($0)) }
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
        guard let path = bytes(pathAndQuery) else { throw ABIError(.misuse, "path_and_query is NULL") }
        let content = UnsafeRawBufferPointer(try Arguments.buffer(body, length, name: "body"))
        try verification { () throws(VerificationError) in
            try verifier.verify(pathAndQuery: path, body: content, timestamp: bytes(timestamp), nonce: bytes(nonce),
                                signature: bytes(signature), now: now == 0 ? nil : now)
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
        guard let path = bytes(pathAndQuery) else { throw ABIError(.misuse, "path_and_query is NULL") }
        guard let timestampBytes = bytes(timestamp) else { throw ABIError(.misuse, "timestamp is NULL") }
        guard let nonceBytes = bytes(nonce) else { throw ABIError(.misuse, "nonce is NULL") }
        let content = UnsafeRawBufferPointer(try Arguments.buffer(body, length, name: "body"))
        let value = try verification { () throws(VerificationError) in
            try CallbackVerifier.sign(secret: secretText, pathAndQuery: path, body: content, timestamp: timestampBytes, nonce: nonceBytes)
        }
        guard let buffer = CStringBuffer.make(value) else { throw ABIError(.noMemory, "out of memory for the header value") }
        output.pointee = buffer
        return Status.ok.rawValue
    }
}
