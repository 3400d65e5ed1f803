import Foundation

/// `auth: { users_file: users.csv }`: the users a run connects as, and optionally their
/// pre-minted tokens, for servers whose tokens Stampede cannot mint (RS256 from an identity
/// provider). A header row names the columns: `user_id` (required) and `token` (optional);
/// `#` lines and blank lines are skipped; fields are comma-separated, optionally "quoted".
enum UsersFile {
    struct Rows: Sendable, Equatable {
        var userIDs: [String]
        /// nil when the file has no `token` column: tokens are minted with the secret.
        var tokens: [String]?
    }

    struct Failure: Error { var message: String }

    static func load(_ path: String, relativeTo scenarioFile: String) throws -> Rows {
        let resolved = path.hasPrefix("/") ? path
            : URL(fileURLWithPath: scenarioFile).deletingLastPathComponent().appendingPathComponent(path).path
        guard let data = FileManager.default.contents(atPath: resolved) else {
            throw Failure(message: "users_file \(resolved): no such file or not readable")
        }
        return try parse(String(decoding: data, as: UTF8.self), name: resolved)
    }

    static func parse(_ text: String, name: String) throws -> Rows {
        var lines = text.split(whereSeparator: \.isNewline).map(String.init)
            .filter { !$0.trimmingCharacters(in: .whitespaces).isEmpty && !$0.hasPrefix("#") }
        guard !lines.isEmpty else { throw Failure(message: "users_file \(name) is empty (it needs a header: user_id[,token])") }
        let header = fields(lines.removeFirst()).map { $0.lowercased() }
        guard let userColumn = header.firstIndex(of: "user_id") else {
            throw Failure(message: "users_file \(name): the header must name a user_id column (got \(header.joined(separator: ",")))")
        }
        let tokenColumn = header.firstIndex(of: "token")
        var users: [String] = [], tokens: [String] = []
        for (i, line) in lines.enumerated() {
            let f = fields(line)
            guard f.count > userColumn, !f[userColumn].isEmpty else { throw Failure(message: "users_file \(name) row \(i + 2): no user_id") }
            users.append(f[userColumn])
            if let t = tokenColumn {
                guard f.count > t, !f[t].isEmpty else { throw Failure(message: "users_file \(name) row \(i + 2): no token") }
                tokens.append(f[t])
            }
        }
        guard !users.isEmpty else { throw Failure(message: "users_file \(name) has a header but no users") }
        return Rows(userIDs: users, tokens: tokenColumn == nil ? nil : tokens)
    }

    static func fields(_ line: String) -> [String] {
        line.split(separator: ",", omittingEmptySubsequences: false).map {
            var s = $0.trimmingCharacters(in: .whitespaces)
            if s.count >= 2, s.hasPrefix("\""), s.hasSuffix("\"") { s = String(s.dropFirst().dropLast()) }
            return s
        }
    }
}
