import Foundation
import JWTKit
import StampedeJSON

/// Why a verifier could not be set up. Thrown at startup, never per token:
/// a server with a broken key file must refuse to start, not refuse everyone.
public struct TokenVerifierSetupError: Error, Sendable, CustomStringConvertible {
    public var description: String
    init(_ description: String) { self.description = description }
}

/// Reads a `--jwks FILE` document synchronously, so that a missing file or
/// a key the contract cannot use fails `TokenVerifier.init` immediately.
enum JWKSFile {
    static func load(_ path: String) throws -> JWKS {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw TokenVerifierSetupError("cannot read JWKS file \(path): \(error.localizedDescription)")
        }
        let jwks: JWKS
        do {
            jwks = try JSONValueDecoder().decode(JWKS.self, from: data)
        } catch {
            throw TokenVerifierSetupError("JWKS file \(path) is not a JWKS document: \(error)")
        }
        for (i, key) in jwks.keys.enumerated() {
            guard key.keyIdentifier != nil else {
                throw TokenVerifierSetupError("JWKS key #\(i) in \(path) has no \"kid\"; keys are chosen by kid")
            }
            guard key.keyType == .rsa || key.keyType == .ecdsa else {
                throw TokenVerifierSetupError("JWKS key #\(i) in \(path) is \(key.keyType.rawValue); only RSA and EC keys are used")
            }
        }
        return jwks
    }
}
