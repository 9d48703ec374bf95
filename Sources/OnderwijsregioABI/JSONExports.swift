import Onderwijsregio

@c public func oreg_json_canonicalize(
    _ json: UnsafePointer<CChar>?, _ length: UInt, _ out: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> CInt {
    exported { () throws(ABIError) -> CInt in
        let output = try Arguments.output(out, name: "out")
        let input = try Arguments.buffer(json, length, name: "json")
        let document = try parseDocument(input)
        let canonical: [UInt8]
        do throws(CanonicalizationError) {
            canonical = try JSONSerializer.canonicalize(document)
        } catch {
            throw ABIError(.range, error.message, details: [("location", .string(error.location.description))])
        }
        guard let buffer = CStringBuffer.make(canonical) else {
            throw ABIError(.noMemory, "out of memory for the canonical form (\(canonical.count) bytes)")
        }
        output.pointee = buffer
        return Status.ok.rawValue
    }
}

/// Parses caller input with the library's default limits, mapping failures to ABI errors.
func parseDocument(_ input: UnsafeBufferPointer<UInt8>, options: JSONParseOptions = JSONParseOptions()) throws(ABIError) -> JSONValue {
    do throws(JSONParseError) {
        return try JSONParser.parse(input, options: options)
    } catch {
        throw ABIError(error)
    }
}

/// `parseDocument` into the flat form the validator reads.
func parseTape(_ input: UnsafeBufferPointer<UInt8>, options: JSONParseOptions) throws(ABIError) -> JSONTape {
    do throws(JSONParseError) {
        return try JSONTape(parsing: input, options: options)
    } catch {
        throw ABIError(error)
    }
}

extension ABIError {
    init(_ error: JSONParseError) {
        self.init(
            error.kind == .limit ? .limit : .json,
            error.description,
            details: [
                ("offset", .number(JSONNumber(error.offset))),
                ("line", .number(JSONNumber(error.line))),
                ("column", .number(JSONNumber(error.column))),
            ])
    }
}

@c public func oreg_json_check(_ json: UnsafePointer<CChar>?, _ length: UInt) -> CInt {
    exported { () throws(ABIError) -> CInt in
        _ = try parseDocument(try Arguments.buffer(json, length, name: "json"))
        return Status.ok.rawValue
    }
}
