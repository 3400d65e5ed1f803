import Crypto
import CryptoExtras
import Foundation
import StampedeJSON

/// Signs the JWS signing input synchronously with swift-crypto: the load
/// generator mints thousands of tokens, and jwt-kit's signing path is an
/// actor hop per token.
protocol JWSSigner: Sendable {
    var algorithm: String { get }
    var keyID: String? { get }
    func signature(for signingInput: [UInt8]) throws -> [UInt8]
}

extension JWSSigner {
    /// `base64url(header).base64url(claims).base64url(signature)`; the
    /// header carries `alg`, `typ` and `kid` when the key has one.
    func compact(_ claims: JSONObject) throws -> String {
        var header: JSONObject = ["alg": .string(algorithm), "typ": "JWT"]
        if let keyID { header["kid"] = .string(keyID) }
        let input = Base64URL.encode(JSONValue.object(header).serializedBytes) + "."
            + Base64URL.encode(JSONValue.object(claims).serializedBytes)
        let inputBytes = Array(input.utf8)
        return input + "." + Base64URL.encode(try signature(for: inputBytes))
    }
}

struct HS256Signer: JWSSigner {
    let key: SymmetricKey
    var algorithm: String { "HS256" }
    var keyID: String? { nil }
    func signature(for signingInput: [UInt8]) -> [UInt8] {
        Array(HMAC<SHA256>.authenticationCode(for: signingInput, using: key))
    }
}

struct RS256Signer: JWSSigner {
    let key: _RSA.Signing.PrivateKey
    let keyID: String?
    var algorithm: String { "RS256" }
    func signature(for signingInput: [UInt8]) throws -> [UInt8] {
        let digest = SHA256.hash(data: signingInput)
        return Array(try key.signature(for: digest, padding: .insecurePKCS1v1_5).rawRepresentation)
    }
}

struct ES256Signer: JWSSigner {
    let key: P256.Signing.PrivateKey
    let keyID: String?
    var algorithm: String { "ES256" }
    /// JWS wants the raw 64-byte `r‖s`, not DER (RFC 7518 §3.4).
    func signature(for signingInput: [UInt8]) throws -> [UInt8] {
        Array(try key.signature(for: signingInput).rawRepresentation)
    }
}
