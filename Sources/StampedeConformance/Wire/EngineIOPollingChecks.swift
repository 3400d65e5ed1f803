import SocketIOWire
import StampedeClient
import StampedeJSON

/// SOCKETIO.md, Engine.IO long-polling rules.
enum EngineIOPollingChecks {
    static let all: [ConformanceCheck] = [
        ConformanceCheck("eio.polling.post_answers_ok") { c in
            let open = try await c.pollingHandshake()
            let r = try await c.post(open.sid, "4" + SocketIOPacket.connect(["token": .string(c.token())]).encoded)
            try expect(r.status == 200 && r.text == "ok", "POST answered \(r.status) \(r.text.prefix(40).debugDescription), want 200 ok")
            try expect(r.header("content-type")?.lowercased().hasPrefix("text/html") == true,
                       "POST Content-Type \(r.header("content-type") ?? "none"), want text/html")
            let g = try await c.poll(open.sid)
            try expect(g.text.hasPrefix("40{"), "GET after CONNECT answered \(g.text.prefix(80).debugDescription)")
            _ = try? await c.post(open.sid, "1")
            return .pass
        },
        ConformanceCheck("eio.polling.payload_over_max_is_413") { c in
            let open = try await c.pollingHandshake()
            let big = "4" + String(repeating: "x", count: open.maxPayload + 16)
            let r = try await c.post(open.sid, big)
            try expect(r.status == 413, "a \(big.utf8.count)-byte POST (maxPayload \(open.maxPayload)) answered \(r.status)")
            return .pass
        },
        ConformanceCheck("eio.polling.concurrent_get_closes_session") { c in
            let open = try await c.pollingHandshake()
            async let first = c.poll(open.sid)
            try await Task.sleep(for: .milliseconds(150))
            let second = try await c.poll(open.sid)
            let firstBody = try await first
            try expect(second.status == 400, "second concurrent GET answered \(second.status), want 400")
            try expect(firstBody.text == "1", "pending GET answered \(firstBody.text.prefix(40).debugDescription), want close packet 1")
            return .pass
        },
        ConformanceCheck("eio.polling.close_packet_ends_session") { c in
            let open = try await c.pollingHandshake()
            async let pending = c.poll(open.sid)
            try await Task.sleep(for: .milliseconds(150))
            _ = try await c.post(open.sid, "1")
            let answered = try await pending
            try expect(answered.text == "6", "pending GET answered \(answered.text.prefix(40).debugDescription), want noop 6")
            let after = try await c.poll(open.sid)
            try expect(after.status == 400, "GET after close answered \(after.status), want 400")
            return .pass
        },
        ConformanceCheck("eio.polling.unparsable_payload_closes") { c in
            let open = try await c.pollingHandshake()
            _ = try await c.post(open.sid, "abc")
            try await Task.sleep(for: .milliseconds(50))
            let after = try await c.poll(open.sid)
            try expect(after.status == 400, "GET after an unparsable POST answered \(after.status) \(after.text.prefix(40).debugDescription), want 400")
            return .pass
        },
    ]
}
