import Foundation
import NIOCore
import SocketIOWire
import StampedeConformance
import StampedeJSON
@testable import StampedeServer

/// A small domain for the protocol-layer tests: it accepts or refuses
/// CONNECTs on request, echoes acks, floods or kicks a socket on command,
/// and records every call the transport makes.
final class TransportTestDomain: SocketDomain, APIHandler, @unchecked Sendable {
    final class Socket: DomainSocket, @unchecked Sendable {
        let sid: String
        let output: SocketOutput
        let request: ConnectRequest
        init(sid: String, output: SocketOutput, request: ConnectRequest) {
            self.sid = sid
            self.output = output
            self.request = request
        }
    }

    struct Event: Sendable {
        var sid: String
        var name: String
        var arguments: [JSONValue]
        var ackID: UInt64?
    }

    let connects = AsyncInbox<ConnectRequest>()
    let events = AsyncInbox<Event>()
    let ended = AsyncInbox<(sid: String, reason: SocketEndReason)>()
    let upgrades = AsyncInbox<String>()
    private let lock = NSLock()
    private var counter = 0

    func connect(_ request: ConnectRequest, output: SocketOutput) -> EventLoopFuture<ConnectDecision> {
        connects.push(request)
        if let deny = request.auth?["deny"]?.stringValue {
            return output.eventLoop.makeSucceededFuture(.refuse(["message": "unauthorized", "data": ["code": .string(deny)]]))
        }
        lock.lock(); counter += 1; let n = counter; lock.unlock()
        let sid = "socket-\(n)"
        let pid: String? = request.auth?["nopid"] == .bool(true) ? nil : "pid-\(n)"
        return output.eventLoop.makeSucceededFuture(.accept(Socket(sid: sid, output: output, request: request), on: output.eventLoop, sid: sid, pid: pid))
    }

    func event(_ socket: DomainSocket, name: String, arguments: [JSONValue], ackID: UInt64?) {
        let s = socket as! Socket
        events.push(Event(sid: s.sid, name: name, arguments: arguments, ackID: ackID))
        switch name {
        case "echo":
            if let ackID { s.output.send(.ack(ackID, arguments)) }
        case "flood":
            // args: count, size — pre-framed frames, one flush, as the fan-out does.
            let count = Int(arguments.first?.intValue ?? 1), size = Int(arguments.dropFirst().first?.intValue ?? 100)
            let frame = WebSocketFraming.serverTextFrame(SocketIOPacket.event("news", [.string(String(repeating: "x", count: size))]).engineIOPacket.textFrame)
            for _ in 0..<count { s.output.write(frame: frame) }
            s.output.flush()
        case "kick":
            s.output.disconnect(.rateLimitAbuse)
        default:
            if let ackID { s.output.send(.ack(ackID, [["error": ["code": "unknown_event"]]])) }
        }
    }

    func transportUpgraded(_ socket: DomainSocket) { upgrades.push((socket as! Socket).sid) }

    func socketEnded(_ socket: DomainSocket, reason: SocketEndReason) {
        ended.push((sid: (socket as! Socket).sid, reason: reason))
    }

    func handle(_ request: APIRequest) async -> APIResponse {
        .json(200, ["method": .string(request.method), "path": .string(request.path),
                    "bodyBytes": .int(Int64(request.body.count)), "q": .string(request.query["q"] ?? "")])
    }
}
