#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The durable outbox: mutations that could not be delivered, kept in an SQLite file on the
/// website's own disk (WAL, synchronous=FULL: a stored entry survives a crash or power loss)
/// until a flush delivers them with their original idempotency keys. Many processes may share
/// one file (PHP-FPM workers, cron): every entry is claimed by one flusher at a time. Entries
/// belong to a region (a hash of base URL, sandbox flag and API key) and are only ever sent by
/// a client of that region.
final class Outbox: @unchecked Sendable {
    /// The schema version this library writes (PRAGMA user_version).
    static let schemaVersion: Int64 = 1
    /// Waits between flush attempts of one entry: 30 s doubling up to an hour.
    static let retryBaseSeconds: Int64 = 30
    static let retryCapSeconds: Int64 = 3600
    /// Finished entries (delivered, completed, failed) are kept this long for monitoring.
    static let retentionSeconds: Int64 = 30 * 86_400

    let path: String
    private let region: String
    private let leaseSeconds: Int64
    private let owner: String
    private let lock = Lock()
    private let database: SQLiteDatabase

    init(path: String, region: String, leaseSeconds: Int64) throws(ClientError) {
        self.path = path
        self.region = region
        self.leaseSeconds = leaseSeconds
        owner = Outbox.hostName() + ":" + String(getpid())
        database = try FileLock.withExclusive(path + ".lock") { () throws(ClientError) -> SQLiteDatabase in
            switch SQLiteDatabase.inspect(path) {
            case .absentOrEmpty, .sqlite: break
            case .foreign: throw Outbox.keptAside(path, "is not an outbox database")
            case .notAFile: throw ClientError(.io, "outbox \(path) exists but is not a regular file")
            }
            do throws(SQLiteError) {
                let database = try SQLiteDatabase(path: path)
                let version = try database.claim()
                if version > Outbox.schemaVersion {
                    throw SQLiteError(code: -1, message: "written by a newer libonderwijsregio (outbox schema \(version), this library knows \(Outbox.schemaVersion)); it is left untouched")
                }
                try database.configure(synchronous: "FULL")
                if version < Outbox.schemaVersion {
                    try database.execute("""
                        CREATE TABLE IF NOT EXISTS outbox(
                            id INTEGER PRIMARY KEY,
                            region TEXT NOT NULL,
                            mutation TEXT NOT NULL,
                            target_id TEXT,
                            body BLOB,
                            idempotency_key TEXT NOT NULL,
                            callback_url TEXT,
                            created_at INTEGER NOT NULL,
                            attempts INTEGER NOT NULL,
                            state TEXT NOT NULL,
                            next_attempt_at INTEGER NOT NULL,
                            claimed_by TEXT,
                            claimed_until INTEGER,
                            last_error TEXT,
                            answer TEXT,
                            mutation_id TEXT,
                            finished_at INTEGER,
                            UNIQUE(region, idempotency_key))
                        """)
                    try database.execute("CREATE INDEX IF NOT EXISTS outbox_by_state ON outbox(region, state, next_attempt_at, id)")
                    try database.execute("PRAGMA user_version=\(Outbox.schemaVersion)")
                }
                return database
            } catch {
                if error.isCorrupt { throw Outbox.keptAside(path, "is damaged or not an outbox database") }
                if error.code == -1 { throw ClientError(.io, "outbox \(path) was \(error.message)") }
                throw ClientError(.io, "outbox \(path) cannot be opened: \(error.message)")
            }
        }
    }

    /// A file that cannot be used is renamed, never deleted: it may hold undelivered candidates.
    private static func keptAside(_ path: String, _ problem: String) -> ClientError {
        let aside = SQLiteDatabase.moveAside(path)
        return ClientError(.io, "outbox \(path) \(problem); " + (aside.map { "it was moved aside to \($0) (nothing deleted) and a new outbox is created on the next start" }
            ?? "it could not be moved aside either: move it yourself"))
    }

