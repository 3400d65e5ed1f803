import SocketIOWire
import StampedeClient
import StampedeJSON

/// SOCKETIO.md, Socket.IO v5: namespaces, packet rules, acks, disconnect.
enum SocketIOChecks {
    static let all: [ConformanceCheck] = [
        ConformanceCheck("sio.connect.reply_has_fresh_sid") { c in
            let (ws, open) = try await c.websocket()
            defer { ws.close() }
            ws.send("40" + (["token": .string(c.token())] as JSONValue).serialized)
            let reply = await ws.next(where: { $0.hasPrefix("4") && !$0.hasPrefix("42") })
            guard let reply, reply.hasPrefix("40") else { throw ProbeFailure("CONNECT answered \(reply ?? "nothing")") }
            let p = try SocketIOPacket.decode(String(reply.dropFirst()))
            let sid = p.data?["sid"]?.stringValue
            try expect(sid != nil && sid != open?.sid, "CONNECT reply \(reply): sid must exist and differ from the Engine.IO sid")
            return .pass
        },
        ConformanceCheck("sio.connect.invalid_namespace_keeps_connection") { c in
            let (ws, _) = try await c.websocket()
            defer { ws.close() }
            ws.send("40/no-such-namespace," + (["token": .string(c.token())] as JSONValue).serialized)
            let reply = await ws.next(where: { $0.hasPrefix("44") || $0.hasPrefix("40") })
            try expect(reply == #"44/no-such-namespace,{"message":"Invalid namespace"}"#, "answered \(reply ?? "nothing")")
            ws.send("40" + (["token": .string(c.token())] as JSONValue).serialized)
            let ok = await ws.next(where: { $0.hasPrefix("40") || $0.hasPrefix("44") })
            try expect(ok?.hasPrefix("40{") == true, "the connection did not stay usable after Invalid namespace: \(ok ?? "closed")")
            return .pass
        },
        closesCheck("sio.first_packet_must_be_connect", connect: false, send: [#"42["subscribe",{"workflow_id":"x"}]"#]),
        closesCheck("sio.second_connect_closes", connect: true, send: ["40"]),
        closesCheck("sio.packet_for_unjoined_namespace_closes", connect: true, send: [#"42/other,["x"]"#]),
        closesCheck("sio.malformed_event_closes", connect: true, send: [#"42{"not":"an array"}"#]),
        closesCheck("sio.broken_json_closes", connect: true, send: [#"42["unterminated"#]),
        closesCheck("sio.reserved_event_name_closes", connect: true, send: [#"42["disconnect"]"#]),
        ConformanceCheck("sio.ack_answers_once_with_same_id") { c in
            let (ws, _) = try await c.connectedSocket()
            defer { ws.close() }
            ws.send(#"4217["no_such_event",{}]"#)
            let ack = await ws.next(where: { $0.hasPrefix("43") })
            try expect(ack == #"4317[{"ok":false,"error":{"code":"unknown_event"}}]"#, "answered \(ack ?? "nothing")")
            let again = await ws.next(within: .milliseconds(300), where: { $0.hasPrefix("43") })
            try expect(again == nil, "ack sent twice")
            return .pass
        },
        ConformanceCheck("sio.binary_event_with_ack_is_acked") { c in
            let (ws, _) = try await c.connectedSocket()
            defer { ws.close() }
            ws.send(#"451-9["upload",{"_placeholder":true,"num":0}]"#)
            ws.send(binary: [1, 2, 3])
            let ack = await ws.next(where: { $0.hasPrefix("43") })
            try expect(ack?.hasPrefix("439[") == true, "a binary event with ack id 9 answered \(ack ?? "nothing")")
            return .pass
        },
        ConformanceCheck("sio.disconnect_keeps_engine_session") { c in
            let (ws, _) = try await c.connectedSocket()
            defer { ws.close() }
            ws.send("41")
            try await Task.sleep(for: .milliseconds(100))
            try expect(ws.isOpen, "the Engine.IO session closed after a Socket.IO DISCONNECT")
            ws.send("40" + (["token": .string(c.token())] as JSONValue).serialized)
            let again = await ws.next(where: { $0.hasPrefix("40") || $0.hasPrefix("44") })
            try expect(again?.hasPrefix("40{") == true, "reconnecting the namespace answered \(again ?? "nothing")")
            return .pass
        },
        ConformanceCheck("sio.connect_timeout_closes") { c in
            guard let timeout = c.connectTimeoutMs, timeout <= 10_000 else {
                return .skip("the connect timeout (45 s by default) is too long to wait for; pass --connect-timeout-ms when the server uses a short one")
            }
            let (ws, _) = try await c.websocket()
            defer { ws.close() }
            // Answer pings so only the connect timeout can close it.
            let deadline = ContinuousClock.now + .milliseconds(timeout * 2 + 1000)
            while ContinuousClock.now < deadline {
                guard let f = await ws.next(within: .milliseconds(200)) else { continue }
                if f == .text("2") { ws.send("3") }
                if case .close = f { return .pass }
            }
            throw ProbeFailure("no namespace joined, yet the session was still open after \(timeout * 2 + 1000) ms")
        },
    ]

    /// Sends packets that break a rule and expects the connection to close.
    static func closesCheck(_ name: String, connect: Bool, send packets: [String]) -> ConformanceCheck {
        ConformanceCheck(name) { c in
            let ws: RawWebSocket
            if connect { ws = try await c.connectedSocket().0 } else { ws = try await c.websocket().0 }
            defer { ws.close() }
            for p in packets { ws.send("4" + p) }
            try expect(await ws.closes(within: .seconds(3)), "sent \(packets.joined(separator: " ")) and the connection stayed open")
            return .pass
        }
    }
}
