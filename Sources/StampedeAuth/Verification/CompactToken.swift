import StampedeContract
import StampedeJSON

/// A JWS compact token split and decoded *before* any key is consulted, so
/// that a token which is not even a JWT is reported as `token_malformed`
/// rather than as a signature failure.
struct CompactToken {
    var header: JSONObject
    var payload: JSONObject
    var algorithm: String
    var keyID: String?
    /// `header.payload` as sent: what the signature covers.
    var signingInput: Substring
    var signature: [UInt8]

    /// The JWKS algorithms PROTOCOL §2 names; with HS256 the only ones whose
    /// signature we accept (`none` above all is refused).
    static let asymmetricAlgorithms: Set<String> = ["RS256", "ES256"]

    static func decode(_ token: String) -> Result<CompactToken, AuthFailureCode> {
        // Split over bytes: `split` on `Character`s was half a CONNECT's token check (§19).
        let u = token.utf8
        guard let dot1 = u.firstIndex(of: UInt8(ascii: ".")),
              let dot2 = u[u.index(after: dot1)...].firstIndex(of: UInt8(ascii: ".")),
              !u[u.index(after: dot2)...].contains(UInt8(ascii: "."))
        else { return .failure(.tokenMalformed) }
        let headerPart = token[..<dot1], payloadPart = token[u.index(after: dot1)..<dot2]
        guard !headerPart.isEmpty, !payloadPart.isEmpty,
              let headerBytes = Base64URL.decode(headerPart), let payloadBytes = Base64URL.decode(payloadPart),
              let signature = Base64URL.decode(token[u.index(after: dot2)...]),
              case .object(let header)? = try? JSONParser.parse(headerBytes),
              case .object(let payload)? = try? JSONParser.parse(payloadBytes),
              case .string(let alg)? = header["alg"]
        else { return .failure(.tokenMalformed) }
        var kid: String?
        switch header["kid"] {
        case nil: break
        case .string(let k)?: kid = k
        default: return .failure(.tokenMalformed)
        }
        let signingInput = token[..<dot2]
        return .success(CompactToken(header: header, payload: payload, algorithm: alg, keyID: kid,
                                     signingInput: signingInput, signature: signature))
    }
}
