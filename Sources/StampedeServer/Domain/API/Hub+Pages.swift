import StampedeAuth
import StampedePages

/// The task-cards page at `/` and its files at `/assets/…` (StampedePages).
/// The page is the same for everyone; only while the server runs with the
/// default development secret does it carry a ready-made token, so a
/// person can try it without minting one.
extension Hub {
    static let developmentSecret = "dev-secret"
    static let developmentUser = "dev"

    func servePage(_ path: String) -> APIResponse {
        let asset: PageAsset?
        let cache: String
        if path == "index.html" {
            asset = PageAssets.cardsPage(devToken: developmentToken(), enginePath: settings.enginePath)
            cache = "no-store"
        } else {
            asset = PageAssets.asset(path)
            cache = "no-cache"
        }
        guard let asset else { return APIError.response(404, "not_found", "no page /assets/\(path)") }
        return APIResponse(status: 200, headers: [
            ("Content-Type", asset.contentType),
            ("Cache-Control", cache),
            ("X-Content-Type-Options", "nosniff"),
            ("Content-Security-Policy", "default-src 'self'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'"),
        ], body: asset.bytes)
    }

    /// A user token for `dev`, valid 12 h, only under the default secret.
    private func developmentToken() -> String? {
        guard settings.verifier.secret == Self.developmentSecret else { return nil }
        return try? TokenMinter(secret: Self.developmentSecret).mint(user: Self.developmentUser, expiresIn: 12 * 3600,
                                                                      audience: settings.verifier.audience)
    }
}
