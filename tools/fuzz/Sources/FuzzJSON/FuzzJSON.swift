// JSONParser.parse on arbitrary bytes; for every document it accepts, the serializer and the
// RFC 8785 canonicaliser, with properties that must hold:
//   serialize -> parse gives an equal value and the same text again,
//   canonicalize's output parses and canonicalises to itself,
//   a document accepted under a small depth limit is accepted, equal, under the default one.
@testable import Onderwijsregio
import FuzzSupport

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzJSON(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    withInput(data, count) { input in
        let parsed = try? JSONParser.parse(input)
        let shallow = try? JSONParser.parse(input, options: JSONParseOptions(maxDepth: 4))
        if let shallow {
            guard let parsed else { violated("accepted with maxDepth 4, refused with the default") }
            guard shallow == parsed else { violated("maxDepth changed the parsed value") }
        }
        guard let value = parsed else { return 0 }

        let text = JSONSerializer.serialize(value)
        let again: JSONValue
        do { again = try JSONParser.parse(text) } catch { violated("serialize output does not parse: \(error) in \(text)") }
        guard again == value else { violated("serialize -> parse changed the value: \(text)") }
        guard JSONSerializer.serialize(again) == text else { violated("serialize is not stable: \(text)") }

        if let canonical = try? JSONSerializer.canonicalize(value) {
            let reparsed: JSONValue
            do { reparsed = try JSONParser.parse(canonical) } catch {
                violated("canonical output does not parse: \(error) in \(String(decoding: canonical, as: UTF8.self))")
            }
            guard let twice = try? JSONSerializer.canonicalize(reparsed), twice == canonical else {
                violated("canonicalize is not idempotent: \(String(decoding: canonical, as: UTF8.self))")
            }
        }
        return 0
    }
}

@_cdecl("FuzzJSON_main")
func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzJSON)
}
