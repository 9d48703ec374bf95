#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// An advisory lock shared by every process on the host that uses the same lock file (flock).
enum FileLock {
    /// Runs `body` holding an exclusive lock on `path` (created 0600 when missing). When the
    /// lock file cannot be created `body` runs anyway: callers use the lock to avoid duplicate
    /// work or races on files that are checked again under it.
    static func withExclusive<T, E: Error>(_ path: String, _ body: () throws(E) -> T) throws(E) -> T {
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else { return try body() }
        defer { close(descriptor) }   // closing releases the lock
        while flock(descriptor, LOCK_EX) != 0 && errno == EINTR {}
        return try body()
    }
}
