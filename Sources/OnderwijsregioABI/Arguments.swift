#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Onderwijsregio

/// Conversions of C arguments, each refusing what it cannot use (OREG_ERR_MISUSE, OREG_ERR_LIMIT).
enum Arguments {
    /// No input is larger: the JSON parser's own document limit, and far above any real
    /// payload or callback body.
    static let maxInputBytes = JSONParseOptions.defaultMaxBytes

    /// The bytes of a `(const char *, size_t)` input. NULL with length 0 is the empty input.
    static func buffer(_ pointer: UnsafePointer<CChar>?, _ length: UInt, name: StaticString) throws(ABIError) -> UnsafeBufferPointer<UInt8> {
        guard let count = Int(exactly: length) else {
            throw ABIError(.misuse, "\(name): length \(length) is larger than any buffer can be")
        }
        // Checked before anything reads or copies the bytes: a wrong length must not be followed.
        guard count <= Arguments.maxInputBytes else {
            throw ABIError(.limit, "\(name) of \(count) bytes exceeds the limit of \(Arguments.maxInputBytes) bytes for any input")
        }
        guard let pointer else {
            if count == 0 { return UnsafeBufferPointer(start: nil, count: 0) }
            throw ABIError(.misuse, "\(name) is NULL but its length is \(count)")
        }
        return UnsafeBufferPointer(start: UnsafeRawPointer(pointer).assumingMemoryBound(to: UInt8.self), count: count)
    }

    /// An out-parameter that must not be NULL; it is set to NULL straight away so that the
    /// caller never frees garbage after a failure.
    static func output<T>(_ pointer: UnsafeMutablePointer<UnsafeMutablePointer<T>?>?, name: StaticString) throws(ABIError) -> UnsafeMutablePointer<UnsafeMutablePointer<T>?> {
        guard let pointer else { throw ABIError(.misuse, "\(name) is NULL: nowhere to store the result") }
        pointer.pointee = nil
        return pointer
    }
}

/// Runs the body of an exported function: its thrown error becomes the returned status and
/// the thread's last error.
func exported(_ body: () throws(ABIError) -> CInt) -> CInt {
    do {
        return try body()
    } catch {
        return LastError.record(error)
    }
}

extension Arguments {
    /// The bytes of a NUL-terminated string.
    static func cString(_ pointer: UnsafePointer<CChar>) -> UnsafeBufferPointer<UInt8> {
        UnsafeBufferPointer(start: UnsafeRawPointer(pointer).assumingMemoryBound(to: UInt8.self), count: strlen(pointer))
    }

    /// A NUL-terminated UTF-8 string argument that must be present.
    static func text(_ pointer: UnsafePointer<CChar>?, name: StaticString) throws(ABIError) -> String {
        guard let pointer else { throw ABIError(.misuse, "\(name) is NULL") }
        guard let text = String(validatingCString: pointer) else { throw ABIError(.misuse, "\(name) is not valid UTF-8") }
        return text
    }
}
