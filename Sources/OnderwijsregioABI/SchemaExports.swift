#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Onderwijsregio

/// The opaque `oreg_schema` handle: a compiled schema, immutable, shareable between threads.
final class SchemaHandle {
    let schema: JSONSchema
    let parseOptions: JSONParseOptions

    init(schema: JSONSchema, parseOptions: JSONParseOptions) {
        self.schema = schema
        self.parseOptions = parseOptions
    }
}

@c public func oreg_schema_compile(
    _ json: UnsafePointer<CChar>?, _ length: UInt, _ optionsJSON: UnsafePointer<CChar>?,
    _ out: UnsafeMutablePointer<OpaquePointer?>?
) -> CInt {
    exported { () throws(ABIError) -> CInt in
        guard let out else { throw ABIError(.misuse, "out is NULL: nowhere to store the compiled schema") }
        out.pointee = nil
        let options = try SchemaOptionsParser.parse(optionsJSON)
        let document = try parseDocument(try Arguments.buffer(json, length, name: "json"))
        let schema: JSONSchema
        do throws(SchemaCompileError) {
            schema = try JSONSchema(document, options: options)
        } catch {
            var details: [(String, JSONValue)] = []
            if let location = error.location { details.append(("location", .string(location))) }
            throw ABIError(.schema, error.message, details: details)
        }
        let handle = SchemaHandle(schema: schema, parseOptions: JSONParseOptions(maxDepth: options.maxDepth))
        out.pointee = OpaquePointer(Unmanaged.passRetained(handle).toOpaque())
        return Status.ok.rawValue
    }
}

@c public func oreg_schema_validate(
    _ schema: UnsafeRawPointer?, _ json: UnsafePointer<CChar>?, _ length: UInt,
    _ outReport: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
) -> CInt {
    exported { () throws(ABIError) -> CInt in
        outReport?.pointee = nil
        guard let schema else { throw ABIError(.misuse, "schema is NULL") }
        let handle = Unmanaged<SchemaHandle>.fromOpaque(schema).takeUnretainedValue()
        let instance = try parseTape(try Arguments.buffer(json, length, name: "json"), options: handle.parseOptions)
        guard let outReport else {
            // No report wanted: the verdict alone, which stops at the first error.
            do throws(SchemaEvaluationError) {
                return try handle.schema.isValid(instance) ? Status.ok.rawValue : Status.invalid.rawValue
            } catch {
                throw ABIError(.limit, error.message)
            }
        }
        var invalid = false
        var buffer: UnsafeMutablePointer<CChar>?
        do throws(SchemaEvaluationError) {
            try handle.schema.report(instance) { report in
                invalid = true
                buffer = CStringBuffer.make(report)
            }
        } catch {
            throw ABIError(.limit, error.message)
        }
        guard invalid else { return Status.ok.rawValue }
        guard let buffer else { throw ABIError(.noMemory, "out of memory for the validation report") }
        outReport.pointee = buffer
        return Status.invalid.rawValue
    }
}

@c public func oreg_schema_free(_ schema: OpaquePointer?) {
    guard let schema else { return }
    Unmanaged<SchemaHandle>.fromOpaque(UnsafeRawPointer(schema)).release()
}

/// Reads the options object of `oreg_schema_compile`; unknown names are an error that names them.
enum SchemaOptionsParser {
    static func parse(_ text: UnsafePointer<CChar>?) throws(ABIError) -> SchemaOptions {
        var options = SchemaOptions()
        guard let text else { return options }
        guard case .object(let object) = try parseDocument(Arguments.cString(text)) else {
            throw ABIError(.misuse, "options must be a JSON object")
        }
        for member in object.members {
            switch (member.key, member.value) {
            case ("resources", .object(let resources)):
                for resource in resources.members { options.resources[resource.key] = resource.value }
            case ("formatAssertion", .bool(let flag)):
                options.formatAssertion = flag
            case ("stopAtFirstError", .bool(let flag)):
                options.stopAtFirstError = flag
            case ("validateSchema", .bool(let flag)):
                options.validateSchema = flag
            case ("defaultDraft", .string(let name)):
                guard let draft = SchemaDraft(optionName: name) else {
                    throw ABIError(.misuse, "option defaultDraft: \"\(name)\" is not one of \"2020-12\", \"draft7\", \"draft4\"")
                }
                options.defaultDraft = draft
            case ("maxDepth", .number(let number)):
                guard let depth = number.int64Value, depth >= 1, depth <= Int64(JSONParseOptions.maxDepthCeiling) else {
                    throw ABIError(.misuse, "option maxDepth must be an integer from 1 to \(JSONParseOptions.maxDepthCeiling)")
                }
                options.maxDepth = Int(depth)
            case ("language", .string(let name)):
                guard let language = MessageLanguage(rawValue: name) else {
                    throw ABIError(.misuse, "option language must be \"en\" or \"nl\", not \"\(name.prefix(16))\"")
                }
                options.language = language
            case ("resources", _), ("formatAssertion", _), ("stopAtFirstError", _), ("validateSchema", _),
                 ("defaultDraft", _), ("maxDepth", _), ("language", _):
                throw ABIError(.misuse, "option \(member.key) has the wrong type (\(member.value.typeName))")
            default:
                throw ABIError(.misuse, "unknown option \"\(member.key)\"")
            }
        }
        return options
    }
}

extension SchemaDraft {
    init?(optionName: String) {
        switch optionName {
        case "2020-12", "draft2020-12": self = .draft2020_12
        case "draft7", "draft-07": self = .draft7
        case "draft4", "draft-04": self = .draft4
        default: return nil
        }
    }
}
