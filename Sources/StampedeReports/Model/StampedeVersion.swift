/// The one place the release number lives: `stampede --version`, every report's
/// `environment.stampede_version` and the JUnit properties read it.
public enum StampedeVersion {
    public static let number = "0.1.0"

    /// `0.1.0 (commit 0123abcd)` when the checkout or CI names a commit, else the number.
    public static var long: String {
        GitCommit.detect().map { "\(number) (commit \($0.prefix(12)))" } ?? number
    }
}
