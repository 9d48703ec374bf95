#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CCurl

/// HTTP over one libcurl easy handle. The handle keeps its connection (and TLS session) alive
/// between exchanges, so a client's sequential calls share one connection. Exchanges take
/// turns: libcurl handles must never be used by two threads at once.
final class CurlTransport: @unchecked Sendable {
    struct Configuration {
        var connectTimeoutMilliseconds: Int64
        var caBundlePath: String?
        var userAgent: String
        var maxResponseBytes: Int
        /// Header lines sent with every request. The secret one (the API key) is kept in
        /// memory this transport overwrites before releasing it.
        var fixedHeaders: [String]
        var secretHeader: String
    }

    private let handle: UnsafeMutableRawPointer
    private let lock = Lock()
    private let maxResponseBytes: Int
    /// The fixed header lines as a curl_slist built by hand, so that the line holding the API
    /// key exists in exactly one buffer of ours, which `deinit` wipes.
    private let fixedHeaderList: UnsafeMutablePointer<curl_slist>?
    private let errorBuffer: UnsafeMutablePointer<CChar>

    init(_ configuration: Configuration) throws(TransportError) {
        if let failure = onderwijsregio_curl_load() {
            throw TransportError(kind: .other, message: String(cString: failure))
        }
        guard let handle = onderwijsregio_curl_easy_init() else {
            throw TransportError(kind: .other, message: "libcurl could not create a handle (curl_easy_init failed)")
        }
        self.handle = handle
        maxResponseBytes = configuration.maxResponseBytes
        errorBuffer = UnsafeMutablePointer<CChar>.allocate(capacity: Int(CURL_ERROR_SIZE))
        errorBuffer.initialize(repeating: 0, count: Int(CURL_ERROR_SIZE))
        fixedHeaderList = CurlTransport.makeList([configuration.secretHeader] + configuration.fixedHeaders)

        var failed = false
        func set(_ option: CURLoption, _ value: Int) { failed = failed || onderwijsregio_curl_setopt_long(handle, option, value) != CURLE_OK }
        func set(_ option: CURLoption, _ value: String) {
            failed = failed || value.withCString { onderwijsregio_curl_setopt_ptr(handle, option, $0) } != CURLE_OK
        }
        set(CURLOPT_NOSIGNAL, 1)                      // no SIGALRM in a host's threads
        set(CURLOPT_PROTOCOLS_STR, "http,https")
        set(CURLOPT_FOLLOWLOCATION, 0)                // a redirect would carry the API key elsewhere
        set(CURLOPT_SSL_VERIFYPEER, 1)
        set(CURLOPT_SSL_VERIFYHOST, 2)
        set(CURLOPT_CONNECTTIMEOUT_MS, Int(clamping: configuration.connectTimeoutMilliseconds))
        set(CURLOPT_TCP_KEEPALIVE, 1)
        set(CURLOPT_USERAGENT, configuration.userAgent)   // libcurl copies option strings
        set(CURLOPT_ACCEPT_ENCODING, "")              // whatever libcurl can decode
        if let path = configuration.caBundlePath { set(CURLOPT_CAINFO, path) }
        failed = failed || onderwijsregio_curl_setopt_off(handle, CURLOPT_MAXFILESIZE_LARGE, curl_off_t(configuration.maxResponseBytes)) != CURLE_OK
        failed = failed || onderwijsregio_curl_setopt_ptr(handle, CURLOPT_ERRORBUFFER, errorBuffer) != CURLE_OK
        failed = failed || onderwijsregio_curl_setopt_callback(handle, CURLOPT_WRITEFUNCTION, receiveBody) != CURLE_OK
        failed = failed || onderwijsregio_curl_setopt_callback(handle, CURLOPT_HEADERFUNCTION, receiveHeader) != CURLE_OK
        failed = failed || onderwijsregio_curl_setopt_prereq(handle, countSend) != CURLE_OK
        if failed {
            throw TransportError(kind: .other, message: "libcurl refused an option (is it older than 7.85?)")
        }
    }

    deinit {
        onderwijsregio_curl_easy_cleanup(handle)
        CurlTransport.wipeAndFree(fixedHeaderList)
        errorBuffer.deallocate()
    }

