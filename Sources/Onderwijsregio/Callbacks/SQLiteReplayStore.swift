/// Nonces in an SQLite file shared by every process on the host (PHP-FPM workers, where each
/// request may land in another process). WAL mode and a busy timeout make concurrent
/// verifiers safe; each insert is one short IMMEDIATE transaction. Opening, creating and
/// replacing the file happen under a lock file (<path>.lock), so processes starting together
/// agree on one store. A file that is not a usable store is moved aside (kept, named
/// <path>.corrupt-<time>-<random>) and a new one created: losing old nonces only reopens a
/// replay window, while refusing every callback would stop the site.
final class SQLiteReplayStore: ReplayStore, @unchecked Sendable {
    /// How many inserts pass between size checks (counting rows is a table scan).
    private static let sizeCheckInterval = 64

    private let path: String
    private let maxEntries: Int
    private let lock = Lock()
    private var database: SQLiteDatabase?
    private var insertsSinceSizeCheck = 0

    init(path: String, maxEntries: Int) throws(VerificationError) {
        self.path = path
        self.maxEntries = maxEntries
        try lock.withLock { () throws(VerificationError) in try reopen() }
    }

    func insert(_ bytes: UnsafeRawBufferPointer, now: Int64, expiresAt: Int64) throws(VerificationError) -> Bool {
        let nonce = String(decoding: bytes, as: UTF8.self)
        return try lock.withLock { () throws(VerificationError) -> Bool in
            do throws(SQLiteError) {
                return try insertLocked(nonce, now: now, expiresAt: expiresAt)
            } catch {
                guard error.isCorrupt else { throw failure(error) }
                // The file broke under us, or another process already replaced it: reopen what
                // is at the path now, replacing it only if it is unusable.
                try reopen()
                do throws(SQLiteError) {
                    return try insertLocked(nonce, now: now, expiresAt: expiresAt)
                } catch {
                    throw failure(error)
                }
            }
        }
    }

    private func insertLocked(_ nonce: String, now: Int64, expiresAt: Int64) throws(SQLiteError) -> Bool {
        guard let database else { throw SQLiteError(code: 1, message: "the store is not open") }
        return try database.transaction({ () throws(SQLiteError) -> Bool in
            try database.execute("DELETE FROM replay_nonces WHERE expires_at < ?1", [.integer(now)])
            try database.execute("INSERT INTO replay_nonces(nonce, expires_at) VALUES(?1, ?2) ON CONFLICT(nonce) DO NOTHING",
                                 [.text(nonce), .integer(expiresAt)])
            let inserted = database.changes == 1
            insertsSinceSizeCheck += 1
            if inserted && insertsSinceSizeCheck >= SQLiteReplayStore.sizeCheckInterval {
                insertsSinceSizeCheck = 0
                // Over the bound: the oldest go first, as in the memory store.
                try database.execute("""
                    DELETE FROM replay_nonces WHERE nonce IN (SELECT nonce FROM replay_nonces ORDER BY expires_at
                    LIMIT max(0, (SELECT count(*) FROM replay_nonces) - ?1))
                    """, [.integer(Int64(maxEntries))])
            }
            return inserted
        }, failed: { $0 })
    }

    /// Opens the store at the path under the lock file, first moving aside whatever is there
    /// and unusable.
    private func reopen() throws(VerificationError) {
        database = nil
        database = try FileLock.withExclusive(path + ".lock") { () throws(VerificationError) -> SQLiteDatabase in
            switch SQLiteDatabase.inspect(path) {
            case .absentOrEmpty, .sqlite: break
            case .foreign: SQLiteDatabase.moveAside(path)
            case .notAFile: throw VerificationError(.store, "the replay store \(path) exists but is not a regular file")
            }
            do throws(SQLiteError) {
                return try open()
            } catch {
                guard error.isCorrupt else { throw failure(error) }
                SQLiteDatabase.moveAside(path)
                do throws(SQLiteError) { return try open() } catch { throw failure(error) }
            }
        }
    }

    private func open() throws(SQLiteError) -> SQLiteDatabase {
        let database = try SQLiteDatabase(path: path)
        _ = try database.claim()
        try database.configure(synchronous: "NORMAL")
        try database.execute("CREATE TABLE IF NOT EXISTS replay_nonces(nonce TEXT PRIMARY KEY, expires_at INTEGER NOT NULL) WITHOUT ROWID")
        try database.execute("CREATE INDEX IF NOT EXISTS replay_nonces_by_expiry ON replay_nonces(expires_at)")
        return database
    }

    private func failure(_ error: SQLiteError) -> VerificationError {
        VerificationError(.store, "the replay store \(path) failed: \(error.message)")
    }
}
