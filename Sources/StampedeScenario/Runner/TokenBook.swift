import Foundation
import StampedeAuth
import StampedeContract

/// Tokens minted once before the run (HS256 is fast, but not on the connect hot path):
/// one valid token per virtual user, a service token for publishing, and bad variants on demand.
final class TokenBook: Sendable {
    let valid: [String]
    let service: String
    let admin: String
    let minter: TokenMinter
    let auth: AuthSpec

    init(auth: AuthSpec, secret: String) throws {
        let minter = TokenMinter(secret: secret)
        self.minter = minter
        self.auth = auth
        // Pre-minted tokens (users_file, service_token, admin_token) are used as given.
        valid = try auth.tokens ?? (0..<auth.users).map {
            try minter.mint(user: auth.userID($0), role: nil, expiresIn: auth.expiresInSeconds, audience: auth.audience)
        }
        service = try auth.serviceToken
            ?? minter.mint(user: "stampede-publisher", role: .service, expiresIn: auth.expiresInSeconds, audience: auth.audience)
        admin = try auth.adminToken
            ?? minter.mint(user: "stampede-admin", role: .admin, expiresIn: auth.expiresInSeconds, audience: auth.audience)
    }

    /// The token a client presents; nil = present none.
    func token(_ choice: TokenChoice, userIndex: Int) -> String? {
        let user = auth.userID(userIndex)
        switch choice {
        case .valid: return valid[userIndex]
        case .service: return service
        case .expired: return try? minter.mint(.expired, user: user, audience: auth.audience)
        case .notYetValid: return try? minter.mint(.notYetValid, user: user, audience: auth.audience)
        case .badSignature: return try? minter.mint(.badSignature, user: user, audience: auth.audience)
        case .malformed: return "not-a-jwt"
        case .missing: return nil
        case .wrongAudience: return try? minter.mint(.wrongAudience, user: user, audience: auth.audience)
        }
    }
}