    /// One exchange, at most `timeoutMilliseconds` long from start to the last byte.
    func perform(_ request: HTTPRequest, timeoutMilliseconds: Int64) -> Result<HTTPResponse, TransportError> {
        lock.withLock { () -> Result<HTTPResponse, TransportError> in
            let collector = ResponseCollector(limit: maxResponseBytes)
            let context = Unmanaged.passUnretained(collector).toOpaque()
            // "Expect:" stops libcurl from waiting for 100-continue before larger bodies.
            let requestHeaders = CurlTransport.makeList(request.headers + ["Expect:"])
            var last = requestHeaders
            while let next = last?.pointee.next { last = next }
            last?.pointee.next = fixedHeaderList
            defer {
                last?.pointee.next = nil
                CurlTransport.wipeAndFree(requestHeaders)
            }
            errorBuffer[0] = 0

            let body = request.body ?? []
            return body.withUnsafeBufferPointer { bodyBytes -> Result<HTTPResponse, TransportError> in
                _ = request.url.withCString { onderwijsregio_curl_setopt_ptr(handle, CURLOPT_URL, $0) }
                _ = onderwijsregio_curl_setopt_ptr(handle, CURLOPT_HTTPHEADER, requestHeaders)
                _ = onderwijsregio_curl_setopt_long(handle, CURLOPT_TIMEOUT_MS, Int(clamping: max(1, timeoutMilliseconds)))
                _ = onderwijsregio_curl_setopt_ptr(handle, CURLOPT_WRITEDATA, context)
                _ = onderwijsregio_curl_setopt_ptr(handle, CURLOPT_HEADERDATA, context)
                _ = onderwijsregio_curl_setopt_ptr(handle, CURLOPT_PREREQDATA, context)
                if request.body != nil {
                    // POSTFIELDS is not copied: the bytes stay alive for the whole perform.
                    _ = onderwijsregio_curl_setopt_off(handle, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(bodyBytes.count))
                    _ = onderwijsregio_curl_setopt_ptr(handle, CURLOPT_POSTFIELDS, bodyBytes.baseAddress.map(UnsafeRawPointer.init) ?? UnsafeRawPointer(emptyBody.utf8Start))
                } else {
                    _ = onderwijsregio_curl_setopt_long(handle, CURLOPT_HTTPGET, 1)
                }
                let customMethod: String? = (request.method == .get || request.method == .post) ? nil : request.method.rawValue
                if let customMethod {
                    _ = customMethod.withCString { onderwijsregio_curl_setopt_ptr(handle, CURLOPT_CUSTOMREQUEST, $0) }
                } else {
                    _ = onderwijsregio_curl_setopt_ptr(handle, CURLOPT_CUSTOMREQUEST, nil)
                }

                let code = onderwijsregio_curl_easy_perform(handle)
                _ = onderwijsregio_curl_setopt_ptr(handle, CURLOPT_HTTPHEADER, nil)
                _ = onderwijsregio_curl_setopt_ptr(handle, CURLOPT_POSTFIELDS, nil)
                guard code == CURLE_OK else { return .failure(failure(code, collector)) }
                var status = 0
                _ = onderwijsregio_curl_getinfo_long(handle, CURLINFO_RESPONSE_CODE, &status)
                return .success(HTTPResponse(status: status, headers: collector.headers, body: collector.body))
            }
        }
    }

    private func failure(_ code: CURLcode, _ collector: ResponseCollector) -> TransportError {
        if collector.exceededLimit || code == CURLE_FILESIZE_EXCEEDED {
            return TransportError(kind: .responseTooLarge, message: "the response is larger than maxResponseBytes (\(maxResponseBytes))")
        }
        if collector.sends > 1 {
            return TransportError(kind: .dropped, message: "the connection closed before an answer arrived")
        }
        let detail = errorBuffer[0] != 0 ? String(cString: errorBuffer) : String(cString: onderwijsregio_curl_easy_strerror(code))
        let kind: TransportError.Kind
        switch code {
        case CURLE_COULDNT_RESOLVE_HOST, CURLE_COULDNT_RESOLVE_PROXY, CURLE_COULDNT_CONNECT:
            kind = .connect
        case CURLE_OPERATION_TIMEDOUT:
            kind = .timeout
        case CURLE_SEND_ERROR, CURLE_RECV_ERROR, CURLE_GOT_NOTHING, CURLE_PARTIAL_FILE, CURLE_HTTP2, CURLE_HTTP2_STREAM:
            kind = .dropped
        case CURLE_SSL_CONNECT_ERROR, CURLE_PEER_FAILED_VERIFICATION, CURLE_SSL_CERTPROBLEM, CURLE_SSL_CIPHER,
             CURLE_SSL_CACERT_BADFILE, CURLE_SSL_ISSUER_ERROR, CURLE_SSL_PINNEDPUBKEYNOTMATCH, CURLE_SSL_INVALIDCERTSTATUS:
            kind = .tls
        default:
            kind = .other
        }
        return TransportError(kind: kind, message: detail)
    }

