#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Onderwijsregio

/// The opaque `oreg_client` handle. The client inside is thread-safe; the handle adds nothing.
final class ClientHandle {
    let client: APIClient

    init(client: APIClient) { self.client = client }
}

extension ABIError {
    init(_ error: ClientError) {
        let status: Status
        switch error.kind {
        case .misuse: status = .misuse
        case .json: status = .json
        case .limit: status = .limit
        case .transport: status = .transport
        case .http: status = .http
        case .deadline: status = .deadline
        case .response: status = .response
        case .sandbox: status = .sandbox
        case .schema: status = .schema
        case .io: status = .io
        case .resource: status = .noMemory
        }
        self.init(status, error.message, details: error.details)
    }
}

/// Runs a client call, turning its error into the ABI's.
private func clientCall<T>(_ body: () throws(ClientError) -> T) throws(ABIError) -> T {
    do throws(ClientError) {
        return try body()
    } catch {
        throw ABIError(error)
    }
}

private func client(_ pointer: UnsafeMutableRawPointer?) throws(ABIError) -> APIClient {
    guard let pointer else { throw ABIError(.misuse, "client is NULL") }
    return Unmanaged<ClientHandle>.fromOpaque(pointer).takeUnretainedValue().client
}

private func deliver(_ bytes: [UInt8], to out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) throws(ABIError) {
    guard let out else { return }
    guard let buffer = CStringBuffer.make(bytes) else { throw ABIError(.noMemory, "out of memory for a result of \(bytes.count) bytes") }
    out.pointee = buffer
}

private func serialized(_ value: JSONValue) -> [UInt8] {
    var bytes: [UInt8] = []
    JSONSerializer.serialize(value, to: &bytes)
    return bytes
}

@c public func oreg_client_new(_ optionsJSON: UnsafePointer<CChar>?, _ out: UnsafeMutablePointer<OpaquePointer?>?) -> CInt {
    exported { () throws(ABIError) -> CInt in
        guard let out else { throw ABIError(.misuse, "out is NULL: nowhere to store the client") }
        out.pointee = nil
        guard let optionsJSON else { throw ABIError(.misuse, "options_json is NULL; at least {\"apiKey\": ...} is needed") }
        let options = try parseDocument(Arguments.cString(optionsJSON))
        let client = try clientCall { () throws(ClientError) -> APIClient in
            try APIClient(configuration: ClientConfiguration(options: options))
        }
        out.pointee = OpaquePointer(Unmanaged.passRetained(ClientHandle(client: client)).toOpaque())
        return Status.ok.rawValue
    }
}

