import Foundation
import StampedeClient
import StampedeJSON

/// Before any client starts: is the target there, and does it speak Engine.IO v4? A web server
/// that answers 404 or an HTML 501 is "not a Socket.IO server", not "unreachable", and not a
/// pile of connect errors (issue 15, item 2). Both end the run with exit 3.
public enum TargetProbe {
    public enum Verdict: Sendable, Equatable {
        case socketIO(sid: String)
        case unreachable(String)
        case notSocketIO(String)
        /// It speaks Engine.IO but `GET /health` (PROTOCOL §7) did not answer 200.
        case unhealthy(String)

        /// The one sentence the CLI prints; nil when the target is fine.
        public var problem: String? {
            switch self {
            case .socketIO: nil
            case .unreachable(let s): "unreachable (\(s))"
            case .notSocketIO(let s): "not a Socket.IO server (\(s))"
            case .unhealthy(let s): "not healthy (\(s))"
            }
        }
    }

    static let handshakePath = "/socket.io/?EIO=4&transport=polling"

    public static func probe(_ http: HTTPClient) async -> Verdict {
        let answer: HTTPResponse
        do { answer = try await http.request("GET", handshakePath) } catch {
            return .unreachable("GET \(handshakePath) failed: \(error)")
        }
        guard let sid = sid(inHandshake: answer) else {
            return .notSocketIO("GET \(handshakePath) answered \(describe(answer)); an Engine.IO v4 server answers 200 with an open packet 0{\"sid\":…}")
        }
        // Close the probe's session at once rather than leave it to the ping timeout.
        _ = try? await http.request("POST", "\(handshakePath)&sid=\(sid)", body: Array("1".utf8))
        do {
            let health = try await http.request("GET", "/health")
            guard health.status == 200 else { return .unhealthy("GET /health answered \(describe(health))") }
        } catch {
            return .unhealthy("GET /health failed: \(error)")
        }
        return .socketIO(sid: sid)
    }

    /// The sid of an Engine.IO v4 open packet (`0{"sid":…,"pingInterval":…}`), else nil.
    static func sid(inHandshake r: HTTPResponse) -> String? {
        guard r.status == 200, r.body.first == UInt8(ascii: "0"),
              let open = try? JSONParser.parse(Array(r.body.dropFirst())),
              open["pingInterval"] != nil, let sid = open["sid"]?.stringValue, !sid.isEmpty else { return nil }
        return sid
    }

    /// `404 text/html "<html>…"`: status, type and the start of the body on one line, no markup dump.
    static func describe(_ r: HTTPResponse) -> String {
        var out = "\(r.status)"
        if let type = r.header("Content-Type") { out += " \(type.split(separator: ";").first.map(String.init) ?? type)" }
        let text = r.text.replacingOccurrences(of: "<[^>]*>", with: " ", options: .regularExpression)
            .split(whereSeparator: \.isWhitespace).joined(separator: " ")
        if !text.isEmpty { out += " \"\(text.count > 80 ? String(text.prefix(80)) + "…" : text)\"" }
        return out
    }
}
