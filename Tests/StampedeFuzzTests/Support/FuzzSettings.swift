import Foundation

/// The knobs of a fuzz run, from the environment so CI can run a longer
/// one than `swift test` without another build. Every run is reproducible
/// from (seed, inputs); a failure message names both.
struct FuzzSettings: Sendable {
    /// Mutated inputs for the codec test (after the corpus has been fed verbatim).
    var inputs: Int
    /// Mutated inputs for the live-server test (each is a network round
    /// trip, so CI runs fewer of them than of the codec's).
    var liveInputs: Int
    var seed: UInt64
    /// `http://HOST:PORT` of an external `stampede serve` to attack instead
    /// of the embedded server (e.g. an older build, to show what it broke on).
    var externalURL: String?
    /// The external server's HS256 secret.
    var jwtSecret: String

    static let defaultInputs = 2_000
    static let defaultSeed: UInt64 = 0x5EED_8

    static func fromEnvironment() -> FuzzSettings {
        let env = ProcessInfo.processInfo.environment
        let inputs = env["STAMPEDE_FUZZ_INPUTS"].flatMap { Int($0) } ?? defaultInputs
        return FuzzSettings(
            inputs: inputs,
            liveInputs: env["STAMPEDE_FUZZ_LIVE_INPUTS"].flatMap { Int($0) } ?? inputs,
            seed: env["STAMPEDE_FUZZ_SEED"].flatMap { UInt64($0) } ?? defaultSeed,
            externalURL: env["STAMPEDE_FUZZ_URL"].flatMap { $0.isEmpty ? nil : $0 },
            jwtSecret: env["STAMPEDE_FUZZ_JWT_SECRET"] ?? "dev-secret")
    }

    var reproduction: String {
        "STAMPEDE_FUZZ_SEED=\(seed) STAMPEDE_FUZZ_INPUTS=\(inputs) STAMPEDE_FUZZ_LIVE_INPUTS=\(liveInputs)"
    }
}
