#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import Onderwijsregio

private let noErrorText: StaticString = #"{"status":0,"name":"OREG_OK","message":"no error"}"#

/// Stored instead of a description that could not be allocated. It is static: never freed.
private let unrecordableErrorText: StaticString =
    #"{"status":-2,"name":"OREG_ERR_NOMEM","message":"out of memory while describing the last error"}"#

private func releaseDescription(_ pointer: UnsafeMutableRawPointer?) {
    guard let pointer, UnsafeRawPointer(pointer) != UnsafeRawPointer(unrecordableErrorText.utf8Start) else { return }
    free(pointer)
}

/// Per-thread storage of the last failure's JSON text (a malloc'd C string), so that
/// `oreg_last_error()` needs no locking and threads never see each other's errors.
private let lastErrorKey: pthread_key_t? = {
    var key = pthread_key_t()
    guard pthread_key_create(&key, { releaseDescription($0) }) == 0 else { return nil }
    return key
}()

enum LastError {
    static var current: UnsafePointer<CChar> {
        if let key = lastErrorKey, let stored = pthread_getspecific(key) {
            return UnsafePointer(stored.assumingMemoryBound(to: CChar.self))
        }
        return noErrorText.cString
    }

    /// Records `error` for the calling thread and returns its status code.
    static func record(_ error: ABIError) -> CInt {
        guard let key = lastErrorKey else { return error.status.rawValue }
        var object = JSONObject()
        object["status"] = .number(JSONNumber(Int64(error.status.rawValue)))
        object["name"] = .string(error.status.name.description)
        object["message"] = .string(error.message)
        for (name, value) in error.details { object[name] = value }
        let description = CStringBuffer.make(JSONSerializer.serialize(.object(object)))
        let previous = pthread_getspecific(key)
        pthread_setspecific(key, description.map(UnsafeRawPointer.init) ?? UnsafeRawPointer(unrecordableErrorText.utf8Start))
        releaseDescription(previous)
        return error.status.rawValue
    }
}

extension StaticString {
    /// String literals are stored NUL-terminated, so their start is a valid C string.
    var cString: UnsafePointer<CChar> {
        UnsafeRawPointer(utf8Start).assumingMemoryBound(to: CChar.self)
    }
}
