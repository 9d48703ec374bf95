#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// A region schema as cached: the schema, the service's ETag and when it was fetched.
struct CachedSchema {
    var schema: JSONValue
    var etag: String?
    /// Unix seconds of the last fetch or successful revalidation.
    var fetchedAt: Int64
}

/// One cached schema in the shared cache directory, so that the many processes of a website
/// (PHP-FPM workers) fetch it once between them. Writes are atomic (a private temporary file
/// renamed into place); a lock file serialises fetches; anything unreadable counts as absent.
struct SchemaCacheFile {
    static let format = "onderwijsregio-schema-cache-1"

    let path: String
    private let lockPath: String
    private let maxBytes: Int

    /// The file name is a hash of the region's fingerprint (base URL, sandbox flag, the API
    /// key's SHA-256: keys of two regions never share a file, the key itself is never written)
    /// and the operation.
    init(directory: String, region: String, operation: SchemaOperation, maxBytes: Int) {
        let name = "schema-" + SHA256.hexDigest(Array((region + "\n" + operation.rawValue).utf8)).prefix(32)
        path = directory + "/" + name + ".json"
        lockPath = directory + "/" + name + ".lock"
        self.maxBytes = maxBytes
    }

    /// Makes sure `directory` exists (created 0700 when missing) and can be written.
    static func prepare(directory: String) throws(ClientError) {
        var info = stat()
        if stat(directory, &info) != 0 {
            guard errno == ENOENT, mkdir(directory, 0o700) == 0 || errno == EEXIST else {
                throw ClientError(.io, "schemaCache.dir \"\(directory)\" cannot be created: \(String(cString: strerror(errno)))")
            }
            guard stat(directory, &info) == 0 else {
                throw ClientError(.io, "schemaCache.dir \"\(directory)\" cannot be read: \(String(cString: strerror(errno)))")
            }
        }
        guard info.st_mode & S_IFMT == S_IFDIR else {
            throw ClientError(.io, "schemaCache.dir \"\(directory)\" is not a directory")
        }
        guard access(directory, W_OK | X_OK) == 0 else {
            throw ClientError(.io, "schemaCache.dir \"\(directory)\" is not writable by this process")
        }
    }

    func read() -> CachedSchema? {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
        guard descriptor >= 0 else { return nil }
        defer { close(descriptor) }
        var info = stat()
        guard fstat(descriptor, &info) == 0, info.st_mode & S_IFMT == S_IFREG,
              info.st_size >= 0, info.st_size <= maxBytes else { return nil }
        var bytes = [UInt8](repeating: 0, count: Int(info.st_size))
        var filled = 0
        while filled < bytes.count {
            let count = bytes.withUnsafeMutableBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return -1 }
                return Glibc.read(descriptor, base + filled, buffer.count - filled)
            }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return nil }
            filled += count
        }
        guard case .object(let top)? = try? JSONParser.parse(bytes),
              top["format"]?.stringValue == SchemaCacheFile.format,
              let fetchedAt = top["fetchedAt"].flatMap({ value -> Int64? in
                  if case .number(let number) = value { return number.int64Value }
                  return nil
              }),
              let schema = top["schema"] else { return nil }
        return CachedSchema(schema: schema, etag: top["etag"]?.stringValue, fetchedAt: fetchedAt)
    }

    /// Writes the entry; false when it could not be (the cache is an optimisation: the caller
    /// still has its schema).
    @discardableResult
    func write(_ entry: CachedSchema) -> Bool {
        var object = JSONObject()
        object["format"] = .string(SchemaCacheFile.format)
        object["fetchedAt"] = .number(JSONNumber(entry.fetchedAt))
        object["etag"] = entry.etag.map(JSONValue.string) ?? .null
        object["schema"] = entry.schema
        var bytes: [UInt8] = []
        JSONSerializer.serialize(.object(object), to: &bytes)

        let suffix = SecureRandom.bytes(6).map(Hex.encode) ?? String(getpid())
        let temporary = path + ".tmp-" + suffix
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else { return false }
        var written = 0
        var ok = true
        while written < bytes.count {
            let count = bytes.withUnsafeBytes { buffer -> Int in
                guard let base = buffer.baseAddress else { return -1 }
                return Glibc.write(descriptor, base + written, buffer.count - written)
            }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { ok = false; break }
            written += count
        }
        ok = ok && fsync(descriptor) == 0
        ok = close(descriptor) == 0 && ok
        guard ok, rename(temporary, path) == 0 else {
            unlink(temporary)
            return false
        }
        return true
    }

    /// Runs `body` holding an exclusive lock shared with every process using this cache entry.
    func withExclusiveLock<T, E: Error>(_ body: () throws(E) -> T) throws(E) -> T {
        try FileLock.withExclusive(lockPath, body)
    }
}
