import Onderwijsregio

/// The status codes of the C ABI. The numbers are part of the ABI: never renumber, only add.
/// `include/onderwijsregio.h` repeats them as `OREG_*` macros; the ABI tests check both agree.
enum Status: CInt, CaseIterable {
    case ok = 0
    case invalid = 1
    case misuse = -1
    case noMemory = -2
    case json = -3
    case limit = -4
    case range = -5
    case schema = -6
    case stale = 2
    case queued = 3
    case transport = -7
    case http = -8
    case deadline = -9
    case response = -10
    case sandbox = -11
    case io = -12
    case headerMissing = -13
    case headerMalformed = -14
    case signature = -15
    case tooOld = -16
    case tooNew = -17
    case replayed = -18
    case internalError = -99

    var name: StaticString {
        switch self {
        case .ok: return "OREG_OK"
        case .invalid: return "OREG_INVALID"
        case .misuse: return "OREG_ERR_MISUSE"
        case .noMemory: return "OREG_ERR_NOMEM"
        case .json: return "OREG_ERR_JSON"
        case .limit: return "OREG_ERR_LIMIT"
        case .range: return "OREG_ERR_RANGE"
        case .schema: return "OREG_ERR_SCHEMA"
        case .stale: return "OREG_STALE"
        case .queued: return "OREG_QUEUED"
        case .transport: return "OREG_ERR_TRANSPORT"
        case .http: return "OREG_ERR_HTTP"
        case .deadline: return "OREG_ERR_DEADLINE"
        case .response: return "OREG_ERR_RESPONSE"
        case .sandbox: return "OREG_ERR_SANDBOX"
        case .io: return "OREG_ERR_IO"
        case .headerMissing: return "OREG_ERR_HEADER_MISSING"
        case .headerMalformed: return "OREG_ERR_HEADER_MALFORMED"
        case .signature: return "OREG_ERR_SIGNATURE"
        case .tooOld: return "OREG_ERR_TOO_OLD"
        case .tooNew: return "OREG_ERR_TOO_NEW"
        case .replayed: return "OREG_ERR_REPLAYED"
        case .internalError: return "OREG_ERR_INTERNAL"
        }
    }
}

/// A failure on its way out of an exported function: the status it returns and what
/// `oreg_last_error()` will say about it.
struct ABIError: Error {
    let status: Status
    let message: String
    /// Extra members of the last-error object (offset, line, …).
    var details: [(String, JSONValue)] = []

    init(_ status: Status, _ message: String, details: [(String, JSONValue)] = []) {
        self.status = status
        self.message = message
        self.details = details
    }
}
