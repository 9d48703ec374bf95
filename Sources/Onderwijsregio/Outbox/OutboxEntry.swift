/// A mutation kept in the outbox: everything needed to send it again exactly as first meant,
/// with its original idempotency key.
struct OutboxEntry {
    let id: Int64
    let mutation: String
    let targetId: String?
    let body: [UInt8]
    let idempotencyKey: String
    let callbackURL: String?
    let createdAt: Int64
    let attempts: Int64
}

/// Where an entry is in its life. Stored as text: the database is readable with the sqlite3 tool.
enum OutboxState: String, CaseIterable {
    /// Waiting to be sent (again) by a flush.
    case queued
    /// Claimed by a flusher that is sending it now.
    case sending
    /// The service accepted it (202): applied later by the engine.
    case delivered
    /// The service refused it for good (4xx): kept with the answer for inspection, never resent.
    case dead
    /// Its callback reported success.
    case completed
    /// Its callback reported failure.
    case failed
}
