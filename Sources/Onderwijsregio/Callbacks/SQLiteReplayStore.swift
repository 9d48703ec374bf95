#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CSQLite

/// Nonces in an SQLite file shared by every process on the host (PHP-FPM workers, where each
/// request may land in another process). WAL mode and a busy timeout make concurrent
/// verifiers safe; each insert is one short IMMEDIATE transaction. Opening, creating and
/// replacing the file happen under a lock file (<path>.lock), so processes starting together
/// agree on one store. A file that is not a usable store is moved aside (kept, named
/// <path>.corrupt-<time>-<random>) and a new one created.
final class SQLiteReplayStore: ReplayStore, @unchecked Sendable {
    /// Identifies our files (PRAGMA application_id): "OREG".
    private static let applicationID: Int32 = 0x4F52_4547
    private static let busyTimeoutMilliseconds: Int32 = 5000
    /// How many inserts pass between size checks (counting rows is a table scan).
    private static let sizeCheckInterval = 64

    private let path: String
    private let maxEntries: Int
    private let lock = Lock()
    private var database: OpaquePointer?
    private var insertsSinceSizeCheck = 0

    init(path: String, maxEntries: Int) throws(VerificationError) {
        self.path = path
        self.maxEntries = maxEntries
        try lock.withLock { () throws(VerificationError) in
            try FileLock.withExclusive(path + ".lock") { () throws(VerificationError) in try openOrReplace() }
        }
    }

    deinit {
        sqlite3_close_v2(database)
    }

    func insert(_ bytes: UnsafeRawBufferPointer, now: Int64, expiresAt: Int64) throws(VerificationError) -> Bool {
        let nonce = String(decoding: bytes, as: UTF8.self)
        return try lock.withLock { () throws(VerificationError) -> Bool in
            do throws(VerificationError) {
                return try insertLocked(nonce, now: now, expiresAt: expiresAt)
            } catch {
                guard isCorrupt else { throw error }
                // The file broke under us, or another process already replaced it: under the
                // lock, reopen what is at the path now, replacing it only if it is unusable.
                try FileLock.withExclusive(path + ".lock") { () throws(VerificationError) in try openOrReplace() }
                return try insertLocked(nonce, now: now, expiresAt: expiresAt)
            }
        }
    }

    private var lastCode: Int32 = SQLITE_OK
    private var isCorrupt: Bool { lastCode == SQLITE_CORRUPT || lastCode == SQLITE_NOTADB }

    private func insertLocked(_ nonce: String, now: Int64, expiresAt: Int64) throws(VerificationError) -> Bool {
        try execute("BEGIN IMMEDIATE")
        var committed = false
        defer { if !committed { _ = sqlite3_exec(database, "ROLLBACK", nil, nil, nil) } }
        try execute("DELETE FROM replay_nonces WHERE expires_at < ?1", now)
        try execute("INSERT INTO replay_nonces(nonce, expires_at) VALUES(?2, ?1) ON CONFLICT(nonce) DO NOTHING", expiresAt, text: nonce)
        let inserted = sqlite3_changes(database) == 1
        insertsSinceSizeCheck += 1
        if inserted && insertsSinceSizeCheck >= SQLiteReplayStore.sizeCheckInterval {
            insertsSinceSizeCheck = 0
            // Over the bound: the oldest go first, as in the memory store.
            try execute("""
                DELETE FROM replay_nonces WHERE nonce IN (SELECT nonce FROM replay_nonces ORDER BY expires_at
                LIMIT max(0, (SELECT count(*) FROM replay_nonces) - ?1))
                """, Int64(maxEntries))
        }
        try execute("COMMIT")
        committed = true
        return inserted
    }

