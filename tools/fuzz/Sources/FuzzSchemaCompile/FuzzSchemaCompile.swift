// JSONSchema(document) on every document the parser accepts: once with the default options (the
// metaschema check first), once without the metaschema check, so that the compiler itself sees
// schemas the check would refuse. A compiled schema then validates its own document (a cheap
// instance that reaches many keywords). Compilation must either succeed or throw.
@testable import Onderwijsregio
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzSchemaCompile(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    withInput(data, count) { input in
        guard let document = try? JSONParser.parse(input) else { return 0 }
        var unchecked = SchemaOptions()
        unchecked.validateSchema = false
        // The draft of a document without $schema: from the input's length, so each seed keeps one.
        unchecked.defaultDraft = SchemaDraft.allCases[input.count % SchemaDraft.allCases.count]
        for options in [SchemaOptions(), unchecked] {
            guard let schema = try? JSONSchema(document, options: options) else { continue }
            if let result = try? schema.validate(document) {
                _ = result.report
                guard let quick = try? schema.isValid(document), quick == result.isValid else {
                    violated("isValid disagrees with validate on the schema's own document")
                }
            }
        }
        return 0
    }
}

@_cdecl("FuzzSchemaCompile_main")
func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzSchemaCompile)
}
