import CFuzzDriver

/// What every harness's LLVMFuzzerTestOneInput does first: the input as one buffer (libFuzzer
/// passes a null pointer for the empty input).
@inline(__always)
public func withInput<R>(_ data: UnsafePointer<UInt8>?, _ count: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
    body(UnsafeBufferPointer(start: count > 0 ? data : nil, count: count))
}

/// Runs libFuzzer with this process's arguments (every -flag and corpus directory libFuzzer takes).
public func runFuzzer(_ argc: CInt, _ argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?,
                      _ callback: @convention(c) (UnsafePointer<UInt8>?, Int) -> CInt) -> CInt {
    var argc = argc
    var argv = argv
    return LLVMFuzzerRunDriver(&argc, &argv, callback)
}

/// The input cut at the first `limit` NUL bytes: at most `limit + 1` parts, the last one holding
/// the rest (NULs included). Parts are slices of the input, no copies.
public func split(_ input: UnsafeBufferPointer<UInt8>, limit: Int) -> [UnsafeBufferPointer<UInt8>] {
    var parts: [UnsafeBufferPointer<UInt8>] = []
    var start = 0
    var index = 0
    while index < input.count && parts.count < limit {
        if input[index] == 0 {
            parts.append(UnsafeBufferPointer(rebasing: input[start..<index]))
            start = index + 1
        }
        index += 1
    }
    parts.append(UnsafeBufferPointer(rebasing: input[start..<input.count]))
    return parts
}

/// Stops the process the way libFuzzer records as a crash, with a message saying which
/// property of the library broke.
public func violated(_ message: @autoclosure () -> String, file: StaticString = #file, line: UInt = #line) -> Never {
    fatalError("fuzz property violated: \(message())", file: file, line: line)
}
