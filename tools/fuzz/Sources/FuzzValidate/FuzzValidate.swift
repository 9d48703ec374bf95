// Validation of (schema, instance) pairs. Input: <schema JSON> NUL <instance JSON> [NUL <flags>]
// (split at the first two NULs). The flags byte (0 when absent) picks the options:
//   bits 0-1  draft of a schema without $schema: 0 2020-12, 1 draft-07, 2 draft-04, 3 2020-12
//   bit 2     no metaschema check        bit 3  format as annotation only
//   bit 4     stop at the first error    bit 5  Dutch messages
// Properties: isValid agrees with validate (so an invalid result lists at least one error, even
// when the collecting pass runs with other settings than the fast one); the report is written.
@testable import Onderwijsregio
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzValidate(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    withInput(data, count) { input in
        let parts = split(input, limit: 2)
        guard parts.count >= 2 else { return 0 }
        let flags = parts.count > 2 ? parts[2].first ?? 0 : 0
        var options = SchemaOptions()
        options.defaultDraft = [.draft2020_12, .draft7, .draft4, .draft2020_12][Int(flags & 3)]
        options.validateSchema = flags & 4 == 0
        options.formatAssertion = flags & 8 == 0
        options.stopAtFirstError = flags & 16 != 0
        options.language = flags & 32 == 0 ? .english : .dutch
        guard let document = try? JSONParser.parse(parts[0]),
              let schema = try? JSONSchema(document, options: options),
              let instance = try? JSONParser.parse(parts[1]) else { return 0 }
        let result: SchemaValidationResult
        do { result = try schema.validate(instance) } catch { return 0 }   // regex limit, cyclic $ref: a defined outcome
        _ = result.report
        guard let quick = try? schema.isValid(instance) else { violated("isValid threw where validate did not") }
        guard quick == result.isValid else { violated("isValid says \(quick), validate \(result.isValid)") }
        return 0
    }
}

@_cdecl("FuzzValidate_main")
func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzValidate)
}
