import SocketIOWire
import StampedeAuth
import StampedeClient
import StampedeContract
import StampedeJSON

/// PROTOCOL §2: where the token travels and every refusal code.
enum AuthChecks {
    static var all: [ConformanceCheck] {
        TokenVariant.allCases.compactMap { variant -> ConformanceCheck? in
            guard let code = variant.expectedFailure else { return nil }
            return ConformanceCheck("auth.refused.\(code.rawValue)\(variant == .missingClaims ? "_missing_sub" : "")") { c in
                if variant == .wrongAudience, c.audience == nil {
                    return .skip("the server checks no audience (pass --audience to probe audience_mismatch)")
                }
                let token = try c.minter.mint(variant, user: "conformance-user", audience: c.audience)
                let payload: JSONValue = token.map { ["token": .string($0)] } ?? [:]
                let reply = try await connectReply(c, auth: payload)
                try expect(reply == "44" + code.connectErrorPayload.serialized, "answered \(reply), want 44\(code.connectErrorPayload.serialized)")
                return .pass
            }
        } + [
            ConformanceCheck("auth.token_from_authorization_header") { c in
                let reply = try await connectReply(c, auth: nil, headers: [("Authorization", "Bearer \(c.token())")])
                try expect(reply.hasPrefix("40{"), "a valid Bearer header was refused: \(reply)")
                return .pass
            },
            ConformanceCheck("auth.token_from_query") { c in
                let reply = try await connectReply(c, auth: nil, query: "&token=\(QueryString.encode(c.token()))")
                try expect(reply.hasPrefix("40{"), "a valid token query parameter was refused: \(reply)")
                return .pass
            },
            ConformanceCheck("auth.connect_payload_wins_over_header") { c in
                let reply = try await connectReply(c, auth: ["token": "not-a-jwt"], headers: [("Authorization", "Bearer \(c.token())")])
                try expect(reply == "44" + AuthFailureCode.tokenMalformed.connectErrorPayload.serialized,
                           "the CONNECT payload must take precedence over the header: answered \(reply)")
                return .pass
            },
            ConformanceCheck("auth.refused.too_many_connections") { c in
                let user = "cap-\(UInt32.random(in: 0...UInt32.max))"
                var sockets: [RawWebSocket] = []
                defer { sockets.forEach { $0.close() } }
                for i in 0..<c.maxConnectionsPerUser {
                    let (ws, reply) = try await c.connectedSocket(auth: ["token": .string(c.token(user))])
                    sockets.append(ws)
                    try expect(reply.hasPrefix("40{"), "socket \(i + 1) of \(c.maxConnectionsPerUser) was refused: \(reply)")
                }
                let extra = try await connectReply(c, auth: ["token": .string(c.token(user))])
                let want = "44" + AuthFailureCode.tooManyConnections.connectErrorPayload.serialized
                try expect(extra == want, "socket \(c.maxConnectionsPerUser + 1) answered \(extra), want \(want)")
                return .pass
            },
        ]
    }

    /// The raw reply to a CONNECT on a fresh WebSocket session.
    static func connectReply(_ c: ProbeContext, auth: JSONValue?, headers: [(String, String)] = [], query: String = "") async throws -> String {
        let (ws, _) = try await c.websocket(headers: headers, extraQuery: query)
        defer { ws.close() }
        ws.send("4" + SocketIOPacket.connect(auth).encoded)
        guard let reply = await ws.next(where: { $0.hasPrefix("40") || $0.hasPrefix("44") }) else {
            throw ProbeFailure("no CONNECT reply")
        }
        return reply
    }
}
