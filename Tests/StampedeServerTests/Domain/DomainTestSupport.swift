import NIOConcurrencyHelpers
import NIOCore
import NIOPosix
import SocketIOWire
import StampedeAuth
import StampedeContract
import StampedeJSON
import Foundation
import Testing

@testable import StampedeServer

/// A transport stand-in that records what the domain writes to one socket,
/// on a real event loop, so domain rules are tested without sockets (the
/// transport has its own integration tests).
final class RecordingOutput: SocketOutput, @unchecked Sendable {
    let eventLoop: EventLoop
    private let state = NIOLockedValueBox<(events: [(name: String, arg: JSONValue, offset: String?)], packets: [SocketIOPacket], disconnects: [ServerDisconnectCause], flushes: Int)>(([], [], [], 0))

    init(eventLoop: EventLoop) { self.eventLoop = eventLoop }

    func write(frame: ByteBuffer) {
        eventLoop.preconditionInEventLoop()
        var payload = WebSocketFraming.payload(ofServerFrame: frame)
        let text = payload.readString(length: payload.readableBytes)!
        let packet = try! SocketIOPacket.decode(String(text.dropFirst()))
        let args = packet.eventArguments
        state.withLockedValue {
            $0.events.append((packet.eventName!, args[0], args.count > 1 ? args[1].stringValue : nil))
        }
    }

    func flush() { state.withLockedValue { $0.flushes += 1 } }
    func send(_ packet: SocketIOPacket) { state.withLockedValue { $0.packets.append(packet) } }
    func disconnect(_ cause: ServerDisconnectCause) { state.withLockedValue { $0.disconnects.append(cause) } }

    var events: [(name: String, arg: JSONValue, offset: String?)] { state.withLockedValue { $0.events } }
    var seqs: [Int64] { events.compactMap { $0.arg["seq"]?.intValue } }
    var packets: [SocketIOPacket] { state.withLockedValue { $0.packets } }
    var acks: [UInt64: JSONValue] {
        Dictionary(packets.filter { $0.type == .ack }.map { ($0.ackID!, $0.data![0]!) }, uniquingKeysWith: { a, _ in a })
    }
    var errorEvents: [JSONValue] { packets.filter { $0.eventName == "error" }.map { $0.eventArguments[0] } }
    var disconnects: [ServerDisconnectCause] { state.withLockedValue { $0.disconnects } }
    var flushes: Int { state.withLockedValue { $0.flushes } }
}

/// An accepted socket's handle as a test holds it: bound to the socket's
/// loop, opened inside that loop's tasks only.
typealias BoundSocket = NIOLoopBound<any DomainSocket>

/// A hub on a real two-loop group with tokens minted from its secret.
final class DomainHarness: @unchecked Sendable {
    let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
    let hub: Hub
    let minter = TokenMinter(secret: "test-secret")
    private var nextAck: UInt64 = 1

    init(_ tweak: (inout ServerConfiguration) -> Void = { _ in }) throws {
        var c = ServerConfiguration()
        c.jwtSecret = "test-secret"
        c.stepDelayMs = 0
        tweak(&c)
        hub = try Hub(settings: HubSettings(c), eventLoopGroup: group)
    }

    deinit {
        hub.stop()
        // The last reference may drop on one of the group's own loops.
        group.shutdownGracefully { _ in }
    }

    func token(_ user: String, role: Role? = nil) -> String { try! minter.mint(user: user, role: role) }

    /// Connects a socket for `user` on loop `loopIndex`; returns its output and handle.
    func connect(_ user: String, role: Role? = nil, loop loopIndex: Int = 0, auth extra: JSONObject = [:],
                 transport: EngineIOTransport = .websocket) async throws -> (RecordingOutput, BoundSocket?, ConnectDecision) {
        let loops = Array(group.makeIterator())
        let output = RecordingOutput(eventLoop: loops[loopIndex % loops.count])
        var auth: JSONObject = ["token": .string(token(user, role: role))]
        for (k, v) in extra.entries { auth[k] = v }
        let decision = try await hub.connect(ConnectRequest(auth: .object(auth), headers: [:], query: [:], transport: transport,
                                                            remoteAddress: nil), output: output).get()
        if case .accept(let socket, _, _) = decision { return (output, socket, decision) }
        return (output, nil, decision)
    }

    /// Sends a client EVENT with an ack id on the socket's loop and waits for the ack.
    func request(_ output: RecordingOutput, _ socket: BoundSocket, _ name: String, _ arg: JSONValue) async throws -> JSONValue {
        let id = nextAck
        nextAck += 1
        try await output.eventLoop.submit { self.hub.event(socket.value, name: name, arguments: [arg], ackID: id) }.get()
        return output.acks[id] ?? .null
    }

    func emitWithoutAck(_ output: RecordingOutput, _ socket: BoundSocket, _ name: String, _ arg: JSONValue) async throws {
        try await output.eventLoop.submit { self.hub.event(socket.value, name: name, arguments: [arg], ackID: nil) }.get()
    }

    func end(_ output: RecordingOutput, _ socket: BoundSocket, _ reason: SocketEndReason) async throws {
        try await output.eventLoop.submit { self.hub.socketEnded(socket.value, reason: reason) }.get()
    }

    func api(_ method: String, _ path: String, token: String?, body: JSONValue? = nil) async -> (Int, JSONValue) {
        var headers: [String: String] = [:]
        if let token { headers["authorization"] = "Bearer \(token)" }
        let r = await hub.handle(APIRequest(method: method, path: path, query: [:], headers: headers, body: body?.serializedBytes ?? []))
        return (r.status, (try? JSONParser.parse(r.wholeBody)) ?? .null)
    }

    func createExternal(owner: String) async -> String {
        let (status, card) = await api("POST", "/api/v1/workflows", token: token(owner), body: ["type": "external"])
        precondition(status == 202, "create failed: \(status) \(card)")
        return card["workflow_id"]!.stringValue!
    }

    @discardableResult
    func publish(_ id: String, _ events: [JSONValue]) async -> (Int, JSONValue) {
        await api("POST", "/api/v1/workflows/\(id)/events", token: token("publisher", role: .service), body: .array(events))
    }

    /// Waits (bounded) until the loops have run everything queued before now.
    func drain() async throws {
        for loop in group.makeIterator() { try await loop.submit {}.get() }
        for loop in group.makeIterator() { try await loop.submit {}.get() }
    }

    static func node(_ i: Int) -> JSONValue { ["type": "node_update", "node": .string("n\(i)"), "status": "executing"] }
}
