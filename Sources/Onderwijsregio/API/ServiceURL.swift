/// The pieces of an absolute http(s) URL that the client checks: enough to refuse what must
/// not be used, not a general URL parser.
struct ServiceURL {
    static let maxLength = 2048

    let scheme: String      // "http" or "https", lower case
    let host: String        // as written; IPv6 literals keep their brackets
    /// Everything after the authority: path, query, fragment.
    let rest: Substring

    init?(_ text: String) {
        guard text.utf8.count <= ServiceURL.maxLength,
              text.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7f }) else { return nil }
        let lowered = text.lowercased()
        let schemeLength: Int
        if lowered.hasPrefix("https://") {
            scheme = "https"; schemeLength = 8
        } else if lowered.hasPrefix("http://") {
            scheme = "http"; schemeLength = 7
        } else {
            return nil
        }
        let afterScheme = text.dropFirst(schemeLength)
        let authorityEnd = afterScheme.firstIndex(where: { $0 == "/" || $0 == "?" || $0 == "#" }) ?? afterScheme.endIndex
        let authority = afterScheme[..<authorityEnd]
        // Credentials in a URL end up in logs and error messages: refuse them.
        guard !authority.isEmpty, !authority.contains("@") else { return nil }
        var hostPart = authority
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            hostPart = authority[...close]
            let afterHost = authority[authority.index(after: close)...]
            guard afterHost.isEmpty || ServiceURL.isPort(afterHost.dropFirst()) && afterHost.first == ":" else { return nil }
        } else if let colon = authority.firstIndex(of: ":") {
            hostPart = authority[..<colon]
            guard ServiceURL.isPort(authority[authority.index(after: colon)...]) else { return nil }
        }
        guard !hostPart.isEmpty else { return nil }
        host = String(hostPart)
        rest = afterScheme[authorityEnd...]
    }

    private static func isPort(_ text: Substring) -> Bool {
        guard !text.isEmpty, text.count <= 5, let port = Int(text) else { return false }
        return (1...65535).contains(port)
    }

    /// localhost, 127.0.0.0/8 or ::1: traffic that never leaves the machine.
    var isLoopback: Bool {
        let name = host.lowercased()
        if name == "localhost" || name == "[::1]" { return true }
        let octets = name.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4 && octets[0] == "127" && octets.allSatisfy { UInt8($0) != nil }
    }

    /// RFC 3986 percent-encoding of everything but the unreserved characters, for one query
    /// value or one path segment.
    static func percentEncode(_ text: String) -> String {
        let hex = Array("0123456789ABCDEF".utf8)
        var out: [UInt8] = []
        out.reserveCapacity(text.utf8.count)
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"),
                 UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."),
                 UInt8(ascii: "_"), UInt8(ascii: "~"):
                out.append(byte)
            default:
                out.append(UInt8(ascii: "%"))
                out.append(hex[Int(byte >> 4)])
                out.append(hex[Int(byte & 0x0f)])
            }
        }
        return String(decoding: out, as: UTF8.self)
    }
}
