import ArgumentParser
import StampedeTarget

/// The options every command that drives a server shares (`run`, `conformance`): where it
/// is and the secret its tokens are minted with. Resolution is `RunTarget`'s, in the library.
struct TargetOptions: ParsableArguments {
    @Option(name: .customLong("target"),
            help: "Server base URL (http(s)://host:port); repeat it or give a comma-separated list for the nodes of a cluster (clients and publishers are spread over them). Default: the scenario's target, else an embedded server.")
    var targets: [String] = []
    @Option(name: .customLong("jwt-secret"), help: "HS256 secret for minting tokens (default: $STAMPEDE_JWT_SECRET or dev-secret).")
    var jwtSecret: String?

    var urls: [String] { RunTarget.urls(targets) }
    var secret: String { RunTarget.secret(flag: jwtSecret) }

    func validate() throws {
        for url in urls where !(url.hasPrefix("http://") || url.hasPrefix("https://")) {
            throw ValidationError("--target must be an http(s)://host:port URL, got '\(url)'")
        }
    }
}
