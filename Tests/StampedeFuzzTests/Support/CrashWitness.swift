#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A trap in a codec, or in the embedded server, kills the whole test
/// process — that *is* the failure. What must survive it is the input: the
/// fuzzer records each input here before feeding it, and a signal handler
/// writes the record to stderr (hex) and to `crashFile` before handing the
/// signal on to the previous handler (the Swift runtime's backtracer).
/// Only async-signal-safe calls run in the handler; the buffer is
/// preallocated.
enum CrashWitness {
    static let capacity = 1 << 20
    nonisolated(unsafe) private static let buffer = UnsafeMutablePointer<UInt8>.allocate(capacity: capacity)
    nonisolated(unsafe) private static var length = 0
    nonisolated(unsafe) private static let previous = UnsafeMutablePointer<sigaction>.allocate(capacity: 65)
    nonisolated(unsafe) private static let line = UnsafeMutablePointer<UInt8>.allocate(capacity: 130)
    nonisolated(unsafe) private static let hexDigits: UnsafeMutablePointer<CChar> = strdup("0123456789abcdef")
    nonisolated(unsafe) private static let banner: UnsafeMutablePointer<CChar> =
        strdup("\n=== FUZZ CRASH: the input below is in \(crashFile); add it to the corpus as regression-*\n")
    nonisolated(unsafe) private static var installed = false
    /// Where the crashing input (the bytes last recorded) is written.
    static let crashFile = "/tmp/stampede-fuzz-crash.bin"
    nonisolated(unsafe) private static let crashPath: UnsafeMutablePointer<CChar> = strdup(crashFile)
    static let signals: [Int32] = [SIGILL, SIGTRAP, SIGABRT, SIGSEGV, SIGBUS, SIGFPE]

    /// Call once, from the test thread, before fuzzing.
    static func install() {
        guard !installed else { return }
        installed = true
        // Statics are initialised lazily: touch them here, never first in the handler.
        _ = (buffer, line, hexDigits, banner, crashPath, previous, length)
        for sig in signals {
            var action = sigaction()
            var old = sigaction()
            #if canImport(Glibc)
            action.__sigaction_handler.sa_handler = { sig in CrashWitness.report(sig) }
            #else
            action.__sigaction_u.__sa_handler = { sig in CrashWitness.report(sig) }
            #endif
            sigemptyset(&action.sa_mask)
            action.sa_flags = 0
            sigaction(sig, &action, &old)
            previous[Int(sig)] = old
        }
    }

    /// Gives the signals back to their previous handlers, so a later,
    /// unrelated trap in the same test process is not reported as a fuzz input.
    static func uninstall() {
        guard installed else { return }
        installed = false
        for sig in signals { sigaction(sig, previous + Int(sig), nil) }
    }

    /// `label` says which input (test, index, seed name); `bytes` is what
    /// was (or is about to be) fed. Live runs record a window of the last
    /// inputs on one connection, since the server may trap a little later.
    static func record(_ label: String, _ bytes: [UInt8]) {
        var n = 0
        for c in label.utf8.prefix(512) { buffer[n] = c; n += 1 }
        buffer[n] = 10; n += 1
        let body = min(bytes.count, capacity - n)
        bytes.withUnsafeBufferPointer { p in
            if body > 0 { (buffer + n).update(from: p.baseAddress!, count: body) }
        }
        length = n + body
    }

    private static func report(_ sig: Int32) {
        _ = write(2, banner, strlen(banner))
        let shown = min(length, 16_384)
        var i = 0
        // The label line as text, then the bytes as hex.
        while i < shown, buffer[i] != 10 { i += 1 }
        _ = write(2, buffer, i + 1)
        var k = 0
        for j in (i + 1)..<max(i + 1, shown) {
            line[k] = UInt8(bitPattern: hexDigits[Int(buffer[j] >> 4)])
            line[k + 1] = UInt8(bitPattern: hexDigits[Int(buffer[j] & 15)])
            k += 2
            if k == 128 { line[k] = 10; _ = write(2, line, k + 1); k = 0 }
        }
        if k > 0 { line[k] = 10; _ = write(2, line, k + 1) }
        let fd = open(crashPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        if fd >= 0 {
            _ = write(fd, buffer + (i + 1), max(0, length - (i + 1)))
            close(fd)
        }
        // Hand the signal on: the faulting instruction runs again under the
        // previous handler (or the default action, which ends the process).
        sigaction(sig, previous + Int(sig), nil)
        if sig == SIGTRAP { raise(sig) }
    }
}
