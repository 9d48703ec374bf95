/// The Retry-After header (RFC 9110 §10.2.3): delay-seconds or an HTTP-date.
enum RetryAfter {
    /// Seconds to wait from `now` (Unix seconds), or nil when the value is neither form.
    /// A date in the past means no wait.
    static func seconds(_ value: String, now: Int64) -> Int64? {
        let text = value.trimmingSpaces
        if !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) {
            return Int64(text) ?? Int64.max   // all digits but too many of them: "very long"
        }
        guard let date = HTTPDate.unixSeconds(text) else { return nil }
        let (wait, overflow) = date.subtractingReportingOverflow(now)
        return overflow ? (now < 0 ? Int64.max : 0) : max(0, wait)
    }
}

/// HTTP-date (RFC 9110 §5.6.7) in its three forms, which share one shape once split into
/// words: a weekday, a month name, a time hh:mm:ss, and two numbers, day before year.
///   IMF-fixdate  Sun, 06 Nov 1994 08:49:37 GMT
///   RFC 850      Sunday, 06-Nov-94 08:49:37 GMT
///   asctime      Sun Nov  6 08:49:37 1994
enum HTTPDate {
    private static let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]

    static func unixSeconds(_ text: String) -> Int64? {
        guard text.utf8.count <= 64 else { return nil }
        let words = text.split(whereSeparator: { $0 == " " || $0 == "," || $0 == "-" })
        var month: Int?
        var numbers: [Int64] = []
        var clock: [Int64] = []
        for word in words {
            if word.contains(":") {
                let parts = word.split(separator: ":", omittingEmptySubsequences: false)
                guard clock.isEmpty, parts.count == 3 else { return nil }
                for part in parts {
                    guard part.count == 2, let value = Int64(part) else { return nil }
                    clock.append(value)
                }
            } else if let value = Int64(word) {
                numbers.append(value)
            } else if let index = months.firstIndex(of: word.lowercased()) {
                guard month == nil else { return nil }
                month = index + 1
            } else if word != "GMT" && !word.allSatisfy(\.isLetter) {
                return nil
            }
        }
        guard let month, numbers.count == 2, clock.count == 3 else { return nil }
        let day = numbers[0]
        var year = numbers[1]
        if year < 100 { year += year < 70 ? 2000 : 1900 }   // RFC 850's two-digit years
        guard (1...31).contains(day), (1970...9999).contains(year),
              clock[0] < 24, clock[1] < 60, clock[2] < 61 else { return nil }
        let days = daysFromCivil(year: year, month: Int64(month), day: day)
        return days * 86_400 + clock[0] * 3600 + clock[1] * 60 + clock[2]
    }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    private static func daysFromCivil(year: Int64, month: Int64, day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = y / 400
        let yearOfEra = y - era * 400
        let shiftedMonth = month > 2 ? month - 3 : month + 9
        let dayOfYear = (153 * shiftedMonth + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }
}

extension StringProtocol {
    /// Without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        var text = Substring(self)
        while let first = text.first, first == " " || first == "\t" { text.removeFirst() }
        while let last = text.last, last == " " || last == "\t" { text.removeLast() }
        return String(text)
    }
}
