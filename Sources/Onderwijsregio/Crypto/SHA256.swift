import COpenSSL

/// SHA-256 through libcrypto.
enum SHA256 {
    static let byteCount = 32

    static func digest(_ bytes: [UInt8]) -> [UInt8] {
        var output = [UInt8](repeating: 0, count: byteCount)
        var length: UInt32 = 0
        bytes.withUnsafeBytes { input in
            _ = EVP_Digest(input.baseAddress, input.count, &output, &length, EVP_sha256(), nil)
        }
        return output
    }

    static func digest(_ text: String) -> [UInt8] {
        digest(Array(text.utf8))
    }

    static func hexDigest(_ bytes: [UInt8]) -> String {
        Hex.encode(digest(bytes))
    }
}

enum Hex {
    static func encode(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        var text: [UInt8] = []
        text.reserveCapacity(bytes.count * 2)
        for byte in bytes {
            text.append(digits[Int(byte >> 4)])
            text.append(digits[Int(byte & 0x0f)])
        }
        return String(decoding: text, as: UTF8.self)
    }
}
