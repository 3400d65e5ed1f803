import Foundation
import StampedeAuth
import StampedeContract
import StampedeJSON

/// A fixed clock: leeway edges are tested to the second without sleeping.
let fixedNow = Date(timeIntervalSince1970: 1_800_000_000)
/// 32+ bytes: jwt-kit (used in one cross-check) asserts that length in debug builds.
let testSecret = "test-secret-for-stampede-contract-tests"

func verifier(secret: String = testSecret, jwks: String? = nil, audience: String? = nil, leeway: Double = 5,
              now: Date = fixedNow) throws -> TokenVerifier {
    try TokenVerifier(.init(secret: secret, jwksFile: jwks, audience: audience, leewaySeconds: leeway), now: { now })
}

/// Claims that pass every rule at `fixedNow`; tests change one thing at a time.
func goodClaims(user: String = "u1", role: Role? = nil) -> TokenClaims {
    TokenClaims(sub: user, role: role, exp: fixedNow.addingTimeInterval(3600), iat: fixedNow)
}

func base64url(_ s: String) -> String {
    Data(s.utf8).base64EncodedString().replacingOccurrences(of: "+", with: "-")
        .replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
}

/// A scratch directory per test, removed by the caller.
func temporaryDirectory() throws -> URL {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("stampede-auth-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
    return dir
}