    private static func hostName() -> String {
        var name = [CChar](repeating: 0, count: 256)
        guard gethostname(&name, name.count - 1) == 0 else { return "localhost" }
        let length = name.firstIndex(of: 0) ?? name.count
        return String(decoding: name[..<length].map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    private func fail(_ error: SQLiteError, _ action: String) -> ClientError {
        ClientError(.io, "outbox \(path): cannot \(action): \(error.isFull ? "the disk (or the file size limit) is full" : error.message)")
    }

    // MARK: storing and claiming

    /// Stores a mutation that could not be delivered; returns its entry id. A key already
    /// waiting (queued or being sent) keeps its entry; a key whose entry is finished (the same
    /// form sent again later, with a content-derived key) is queued again with this body.
    func enqueue(mutation: String, targetId: String?, body: [UInt8], idempotencyKey: String, callbackURL: String?,
                 attempts: Int, lastError: String, now: Int64) throws(ClientError) -> Int64 {
        try lock.withLock { () throws(ClientError) -> Int64 in
            do throws(SQLiteError) {
                return try database.transaction({ () throws(SQLiteError) -> Int64 in
                    try database.execute("""
                        INSERT INTO outbox(region, mutation, target_id, body, idempotency_key, callback_url, created_at,
                                           attempts, state, next_attempt_at, last_error)
                        VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'queued', ?9, ?10)
                        ON CONFLICT(region, idempotency_key) DO UPDATE SET
                            mutation = excluded.mutation, target_id = excluded.target_id, body = excluded.body,
                            callback_url = excluded.callback_url, attempts = excluded.attempts, state = 'queued',
                            next_attempt_at = excluded.next_attempt_at, last_error = excluded.last_error,
                            answer = NULL, mutation_id = NULL, finished_at = NULL, claimed_by = NULL
                        WHERE state NOT IN ('queued', 'sending')
                        """, [.text(region), .text(mutation), targetId.map(SQLiteValue.text) ?? .null, .blob(body),
                              .text(idempotencyKey), callbackURL.map(SQLiteValue.text) ?? .null, .integer(now),
                              .integer(Int64(attempts)), .integer(now + Outbox.retryBaseSeconds), .text(lastError)])
                    return try database.integer("SELECT id FROM outbox WHERE region = ?1 AND idempotency_key = ?2",
                                                [.text(region), .text(idempotencyKey)])
                }, failed: { $0 })
            } catch {
                throw fail(error, "store the mutation")
            }
        }
    }

    /// Claims the oldest entry after `afterId` due for sending: queued and past its wait (or
    /// any queued one with `ignoringBackoff`), or one whose flusher died (its process is gone,
    /// or its lease ran out). Nil when there is none. A flush passes the last id it tried, so
    /// it tries every entry at most once.
    func claim(now: Int64, ignoringBackoff: Bool, afterId: Int64) throws(ClientError) -> OutboxEntry? {
        try lock.withLock { () throws(ClientError) -> OutboxEntry? in
            do throws(SQLiteError) {
                return try database.transaction({ () throws(SQLiteError) -> OutboxEntry? in
                    var abandoned: Int64?
                    try database.execute("SELECT id, claimed_by, claimed_until FROM outbox WHERE region = ?1 AND state = 'sending' AND id > ?2 ORDER BY id",
                                         [.text(region), .integer(afterId)]) { row in
                        if abandoned == nil && (row.integer(2) < now || Outbox.ownerIsGone(row.text(1))) { abandoned = row.integer(0) }
                    }
                    var chosen = abandoned
                    if chosen == nil {
                        try database.execute("""
                            SELECT id FROM outbox WHERE region = ?1 AND state = 'queued' AND (?2 OR next_attempt_at <= ?3) AND id > ?4
                            ORDER BY id LIMIT 1
                            """, [.text(region), .integer(ignoringBackoff ? 1 : 0), .integer(now), .integer(afterId)]) { chosen = $0.integer(0) }
                    }
                    guard let id = chosen else { return nil }
                    try database.execute("UPDATE outbox SET state = 'sending', claimed_by = ?1, claimed_until = ?2 WHERE id = ?3",
                                         [.text(owner), .integer(now + leaseSeconds), .integer(id)])
                    var entry: OutboxEntry?
                    try database.execute("""
                        SELECT id, mutation, target_id, body, idempotency_key, callback_url, created_at, attempts FROM outbox WHERE id = ?1
                        """, [.integer(id)]) { row in
                        entry = OutboxEntry(id: row.integer(0), mutation: row.text(1) ?? "", targetId: row.text(2), body: row.blob(3),
                                            idempotencyKey: row.text(4) ?? "", callbackURL: row.text(5), createdAt: row.integer(6),
                                            attempts: row.integer(7))
                    }
                    return entry
                }, failed: { $0 })
            } catch {
                throw fail(error, "claim an entry")
            }
        }
    }

    /// A flusher on this host whose process no longer exists.
    private static func ownerIsGone(_ owner: String?) -> Bool {
        guard let owner, let colon = owner.lastIndex(of: ":"), String(owner[..<colon]) == hostName(),
              let pid = Int32(owner[owner.index(after: colon)...]), pid > 0 else { return false }
        return kill(pid, 0) != 0 && errno == ESRCH
    }

    // MARK: outcomes

    func delivered(_ id: Int64, mutationId: String, now: Int64) throws(ClientError) {
        try update("UPDATE outbox SET state = 'delivered', mutation_id = ?2, finished_at = ?3, attempts = attempts + 1, claimed_by = NULL WHERE id = ?1",
                   [.integer(id), .text(mutationId), .integer(now)])
    }

    /// Back to the queue after a failure worth retrying, to wait 30 s, 1 min, 2 min, ... 1 h.
    func requeue(_ id: Int64, attempts: Int64, lastError: String, now: Int64) throws(ClientError) {
        let exponent = min(max(attempts - 1, 0), 20)
        let wait = min(Outbox.retryCapSeconds, Outbox.retryBaseSeconds << exponent)
        try update("UPDATE outbox SET state = 'queued', attempts = ?2, next_attempt_at = ?3, last_error = ?4, claimed_by = NULL WHERE id = ?1",
                   [.integer(id), .integer(attempts), .integer(now + wait), .text(lastError)])
    }

    /// Refused for good: kept with the service's answer.
    func dead(_ id: Int64, answer: String, lastError: String, now: Int64) throws(ClientError) {
        try update("UPDATE outbox SET state = 'dead', answer = ?2, last_error = ?3, finished_at = ?4, attempts = attempts + 1, claimed_by = NULL WHERE id = ?1",
                   [.integer(id), .text(answer), .text(lastError), .integer(now)])
    }

    /// Records a callback's outcome on the entry of its mutation (by mutation id, else by
    /// idempotency key). Returns the entry's id, nil when no entry of this region matches.
    func recordCallback(mutationId: String?, idempotencyKey: String?, succeeded: Bool, now: Int64) throws(ClientError) -> Int64? {
        try lock.withLock { () throws(ClientError) -> Int64? in
            do throws(SQLiteError) {
                var id: Int64?
                try database.execute("""
                    SELECT id FROM outbox WHERE region = ?1 AND ((?2 IS NOT NULL AND mutation_id = ?2) OR (?3 IS NOT NULL AND idempotency_key = ?3))
                    ORDER BY id LIMIT 1
                    """, [.text(region), mutationId.map(SQLiteValue.text) ?? .null, idempotencyKey.map(SQLiteValue.text) ?? .null]) { id = $0.integer(0) }
                guard let id else { return nil }
                try database.execute("UPDATE outbox SET state = ?2, finished_at = ?3, mutation_id = coalesce(mutation_id, ?4) WHERE id = ?1",
                                     [.integer(id), .text(succeeded ? OutboxState.completed.rawValue : OutboxState.failed.rawValue),
                                      .integer(now), mutationId.map(SQLiteValue.text) ?? .null])
                return id
            } catch {
                throw fail(error, "record the callback")
            }
        }
    }

    /// Deletes finished entries past the retention time. Dead entries stay until removed by hand.
    func prune(now: Int64) throws(ClientError) {
        try update("DELETE FROM outbox WHERE region = ?1 AND state IN ('delivered', 'completed', 'failed') AND finished_at < ?2",
                   [.text(region), .integer(now - Outbox.retentionSeconds)])
    }

    private func update(_ sql: String, _ values: [SQLiteValue]) throws(ClientError) {
        try lock.withLock { () throws(ClientError) in
            do throws(SQLiteError) { try database.execute(sql, values) } catch { throw fail(error, "update an entry") }
        }
    }

    // MARK: monitoring

    func count(_ state: OutboxState) throws(ClientError) -> Int64 {
        try lock.withLock { () throws(ClientError) -> Int64 in
            do throws(SQLiteError) { return try countLocked(state) } catch { throw fail(error, "count its entries") }
        }
    }

    /// Entries of this region in `state`; the caller holds the lock.
    private func countLocked(_ state: OutboxState) throws(SQLiteError) -> Int64 {
        try database.integer("SELECT count(*) FROM outbox WHERE region = ?1 AND state = ?2", [.text(region), .text(state.rawValue)])
    }

    /// Counts per state and the oldest entries of each, for this region.
    func status(oldestPerState: Int = 5) throws(ClientError) -> JSONValue {
        try lock.withLock { () throws(ClientError) -> JSONValue in
            do throws(SQLiteError) {
                var states = JSONObject()
                for state in OutboxState.allCases {
                    var entries: [JSONValue] = []
                    try database.execute("""
                        SELECT id, mutation, target_id, idempotency_key, created_at, attempts, next_attempt_at, last_error, mutation_id, answer
                        FROM outbox WHERE region = ?1 AND state = ?2 ORDER BY id LIMIT ?3
                        """, [.text(region), .text(state.rawValue), .integer(Int64(oldestPerState))]) { row in
                        var entry = JSONObject()
                        entry["id"] = .number(JSONNumber(row.integer(0)))
                        entry["mutation"] = .string(row.text(1) ?? "")
                        entry["targetId"] = row.text(2).map(JSONValue.string) ?? .null
                        entry["idempotencyKey"] = .string(row.text(3) ?? "")
                        entry["createdAt"] = .number(JSONNumber(row.integer(4)))
                        entry["attempts"] = .number(JSONNumber(row.integer(5)))
                        entry["nextAttemptAt"] = .number(JSONNumber(row.integer(6)))
                        entry["lastError"] = row.text(7).map(JSONValue.string) ?? .null
                        entry["mutationId"] = row.text(8).map(JSONValue.string) ?? .null
                        entry["answer"] = row.text(9).flatMap { try? JSONParser.parse($0) } ?? .null
                        entries.append(.object(entry))
                    }
                    let count = try countLocked(state)
                    states[state.rawValue] = .object(JSONObject([("count", .number(JSONNumber(count))), ("oldest", .array(entries))]))
                }
                return .object(JSONObject([("path", .string(path)), ("states", .object(states))]))
            } catch {
                throw fail(error, "read its status")
            }
        }
    }
}
