/// The region's schemas as one client knows them: kept in memory, shared through the cache
/// directory when there is one, revalidated after their TTL, served stale while the service
/// is down, and compiled once per validation target.
final class SchemaStore: @unchecked Sendable {
    /// What a fetch from the service brought.
    enum FetchOutcome {
        case fresh(schema: JSONValue, etag: String?)
        case notModified
    }

    /// A compiled validation target; `.absent` when the region's schema has no such part.
    enum CompiledPart {
        case schema(JSONSchema)
        case absent
    }

    private struct Entry {
        var cached: CachedSchema
        /// Changes whenever the schema's content may have changed; compiled parts belong to one.
        var generation: Int
        var compiled: [ValidationTarget: CompiledPart] = [:]
        /// Set while a stale copy is served: when the service last failed, and how.
        var failedAt: Int64?
        var failure: ClientError?
    }

    /// How long a failed refresh is not tried again while the stale copy is served, so that
    /// every request of a website does not wait out a full retry cycle during an outage.
    static let refreshPauseAfterFailureSeconds: Int64 = 30

    private let timeToLive: Int64
    private let language: MessageLanguage
    private let files: [SchemaOperation: SchemaCacheFile]
    private var entries: [SchemaOperation: Entry] = [:]
    private var generations = 0
    private let lock = Lock()
    /// One fetch at a time per client: threads that need the schema meanwhile wait for it.
    private let fetchLock = Lock()

    init(timeToLive: Int64, files: [SchemaOperation: SchemaCacheFile], language: MessageLanguage) {
        self.timeToLive = timeToLive
        self.language = language
        self.files = files
    }

    /// The schema for `operation`, and the failure that made it stale, if it is.
    func schema(_ operation: SchemaOperation, fetch: (String?) throws(ClientError) -> FetchOutcome) throws(ClientError) -> (JSONValue, stale: ClientError?) {
        let entry = try current(operation, fetch: fetch)
        return (entry.cached.schema, entry.failure)
    }

    /// The compiled validator of `target`, nil when the schema has no such part.
    func validator(_ target: ValidationTarget, fetch: (String?) throws(ClientError) -> FetchOutcome) throws(ClientError) -> (JSONSchema?, stale: ClientError?) {
        let entry = try current(target.operation, fetch: fetch)
        let part: CompiledPart
        if let known = entry.compiled[target] {
            part = known
        } else {
            part = try compile(target, region: entry.cached.schema)
            lock.withLock {
                if entries[target.operation]?.generation == entry.generation {
                    entries[target.operation]?.compiled[target] = part
                }
            }
        }
        if case .schema(let schema) = part { return (schema, entry.failure) }
        return (nil, entry.failure)
    }

    private func current(_ operation: SchemaOperation, fetch: (String?) throws(ClientError) -> FetchOutcome) throws(ClientError) -> Entry {
        if let entry = lock.withLock({ entries[operation] }), isUsable(entry, now: Clock.unixSeconds()) { return entry }
        return try fetchLock.withLock { () throws(ClientError) -> Entry in
            var known = lock.withLock { entries[operation] }
            if let entry = known, isUsable(entry, now: Clock.unixSeconds()) { return entry }
            guard let file = files[operation] else { return try refresh(operation, known: known, file: nil, fetch: fetch) }
            return try file.withExclusiveLock { () throws(ClientError) -> Entry in
                // Another process may have fetched while this one waited for the lock.
                if let stored = file.read(), stored.fetchedAt > (known?.cached.fetchedAt ?? Int64.min) {
                    let entry = Entry(cached: stored, generation: nextGeneration())
                    known = entry
                    if isFresh(stored, now: Clock.unixSeconds()) {
                        lock.withLock { entries[operation] = entry }
                        return entry
                    }
                }
                return try refresh(operation, known: known, file: file, fetch: fetch)
            }
        }
    }

    private func refresh(_ operation: SchemaOperation, known: Entry?, file: SchemaCacheFile?,
                         fetch: (String?) throws(ClientError) -> FetchOutcome) throws(ClientError) -> Entry {
        let now = Clock.unixSeconds()
        var entry: Entry
        do throws(ClientError) {
            switch try fetch(known?.cached.etag) {
            case .fresh(let schema, let etag):
                entry = Entry(cached: CachedSchema(schema: schema, etag: etag, fetchedAt: now), generation: nextGeneration())
                // A schema that does not compile is refused before anything caches it.
                entry.compiled[.candidate(operation)] = try compile(.candidate(operation), region: schema)
            case .notModified:
                guard let previous = known else {
                    throw ClientError(.response, "the service answered 304 Not Modified to a request for a schema this client does not have")
                }
                entry = previous
                entry.cached.fetchedAt = now
                entry.failedAt = nil
                entry.failure = nil
            }
        } catch {
            guard var stale = known, SchemaStore.allowsStaleCopy(error) else { throw error }
            stale.failedAt = now
            stale.failure = error
            lock.withLock { entries[operation] = stale }
            return stale
        }
        file?.write(entry.cached)
        lock.withLock { entries[operation] = entry }
        return entry
    }

    private func isFresh(_ cached: CachedSchema, now: Int64) -> Bool {
        let age = now - cached.fetchedAt
        return age >= 0 && age < timeToLive
    }

    private func isUsable(_ entry: Entry, now: Int64) -> Bool {
        if let failedAt = entry.failedAt {
            return now >= failedAt && now - failedAt < SchemaStore.refreshPauseAfterFailureSeconds
        }
        return isFresh(entry.cached, now: now)
    }

    private func nextGeneration() -> Int {
        lock.withLock { generations += 1; return generations }
    }

    /// An outage (no answer, a timeout, rate limiting, a server error) may be bridged with an
    /// old copy; an answer such as 401 or 404 may not: it says something about the caller.
    private static func allowsStaleCopy(_ error: ClientError) -> Bool {
        switch error.kind {
        case .transport, .deadline: return true
        case .http: return error.httpStatus.map(RetryPolicy.isRetryable(status:)) ?? false
        default: return false
        }
    }

    private func compile(_ target: ValidationTarget, region: JSONValue) throws(ClientError) -> CompiledPart {
        guard let (document, resources) = target.schemaDocument(region: region) else { return .absent }
        var options = SchemaOptions()
        options.resources = resources
        options.language = language
        do throws(SchemaCompileError) {
            return .schema(try JSONSchema(document, options: options))
        } catch {
            throw ClientError(.schema, "the region's \(target.operation.rawValue) schema does not compile: \(error.description)")
        }
    }
}