    /// Opens the store at the path, first moving aside whatever is there and unusable. Called
    /// holding the lock file.
    private func openOrReplace() throws(VerificationError) {
        sqlite3_close_v2(database)
        database = nil
        switch SQLiteReplayStore.inspect(path) {
        case .usable: break
        case .foreign: moveAside()
        case .notAFile: throw VerificationError(.store, "the replay store \(path) exists but is not a regular file")
        }
        do throws(VerificationError) {
            try open()
        } catch {
            guard isCorrupt else { throw error }
            sqlite3_close_v2(database)
            database = nil
            moveAside()
            try open()
        }
    }

    /// Keeps an unusable file for inspection under a name no other file takes.
    private func moveAside() {
        let suffix = SecureRandom.bytes(4).map(Hex.encode) ?? String(getpid())
        rename(path, path + ".corrupt-" + String(Clock.unixSeconds()) + "-" + suffix)
        unlink(path + "-wal")
        unlink(path + "-shm")
    }

    private enum FileState { case usable, foreign, notAFile }

    /// Missing, empty and SQLite files are usable. SQLite would take a file shorter than its
    /// header for an empty database and write over it: such a file is someone's data, not ours.
    private static func inspect(_ path: String) -> FileState {
        let descriptor = Glibc.open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else { return errno == ENOENT ? .usable : .notAFile }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG else { return .notAFile }
        var header = [UInt8](repeating: 0, count: 16)
        let count = header.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, 16) }
        return count == 0 || (count == 16 && header == Array("SQLite format 3\0".utf8)) ? .usable : .foreign
    }

    private func open() throws(VerificationError) {
        var handle: OpaquePointer?
        lastCode = sqlite3_open_v2(path, &handle, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nil)
        database = handle
        guard lastCode == SQLITE_OK else { throw failure("cannot open") }
        sqlite3_busy_timeout(database, SQLiteReplayStore.busyTimeoutMilliseconds)
        chmod(path, 0o600)
        try execute("PRAGMA journal_mode=WAL")
        try execute("PRAGMA synchronous=NORMAL")
        var identifier: Int64 = 0
        try execute("PRAGMA application_id") { identifier = sqlite3_column_int64($0, 0) }
        var tables: Int64 = 0
        try execute("SELECT count(*) FROM sqlite_schema") { tables = sqlite3_column_int64($0, 0) }
        if identifier == 0 && tables == 0 {
            try execute("PRAGMA application_id=\(SQLiteReplayStore.applicationID)")
        } else if identifier != Int64(SQLiteReplayStore.applicationID) {
            lastCode = SQLITE_NOTADB   // someone else's database: never write into it
            throw failure("is not a replay store of this library")
        }
        try execute("CREATE TABLE IF NOT EXISTS replay_nonces(nonce TEXT PRIMARY KEY, expires_at INTEGER NOT NULL) WITHOUT ROWID")
        try execute("CREATE INDEX IF NOT EXISTS replay_nonces_by_expiry ON replay_nonces(expires_at)")
    }

    /// Runs one statement with ?1 bound to `number` and ?2 to `text`, calling `row` per result row.
    private func execute(_ sql: String, _ number: Int64? = nil, text: String? = nil,
                         row: (OpaquePointer) -> Void = { _ in }) throws(VerificationError) {
        var statement: OpaquePointer?
        lastCode = sqlite3_prepare_v2(database, sql, -1, &statement, nil)
        guard lastCode == SQLITE_OK, let statement else { throw failure("cannot prepare a statement") }
        defer { sqlite3_finalize(statement) }
        if let number { sqlite3_bind_int64(statement, 1, number) }
        if let text { oreg_sqlite3_bind_text_copy(statement, 2, text, -1) }
        while true {
            lastCode = sqlite3_step(statement)
            if lastCode == SQLITE_ROW { row(statement); continue }
            guard lastCode == SQLITE_DONE else { throw failure("cannot update") }
            return
        }
    }

    private func failure(_ what: String) -> VerificationError {
        let detail = database.map { String(cString: sqlite3_errmsg($0)) } ?? String(cString: sqlite3_errstr(lastCode))
        return VerificationError(.store, "the replay store \(path) \(what): \(detail)")
    }
}
