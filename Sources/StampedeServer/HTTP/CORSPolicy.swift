import NIOHTTP1

/// Which browser origins may use the server from another page (PROTOCOL
/// says nothing; the reference server's `cors` option is the model). With
/// no origins configured the server sends no CORS headers at all, which is
/// what browsers read as same-origin only.
struct CORSPolicy: Sendable {
    let origins: Set<String>
    let anyOrigin: Bool
    let credentials: Bool
    static let maxAge = 600

    init(origins: [String], credentials: Bool) {
        let trimmed = origins.map { $0.hasSuffix("/") ? String($0.dropLast()) : $0 }
        self.anyOrigin = trimmed.contains("*")
        self.origins = Set(trimmed.filter { $0 != "*" })
        self.credentials = credentials
    }

    var isEnabled: Bool { anyOrigin || !origins.isEmpty }

    enum Verdict: Equatable {
        /// No `Origin` header (not a cross-origin browser request) or CORS off.
        case notApplicable
        case allowed(origin: String)
        case refused(origin: String)
    }

    func judge(_ headers: HTTPHeaders) -> Verdict {
        guard isEnabled, let origin = headers.first(name: "origin") else { return .notApplicable }
        return anyOrigin || origins.contains(origin) ? .allowed(origin: origin) : .refused(origin: origin)
    }

    /// The headers every response to an allowed origin carries.
    func responseHeaders(for verdict: Verdict) -> [(String, String)] {
        guard case .allowed(let origin) = verdict else { return [] }
        var h: [(String, String)] = []
        if anyOrigin && !credentials {
            h.append(("Access-Control-Allow-Origin", "*"))
        } else {
            h.append(("Access-Control-Allow-Origin", origin))
            h.append(("Vary", "Origin"))
        }
        if credentials { h.append(("Access-Control-Allow-Credentials", "true")) }
        return h
    }

    /// A preflight's extra headers (on top of `responseHeaders`).
    func preflightHeaders(for verdict: Verdict) -> [(String, String)] {
        responseHeaders(for: verdict) + [
            ("Access-Control-Allow-Methods", "GET, POST, OPTIONS"),
            ("Access-Control-Allow-Headers", "Authorization, Content-Type"),
            ("Access-Control-Max-Age", String(Self.maxAge)),
        ]
    }

    static func isPreflight(_ head: HTTPRequestHead) -> Bool {
        head.method == .OPTIONS && head.headers.contains(name: "access-control-request-method")
    }
}