@c public func oreg_client_schema(
    _ handle: UnsafeMutableRawPointer?, _ operation: UnsafePointer<CChar>?,
    _ out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> CInt {
    exported { () throws(ABIError) -> CInt in
        let output = try Arguments.output(out, name: "out_schema_json")
        let client = try client(handle)
        let name = try Arguments.text(operation, name: "operation")
        let (schema, stale) = try clientCall { () throws(ClientError) in try client.schema(operation: name) }
        try deliver(serialized(schema), to: output)
        if let stale {
            _ = LastError.record(ABIError(stale))
            return Status.stale.rawValue
        }
        return Status.ok.rawValue
    }
}

@c public func oreg_client_validate(
    _ handle: UnsafeMutableRawPointer?, _ operation: UnsafePointer<CChar>?,
    _ json: UnsafePointer<CChar>?, _ length: UInt,
    _ outReport: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> CInt {
    exported { () throws(ABIError) -> CInt in
        outReport?.pointee = nil
        let client = try client(handle)
        let name = try Arguments.text(operation, name: "operation")
        let document = try parseDocument(try Arguments.buffer(json, length, name: "json"))
        let (valid, report) = try clientCall { () throws(ClientError) in
            try client.validate(operation: name, document: document, report: outReport != nil)
        }
        if let report { try deliver(report, to: outReport) }
        return valid ? Status.ok.rawValue : Status.invalid.rawValue
    }
}

@c public func oreg_client_submit(
    _ handle: UnsafeMutableRawPointer?, _ mutation: UnsafePointer<CChar>?, _ targetId: UnsafePointer<CChar>?,
    _ body: UnsafePointer<CChar>?, _ length: UInt, _ optionsJSON: UnsafePointer<CChar>?,
    _ out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> CInt {
    exported { () throws(ABIError) -> CInt in
        out?.pointee = nil
        let client = try client(handle)
        let name = try Arguments.text(mutation, name: "mutation")
        let target = try targetId.map { (pointer) throws(ABIError) -> String in try Arguments.text(pointer, name: "target_id") }
        let bytes = Array(try Arguments.buffer(body, length, name: "body_json"))
        let options = try optionsJSON.map { (pointer) throws(ABIError) -> JSONValue in try parseDocument(Arguments.cString(pointer)) }
        let outcome = try clientCall { () throws(ClientError) in
            try client.submit(mutation: name, targetId: target, body: bytes, options: options)
        }
        switch outcome {
        case .accepted(let result):
            try deliver(serialized(result), to: out)
            return Status.ok.rawValue
        case .invalid(let report):
            try deliver(report, to: out)
            return Status.invalid.rawValue
        case .queued(let receipt):
            try deliver(serialized(receipt), to: out)
            return Status.queued.rawValue
        }
    }
}

@c public func oreg_client_get(
    _ handle: UnsafeMutableRawPointer?, _ pathAndQuery: UnsafePointer<CChar>?,
    _ out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> CInt {
    exported { () throws(ABIError) -> CInt in
        let output = try Arguments.output(out, name: "out_response")
        let client = try client(handle)
        let path = try Arguments.text(pathAndQuery, name: "path_and_query")
        let result = try clientCall { () throws(ClientError) in try client.get(pathAndQuery: path) }
        try deliver(serialized(result), to: output)
        return Status.ok.rawValue
    }
}

@c public func oreg_client_flush(
    _ handle: UnsafeMutableRawPointer?, _ max: CInt, _ optionsJSON: UnsafePointer<CChar>?,
    _ out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> CInt {
    exported { () throws(ABIError) -> CInt in
        out?.pointee = nil
        let client = try client(handle)
        guard max >= 1 else { throw ABIError(.misuse, "max must be at least 1") }
        var ignoringBackoff = false
        if let optionsJSON {
            guard case .object(let options) = try parseDocument(Arguments.cString(optionsJSON)) else {
                throw ABIError(.misuse, "flush options must be a JSON object")
            }
            for member in options.members {
                guard member.key == "ignoreBackoff" else { throw ABIError(.misuse, "unknown option \"\(member.key)\"") }
                guard case .bool(let flag) = member.value else { throw ABIError(.misuse, "option ignoreBackoff must be true or false") }
                ignoringBackoff = flag
            }
        }
        let report = try clientCall { () throws(ClientError) in try client.flush(max: Int(max), ignoringBackoff: ignoringBackoff) }
        try deliver(serialized(report), to: out)
        return Status.ok.rawValue
    }
}

@c public func oreg_client_outbox(_ handle: UnsafeMutableRawPointer?, _ out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    exported { () throws(ABIError) -> CInt in
        let output = try Arguments.output(out, name: "out_json")
        let client = try client(handle)
        let status = try clientCall { () throws(ClientError) in try client.outboxStatus() }
        try deliver(serialized(status), to: output)
        return Status.ok.rawValue
    }
}

@c public func oreg_client_outbox_callback(
    _ handle: UnsafeMutableRawPointer?, _ body: UnsafePointer<CChar>?, _ length: UInt,
    _ out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> CInt {
    exported { () throws(ABIError) -> CInt in
        out?.pointee = nil
        let client = try client(handle)
        let bytes = Array(try Arguments.buffer(body, length, name: "body"))
        let result = try clientCall { () throws(ClientError) in try client.recordCallback(body: bytes) }
        try deliver(serialized(result), to: out)
        return Status.ok.rawValue
    }
}

@c public func oreg_client_free(_ handle: OpaquePointer?) {
    guard let handle else { return }
    Unmanaged<ClientHandle>.fromOpaque(UnsafeRawPointer(handle)).release()
}
