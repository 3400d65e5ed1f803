import Foundation
import StampedeScenario
import UnixSignals

/// `stampede run`'s SIGINT/SIGTERM policy (issue 15, item 3): the first signal asks the runner to
/// stop the load, drain and write every report marked `interrupted` (exit 4); a second one aborts
/// at once with 128 + the signal number, writing nothing more. The signals come from
/// swift-service-lifecycle's `UnixSignalsSequence`, which owns the handler installation.
enum SignalTrap {
    /// Cancel the returned task when the policy should no longer hold.
    static func install(_ interruption: RunInterruption) async -> Task<Void, Never> {
        let signals = await UnixSignalsSequence(trapping: .sigint, .sigterm)
        return Task {
            for await signal in signals {
                let name = signal.description.uppercased()
                if interruption.interrupt(by: name) {
                    FileHandle.standardError.write(Data(
                        "\n\(name): stopping the load, draining, writing the reports (send it again to abort at once)\n".utf8))
                } else {
                    FileHandle.standardError.write(Data("\n\(name) again: aborted, no report written\n".utf8))
                    exit(128 + signal.rawValue)
                }
            }
        }
    }
}
