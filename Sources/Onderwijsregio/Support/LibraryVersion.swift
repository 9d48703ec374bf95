/// The library's version: the one place it is written in Swift. `include/onderwijsregio.h`
/// repeats it as OREG_VERSION*; the ABI tests check that both agree.
public enum LibraryVersion {
    public static let major = 0
    public static let minor = 1
    public static let patch = 0
    public static var text: String { "\(major).\(minor).\(patch)" }
    public static var number: Int { major * 1_000_000 + minor * 1_000 + patch }
}
