#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif
import CThreadStack

/// Tells recursive code (the parser, the validator) whether the calling thread's stack has room
/// for more. The library runs on threads it does not own: a PHP-FPM worker's 8 MiB main stack,
/// or a 512 KiB worker thread of some host. A stack overflow kills the host, so recursion stops
/// with an error while `reserve` bytes are still free, whatever the thread's stack size.
enum StackGuard {
    /// Room kept free below the deepest frame: enough for error handling and the caller.
    static let reserve = 64 * 1024

    /// Whether the current frame is still above the floor of this thread's stack.
    @inline(__always)
    static func hasRoom() -> Bool {
        hasRoom(above: currentFloor())
    }

    /// The same against a floor the caller looked up once (recursion stays on one thread).
    @inline(__always)
    static func hasRoom(above floor: UInt?) -> Bool {
        guard let floor else { return true }
        return UInt(bitPattern: onderwijsregio_internal_frame_address()) > floor
    }

    /// The lowest address recursion may reach on this thread (stacks grow down here), looked
    /// up once per thread: pthread_getattr_np reads /proc for the main thread.
    static func currentFloor() -> UInt? {
        guard let key = floorKey else { return nil }
        if let cached = pthread_getspecific(key) { return UInt(bitPattern: cached) }
        var base: UnsafeMutableRawPointer?
        var size = 0
        guard onderwijsregio_internal_thread_stack(&base, &size) == 0, let base else { return nil }
        let floor = UInt(bitPattern: base) &+ UInt(reserve)
        pthread_setspecific(key, UnsafeRawPointer(bitPattern: floor))
        return floor
    }

    private static let floorKey: pthread_key_t? = {
        var key = pthread_key_t()
        return pthread_key_create(&key, nil) == 0 ? key : nil
    }()
}
