#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CSQLite

/// A value bound to a statement parameter (?1, ?2, ... in order).
enum SQLiteValue {
    case integer(Int64)
    case text(String)
    case blob([UInt8])
    case null
}

/// A failed SQLite call: its result code and SQLite's message.
struct SQLiteError: Error {
    let code: Int32
    let message: String

    /// The file is not a database, or a damaged one.
    var isCorrupt: Bool { code & 0xff == SQLITE_CORRUPT || code & 0xff == SQLITE_NOTADB }
    /// The disk or a file size limit is full.
    var isFull: Bool { code & 0xff == SQLITE_FULL }
}

/// One result row, valid only inside the callback that receives it.
struct SQLiteRow {
    fileprivate let statement: OpaquePointer

    func integer(_ column: Int32) -> Int64 { sqlite3_column_int64(statement, column) }
    func isNull(_ column: Int32) -> Bool { sqlite3_column_type(statement, column) == SQLITE_NULL }

    func text(_ column: Int32) -> String? {
        guard !isNull(column), let bytes = sqlite3_column_text(statement, column) else { return nil }
        return String(cString: bytes)
    }

    func blob(_ column: Int32) -> [UInt8] {
        let count = Int(sqlite3_column_bytes(statement, column))
        guard count > 0, let bytes = sqlite3_column_blob(statement, column) else { return [] }
        return Array(UnsafeRawBufferPointer(start: bytes, count: count))
    }
}

/// One SQLite connection, used by one thread at a time (callers hold their own lock). Files are
/// created 0600 and marked with this library's application id, so a file of another program is
/// recognised and never written into.
final class SQLiteDatabase {
    /// PRAGMA application_id of every file this library creates: "OREG".
    static let applicationID: Int64 = 0x4F52_4547

    let path: String
    private var handle: OpaquePointer?

    /// Opens (creating when missing) the database at `path` with a busy timeout. Nothing is
    /// written until `claim()` has checked the file is ours and `configure` has set it up.
    init(path: String, busyTimeoutMilliseconds: Int32 = 5000) throws(SQLiteError) {
        self.path = path
        var opened: OpaquePointer?
        let code = sqlite3_open_v2(path, &opened, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nil)
        handle = opened
        guard code == SQLITE_OK else {
            let error = SQLiteError(code: code, message: opened.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(code)))
            sqlite3_close_v2(opened)
            handle = nil
            throw error
        }
        sqlite3_extended_result_codes(opened, 1)
        sqlite3_busy_timeout(opened, busyTimeoutMilliseconds)
    }

    /// Sets up a file known to be ours: private (0600), WAL mode, and the given durability.
    func configure(synchronous: String) throws(SQLiteError) {
        chmod(path, 0o600)
        try execute("PRAGMA journal_mode=WAL")
        try execute("PRAGMA synchronous=\(synchronous)")
    }

    deinit {
        sqlite3_close_v2(handle)
    }

    /// Claims an empty file for this library, or checks that the file is one of ours. Returns
    /// the file's PRAGMA user_version (the schema version of whoever wrote it).
    func claim() throws(SQLiteError) -> Int64 {
        let identifier = try integer("PRAGMA application_id")
        let tables = try integer("SELECT count(*) FROM sqlite_schema")
        if identifier == 0 && tables == 0 {
            try execute("PRAGMA application_id=\(SQLiteDatabase.applicationID)")
        } else if identifier != SQLiteDatabase.applicationID {
            throw SQLiteError(code: SQLITE_NOTADB, message: "the file is a database of another program")
        }
        return try integer("PRAGMA user_version")
    }

    /// Runs one statement with `values` bound to ?1, ?2, ..., calling `row` for each result row.
    func execute(_ sql: String, _ values: [SQLiteValue] = [], row: (SQLiteRow) -> Void = { _ in }) throws(SQLiteError) {
        var statement: OpaquePointer?
        var code = sqlite3_prepare_v2(handle, sql, -1, &statement, nil)
        guard code == SQLITE_OK, let statement else { throw failure(code) }
        defer { sqlite3_finalize(statement) }
        for (index, value) in values.enumerated() {
            let position = Int32(index + 1)
            switch value {
            case .integer(let number): code = sqlite3_bind_int64(statement, position, number)
            case .text(let text): code = oreg_sqlite3_bind_text_copy(statement, position, text, -1)
            case .blob(let bytes): code = bytes.withUnsafeBytes { oreg_sqlite3_bind_blob_copy(statement, position, $0.baseAddress, Int32($0.count)) }
            case .null: code = sqlite3_bind_null(statement, position)
            }
            guard code == SQLITE_OK else { throw failure(code) }
        }
        while true {
            code = sqlite3_step(statement)
            if code == SQLITE_ROW { row(SQLiteRow(statement: statement)); continue }
            guard code == SQLITE_DONE else { throw failure(code) }
            return
        }
    }

    /// The first column of the first row of a query (0 when there is none).
    func integer(_ sql: String, _ values: [SQLiteValue] = []) throws(SQLiteError) -> Int64 {
        var result: Int64 = 0
        try execute(sql, values) { result = $0.integer(0) }
        return result
    }

    /// Runs `body` in one IMMEDIATE transaction (the write lock taken up front, so concurrent
    /// writers wait for the busy timeout instead of failing halfway); rolled back when it throws.
    func transaction<T, E: Error>(_ body: () throws(E) -> T, failed: (SQLiteError) -> E) throws(E) -> T {
        do throws(SQLiteError) { try execute("BEGIN IMMEDIATE") } catch { throw failed(error) }
        do throws(E) {
            let result = try body()
            do throws(SQLiteError) { try execute("COMMIT") } catch { throw failed(error) }
            return result
        } catch {
            _ = sqlite3_exec(handle, "ROLLBACK", nil, nil, nil)
            throw error
        }
    }

    /// Rows changed by the last statement.
    var changes: Int { Int(sqlite3_changes(handle)) }
    var lastInsertedRow: Int64 { sqlite3_last_insert_rowid(handle) }

    private func failure(_ code: Int32) -> SQLiteError {
        SQLiteError(code: sqlite3_extended_errcode(handle) != 0 ? sqlite3_extended_errcode(handle) : code,
                    message: handle.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(code)))
    }

    /// What lies at `path`: nothing or an empty file, an SQLite file, something else, or not a
    /// regular file. SQLite would take a short foreign file for an empty database and write
    /// over it, so such a file must be recognised before opening.
    enum FileState { case absentOrEmpty, sqlite, foreign, notAFile }

    static func inspect(_ path: String) -> FileState {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else { return errno == ENOENT ? .absentOrEmpty : .notAFile }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return .notAFile }
        var header = [UInt8](repeating: 0, count: 16)
        let count = header.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, 16) }
        if count == 0 { return .absentOrEmpty }
        return count == 16 && header == Array("SQLite format 3\0".utf8) ? .sqlite : .foreign
    }

    /// Renames the file at `path` (with its WAL files) out of the way, keeping it for
    /// inspection under a name no other file takes. Returns the new name, nil when it failed.
    @discardableResult
    static func moveAside(_ path: String) -> String? {
        let suffix = SecureRandom.bytes(4).map(Hex.encode) ?? String(getpid())
        let aside = path + ".corrupt-" + String(Clock.unixSeconds()) + "-" + suffix
        guard rename(path, aside) == 0 else { return nil }
        rename(path + "-wal", aside + "-wal")
        unlink(path + "-shm")
        return aside
    }
}
