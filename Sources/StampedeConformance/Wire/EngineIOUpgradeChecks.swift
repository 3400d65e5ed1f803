import SocketIOWire
import StampedeClient
import StampedeJSON

/// SOCKETIO.md: the polling → WebSocket upgrade and the WebSocket rules.
enum EngineIOUpgradeChecks {
    static let all: [ConformanceCheck] = [
        ConformanceCheck("eio.upgrade.probe_noop_and_switch") { c in
            let open = try await c.pollingHandshake()
            async let pending = c.poll(open.sid)
            try await Task.sleep(for: .milliseconds(100))
            let ws = try await RawWebSocket.connect(c.endpoint, target: ProbeContext.target("websocket", sid: open.sid), group: c.group)
            defer { ws.close() }
            ws.send("2probe")
            let pong = await ws.next(where: { !$0.hasPrefix("2") || $0 == "2probe" })
            try expect(pong == "3probe", "probe answered \(pong?.debugDescription ?? "nothing"), want 3probe")
            let noop = try await pending
            try expect(noop.text.split(separator: "\u{1e}").contains("6"), "pending GET answered \(noop.text.prefix(40).debugDescription), want 6")
            ws.send("5")
            ws.send("4" + SocketIOPacket.connect(["token": .string(c.token())]).encoded)
            let reply = await ws.next(where: { $0.hasPrefix("40") || $0.hasPrefix("44") })
            try expect(reply?.hasPrefix("40{") == true, "after the upgrade the WebSocket carried \(reply ?? "nothing") instead of the CONNECT reply")
            let polling = try await c.poll(open.sid)
            try expect(polling.status == 400 && (try? polling.json())?["code"] == 3,
                       "polling after upgrade answered \(polling.status) \(polling.text.prefix(60)), want 400 code 3")
            let second = try? await RawWebSocket.connect(c.endpoint, target: ProbeContext.target("websocket", sid: open.sid), group: c.group)
            if let second {
                let closed = await second.closes(within: .seconds(2))
                second.close()
                try expect(closed, "a second WebSocket for an upgraded session stayed open")
            }
            return .pass
        },
        ConformanceCheck("eio.upgrade.other_packet_closes_probe_only") { c in
            let open = try await c.pollingHandshake()
            let ws = try await RawWebSocket.connect(c.endpoint, target: ProbeContext.target("websocket", sid: open.sid), group: c.group)
            defer { ws.close() }
            ws.send("2probe")
            _ = await ws.next(where: { $0 == "3probe" })
            ws.send("4" + SocketIOPacket.connect(["token": .string(c.token())]).encoded)
            try expect(await ws.closes(within: .seconds(3)), "a non-upgrade packet on the probe did not close it")
            let post = try await c.post(open.sid, "4" + SocketIOPacket.connect(["token": .string(c.token())]).encoded)
            try expect(post.status == 200, "the polling session died with the probe (POST answered \(post.status))")
            _ = try? await c.post(open.sid, "1")
            return .pass
        },
        ConformanceCheck("eio.websocket.parse_error_closes") { c in
            let (ws, _) = try await c.websocket()
            defer { ws.close() }
            ws.send("abc")
            try expect(await ws.closes(within: .seconds(3)), "an unparsable frame did not close the WebSocket")
            return .pass
        },
        ConformanceCheck("eio.heartbeat.client_ping_closes") { c in
            let (ws, _) = try await c.websocket()
            defer { ws.close() }
            ws.send("2")
            try expect(await ws.closes(within: .seconds(3)), "a PING from the client did not close the session")
            return .pass
        },
        ConformanceCheck("eio.heartbeat.server_pings_on_interval") { c in
            // Joined to `/`, so the connect timeout cannot close it first.
            let (ws, open) = try await c.websocketJoined()
            defer { ws.close() }
            guard let open, open.pingInterval <= 5000 else {
                return .skip("pingInterval \(open?.pingInterval ?? 0) ms is too long to wait for (start the server with --ping-interval ≤ 5000)")
            }
            let start = ContinuousClock.now
            let ping = await ws.next(within: .milliseconds(open.pingInterval * 2 + 500), where: { $0 == "2" })
            let ms = (ContinuousClock.now - start) / .milliseconds(1)
            try expect(ping != nil, "no PING within \(open.pingInterval * 2 + 500) ms")
            let tolerance = max(150.0, Double(open.pingInterval) * 0.25)
            try expect(abs(ms - Double(open.pingInterval)) <= tolerance, "first PING after \(Int(ms)) ms, pingInterval \(open.pingInterval) ms")
            ws.send("3")
            let start2 = ContinuousClock.now
            let ping2 = await ws.next(within: .milliseconds(open.pingInterval * 2 + 500), where: { $0 == "2" })
            let ms2 = (ContinuousClock.now - start2) / .milliseconds(1)
            try expect(ping2 != nil, "no second PING (the session ended \(Int(ms2)) ms after the PONG)")
            try expect(abs(ms2 - Double(open.pingInterval)) <= tolerance, "second PING \(Int(ms2)) ms after the PONG, pingInterval \(open.pingInterval) ms")
            return .pass
        },
        ConformanceCheck("eio.heartbeat.missing_pong_closes") { c in
            let (ws, open) = try await c.websocketJoined()
            defer { ws.close() }
            guard let open, open.pingInterval + open.pingTimeout <= 10_000 else {
                return .skip("pingInterval + pingTimeout is too long to wait for (start the server with shorter ones)")
            }
            let start = ContinuousClock.now
            let budget = open.pingInterval + open.pingTimeout
            let closed = await ws.closes(within: .milliseconds(budget * 2 + 1000))
            let ms = (ContinuousClock.now - start) / .milliseconds(1)
            try expect(closed, "still open \(Int(ms)) ms after a PING went unanswered")
            let tolerance = max(200.0, Double(budget) * 0.25)
            try expect(abs(ms - Double(budget)) <= tolerance, "closed after \(Int(ms)) ms, want pingInterval + pingTimeout = \(budget) ms")
            return .pass
        },
    ]
}
