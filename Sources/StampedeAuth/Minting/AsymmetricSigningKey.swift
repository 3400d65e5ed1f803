import Crypto
import CryptoExtras
import Foundation
import StampedeContract
import StampedeJSON

/// An RS256 or ES256 private key with its `kid`: mints tokens and publishes
/// the public half as a JWK, so tests (and anyone trying `--jwks`) can make
/// a JWKS file and tokens that match it without OpenSSL.
public struct AsymmetricSigningKey: Sendable {
    public enum Algorithm: String, Sendable { case rs256 = "RS256", es256 = "ES256" }

    private enum Key: Sendable {
        case rsa(_RSA.Signing.PrivateKey)
        case ec(P256.Signing.PrivateKey)
    }

    public let keyID: String
    private let key: Key

    /// A fresh key. RSA generation takes a noticeable fraction of a second; make one per test suite.
    public static func generate(_ algorithm: Algorithm, keyID: String) throws -> AsymmetricSigningKey {
        switch algorithm {
        case .rs256: AsymmetricSigningKey(keyID: keyID, key: .rsa(try _RSA.Signing.PrivateKey(keySize: .bits2048)))
        case .es256: AsymmetricSigningKey(keyID: keyID, key: .ec(P256.Signing.PrivateKey()))
        }
    }

    /// Loads a PEM private key written by `privateKeyPEM` (or OpenSSL).
    public init(pem: String, algorithm: Algorithm, keyID: String) throws {
        self.keyID = keyID
        switch algorithm {
        case .rs256: key = .rsa(try _RSA.Signing.PrivateKey(pemRepresentation: pem))
        case .es256: key = .ec(try P256.Signing.PrivateKey(pemRepresentation: pem))
        }
    }

    private init(keyID: String, key: Key) {
        self.keyID = keyID
        self.key = key
    }

    public var algorithm: Algorithm {
        switch key {
        case .rsa: .rs256
        case .ec: .es256
        }
    }

    public var privateKeyPEM: String {
        switch key {
        case .rsa(let k): k.pemRepresentation
        case .ec(let k): k.pemRepresentation
        }
    }

    /// The public JWK (RFC 7517/7518 §6): `kty`, `kid`, `alg`, `use` and the key numbers.
    public func publicJWK() throws -> JSONValue {
        switch key {
        case .rsa(let k):
            let p = try k.publicKey.getKeyPrimitives()
            return ["kty": "RSA", "kid": .string(keyID), "alg": "RS256", "use": "sig",
                    "n": .string(Base64URL.encode(p.modulus)), "e": .string(Base64URL.encode(p.publicExponent))]
        case .ec(let k):
            let xy = Array(k.publicKey.rawRepresentation)
            return ["kty": "EC", "kid": .string(keyID), "alg": "ES256", "use": "sig", "crv": "P-256",
                    "x": .string(Base64URL.encode(xy[0..<32])), "y": .string(Base64URL.encode(xy[32..<64]))]
        }
    }

    public func mint(_ claims: TokenClaims) throws -> String {
        try signer.compact(claims.json)
    }

    public func mint(user: String, role: Role? = nil, expiresIn: TimeInterval = 3600, audience: String? = nil) throws -> String {
        try mint(TokenMinter.claims(user: user, role: role, expiresIn: expiresIn, audience: audience, now: Date()))
    }

    private var signer: any JWSSigner {
        switch key {
        case .rsa(let k): RS256Signer(key: k, keyID: keyID)
        case .ec(let k): ES256Signer(key: k, keyID: keyID)
        }
    }

    /// `{"keys":[…]}` with the public halves of `keys`.
    public static func jwks(_ keys: [AsymmetricSigningKey]) throws -> JSONValue {
        .object(["keys": .array(try keys.map { try $0.publicJWK() })])
    }

    /// Writes the JWKS document `--jwks FILE` reads.
    public static func writeJWKS(_ keys: [AsymmetricSigningKey], to path: String) throws {
        try Data(try jwks(keys).serializedBytes).write(to: URL(fileURLWithPath: path), options: .atomic)
    }
}
