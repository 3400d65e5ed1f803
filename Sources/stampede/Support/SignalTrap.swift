import Foundation
import StampedeScenario

/// `stampede run`'s SIGINT/SIGTERM policy (issue 15, item 3): the first signal asks the runner to
/// stop the load, drain and write every report marked `interrupted` (exit 4); a second one aborts
/// at once with 128 + the signal number, writing nothing more.
enum SignalTrap {
    /// Keep the returned sources alive for as long as the policy should hold.
    static func install(_ interruption: RunInterruption) -> [DispatchSourceSignal] {
        [(SIGINT, "SIGINT"), (SIGTERM, "SIGTERM")].map { number, name in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                if interruption.interrupt(by: name) {
                    FileHandle.standardError.write(Data(
                        "\n\(name): stopping the load, draining, writing the reports (send it again to abort at once)\n".utf8))
                } else {
                    FileHandle.standardError.write(Data("\n\(name) again: aborted, no report written\n".utf8))
                    exit(128 + number)
                }
            }
            source.resume()
            return source
        }
    }
}
