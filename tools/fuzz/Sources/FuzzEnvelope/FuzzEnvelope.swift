// Response handling: RetryAfter.seconds and HTTPDate.unixSeconds on arbitrary text, and
// ResponseEnvelope on a synthetic HTTPResponse. Input: <Retry-After / HTTP-date text> NUL
// <header lines "name: value", LF-separated> NUL <body> (split at the first two NULs).
// Properties: a date HTTPDate accepts, written back as an IMF-fixdate, reads as the same time;
// Retry-After is never negative and all digits always give a number.
@testable import Onderwijsregio
import FuzzSupport

let now: Int64 = 1_750_000_000

/// IMF-fixdate of Unix seconds from 1970 on (Howard Hinnant's civil_from_days), independent of
/// the library's code.
func imfFixdate(_ seconds: Int64) -> String {
    let days = seconds / 86_400, rest = seconds % 86_400
    let z = days + 719_468
    let era = z / 146_097
    let doe = z - era * 146_097
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
    let mp = (5 * doy + 2) / 153
    let day = doy - (153 * mp + 2) / 5 + 1
    let month = mp < 10 ? mp + 3 : mp - 9
    let year = yoe + era * 400 + (month <= 2 ? 1 : 0)
    let weekdays = ["Thu", "Fri", "Sat", "Sun", "Mon", "Tue", "Wed"]
    let months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
    func two(_ n: Int64) -> String { n < 10 ? "0\(n)" : "\(n)" }
    return "\(weekdays[Int(days % 7)]), \(two(day)) \(months[Int(month - 1)]) \(year) \(two(rest / 3600)):\(two(rest / 60 % 60)):\(two(rest % 60)) GMT"
}

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzEnvelope(_ data: UnsafePointer<UInt8>?, _ count: Int) -> CInt {
    withInput(data, count) { input in
        let parts = split(input, limit: 2)
        let text = String(decoding: parts[0], as: UTF8.self)

        if let date = HTTPDate.unixSeconds(text) {
            guard date >= 0 else { violated("HTTP-date before 1970: \(date) from \(text)") }
            let written = imfFixdate(date)
            // 23:59:60 on 31 Dec 9999 is the first second of year 10000, which has no HTTP-date.
            guard date >= 253_402_300_800 || HTTPDate.unixSeconds(written) == date else { violated("\(text) -> \(date) -> \(written) reads differently") }
        }
        let retry = RetryAfter.seconds(text, now: now)
        if let retry, retry < 0 { violated("negative Retry-After \(retry) from \(text)") }
        let trimmed = text.trimmingSpaces
        if !trimmed.isEmpty, trimmed.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }), retry == nil {
            violated("Retry-After of digits only gave no number: \(text)")
        }

        var headers: [(name: String, value: String)] = [("retry-after", text)]
        if parts.count > 1 {
            for line in parts[1].split(separator: 0x0A) {
                let colon = line.firstIndex(of: UInt8(ascii: ":")) ?? line.endIndex
                let name = String(decoding: line[line.startIndex..<colon], as: UTF8.self).lowercased()
                let value = colon < line.endIndex ? String(decoding: line[(colon + 1)...], as: UTF8.self).trimmingSpaces : ""
                headers.append((name, value))
            }
        }
        let body = parts.count > 2 ? Array(parts[2]) : []
        for status in [200, 422, 503] {
            let response = HTTPResponse(status: status, headers: headers, body: body)
            let envelope = ResponseEnvelope(response)
            _ = envelope.data
            _ = envelope.meta
            _ = envelope.schema
            _ = envelope.requestId
            let error = envelope.httpError(response)
            for (_, value) in error.details { _ = JSONSerializer.serialize(value) }
            if let header = response.header("retry-after") { _ = RetryAfter.seconds(header, now: now) }
        }
        return 0
    }
}

@_cdecl("FuzzEnvelope_main")
func main(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> CInt {
    runFuzzer(argc, argv, fuzzEnvelope)
}