    private static func makeList(_ lines: [String]) -> UnsafeMutablePointer<curl_slist>? {
        var head: UnsafeMutablePointer<curl_slist>?
        var tail: UnsafeMutablePointer<curl_slist>?
        for line in lines {
            let node = UnsafeMutablePointer<curl_slist>.allocate(capacity: 1)
            node.initialize(to: curl_slist(data: strdup(line), next: nil))
            if let tail { tail.pointee.next = node } else { head = node }
            tail = node
        }
        return head
    }

    private static func wipeAndFree(_ list: UnsafeMutablePointer<curl_slist>?) {
        var node = list
        while let current = node {
            node = current.pointee.next
            if let data = current.pointee.data {
                explicit_bzero(data, strlen(data))
                free(data)
            }
            current.deinitialize(count: 1)
            current.deallocate()
        }
    }
}

/// A zero-byte POST still needs a non-NULL POSTFIELDS.
private let emptyBody: StaticString = ""

/// What libcurl hands over while one exchange runs.
private final class ResponseCollector {
    let limit: Int
    var body: [UInt8] = []
    var headers: [(name: String, value: String)] = []
    var exceededLimit = false
    /// How often libcurl was about to send the request during this exchange.
    var sends = 0

    init(limit: Int) { self.limit = limit }
}

private func receiveBody(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    guard let context else { return 0 }
    let collector = Unmanaged<ResponseCollector>.fromOpaque(context).takeUnretainedValue()
    let (length, overflow) = size.multipliedReportingOverflow(by: count)
    guard !overflow, length <= collector.limit - collector.body.count else {
        collector.exceededLimit = true
        return 0   // makes libcurl stop with CURLE_WRITE_ERROR
    }
    if let data, length > 0 {
        collector.body.append(contentsOf: UnsafeRawBufferPointer(start: data, count: length))
    }
    return length
}

private func receiveHeader(_ data: UnsafeMutablePointer<CChar>?, _ size: Int, _ count: Int, _ context: UnsafeMutableRawPointer?) -> Int {
    guard let context, let data else { return 0 }
    let collector = Unmanaged<ResponseCollector>.fromOpaque(context).takeUnretainedValue()
    let (length, overflow) = size.multipliedReportingOverflow(by: count)
    guard !overflow else { return 0 }
    var bytes = UnsafeRawBufferPointer(start: data, count: length)[...]
    // Trimmed as bytes: in Swift, "\r\n" is one Character.
    while let last = bytes.last, last == 0x0d || last == 0x0a { bytes.removeLast() }
    let line = String(decoding: bytes, as: UTF8.self)
    if line.hasPrefix("HTTP/") {
        collector.headers.removeAll()   // a new response begins (after 100 Continue)
    } else if let colon = line.firstIndex(of: ":") {
        collector.headers.append((name: line[..<colon].lowercased(), value: line[line.index(after: colon)...].trimmingSpaces))
    }
    return length
}

/// libcurl resends a request on its own when a reused connection dies before answering. Each
/// send must be an attempt the retry policy counts and limits, so the second is refused here
/// and the exchange fails as a dropped connection.
private func countSend(_ context: UnsafeMutableRawPointer?, _ primaryIP: UnsafeMutablePointer<CChar>?,
                       _ localIP: UnsafeMutablePointer<CChar>?, _ primaryPort: CInt, _ localPort: CInt) -> CInt {
    guard let context else { return CURL_PREREQFUNC_OK }
    let collector = Unmanaged<ResponseCollector>.fromOpaque(context).takeUnretainedValue()
    collector.sends += 1
    return collector.sends > 1 ? CURL_PREREQFUNC_ABORT : CURL_PREREQFUNC_OK
}
