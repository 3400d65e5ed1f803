import Foundation
import NIOCore
import NIOPosix
import Testing
@testable import StampedeClient

/// The generator binds its source ports itself (the kernel's own choice costs ~1.2 ms per
/// connect once a source address holds ~14,000 connections): the ports go round the range in
/// turn, a taken one is skipped, and real connects — WebSocket and polling — come from them.
@Suite(.timeLimit(.minutes(1))) struct SourcePortsTests {
    @Test func portsGoRoundTheRangeInTurn() {
        let ports = SourcePorts(range: 40000...40002, start: 40001)
        #expect((0..<5).map { _ in ports.next() } == [40001, 40002, 40000, 40001, 40002])
    }

    /// The range is the kernel's own (`net.ipv4.ip_local_port_range`), read as the kernel wrote it.
    @Test func theRangeIsTheKernelsEphemeralRange() throws {
        let text = try #require(try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8),
                                "no /proc here")
        let fields = text.split(whereSeparator: \.isWhitespace).compactMap { Int($0) }
        #expect(SourcePorts.kernelEphemeralRange() == fields[0]...fields[1])
    }

    @Test func onlyAnAddressInUseMeansTryTheNextPort() {
        #expect(SourcePorts.isPortTaken(IOError(errnoCode: EADDRINUSE, reason: "bind")))
        #expect(SourcePorts.isPortTaken(IOError(errnoCode: EADDRNOTAVAIL, reason: "connect")))
        #expect(!SourcePorts.isPortTaken(IOError(errnoCode: ECONNREFUSED, reason: "connect")))
        #expect(!SourcePorts.isPortTaken(ChannelError.connectTimeout(.seconds(1))))
    }

    /// The range starts at a port a listener holds (bind fails: skipped) and goes on to ports
    /// that are free; each connect's local port is the next one of the range.
    @Test func aTakenPortIsSkippedAndTheNextOneUsed() async throws {
        let group = TestServer.clientGroup
        let listener = try await ServerBootstrap(group: group)
            .childChannelInitializer { $0.eventLoop.makeSucceededVoidFuture() }
            .bind(host: "127.0.0.1", port: 0).get()
        let held = try #require(listener.localAddress?.port)
        // Range: the listener's own port, then free ones (a busy machine may hold one of them:
        // it is skipped too, so only "inside the range, not the listener's" is asserted).
        let ports = SourcePorts(range: held...min(held + 40, 65535), start: held)
        let endpoint = try ServerEndpoint(url: "http://127.0.0.1:\(held)")
        let loop = group.next()
        var seen: [Int] = []
        for _ in 0..<3 {
            let ch = try await ClientBootstrap(group: loop)
                .connect(to: endpoint, from: nil, ports: ports, on: loop).get()
            let local = try #require(ch.localAddress?.port)
            #expect(local != held && ports.range.contains(local))
            seen.append(local)
            try await ch.close()
        }
        #expect(seen == seen.sorted() && Set(seen).count == 3, "ports taken in turn: \(seen)")
        try await listener.close()
    }

    #if os(Linux)
    /// Forty taken ports in a row (sockets bound without `SO_REUSEADDR`, as another program's
    /// TIME_WAIT ports are): the reactor's socket walks past all of them to the first free port
    /// of the range. It used to give up after 16 and leave the choice to the kernel, a port
    /// outside the range, at ~1.2 ms of CPU once the range is crowded (docs/BENCHMARKS.md §15).
    @Test func theReactorWalksPastALongRunOfTakenPorts() async throws {
        let listener = try await ServerBootstrap(group: TestServer.clientGroup)
            .childChannelInitializer { $0.eventLoop.makeSucceededVoidFuture() }
            .bind(host: "127.0.0.1", port: 0).get()
        let target = try #require(listener.localAddress?.port)
        // Below the kernel's ephemeral range, so nothing else is handed these ports meanwhile.
        let range = 21000...21999
        var blockers: [Int32] = []
        for port in range where blockers.count < 40 {
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
            let address = try SocketAddress(ipAddress: "0.0.0.0", port: port)
            if address.withSockAddr({ bind(fd, $0, socklen_t($1)) }) == 0 { blockers.append(fd) } else { close(fd) }
            if blockers.count == 1, port != range.lowerBound { break }  // the range's start is not free here
        }
        try #require(blockers.count == 40, "could not hold 40 ports from \(range.lowerBound)")
        defer { blockers.forEach { close($0) } }
        let ports = SourcePorts(range: range, start: range.lowerBound)
        let fd = try ReactorSocket.connect(to: ServerEndpoint(url: "http://127.0.0.1:\(target)"), from: nil, ports: ports).get()
        var local = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &local) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) } }
        close(fd)
        #expect(Int(UInt16(bigEndian: local.sin_port)) == range.lowerBound + 40)
        try await listener.close()
    }
    #endif

    /// A whole client — WebSocket and polling — connects through the allocator: the ports it
    /// used are gone from the cursor (one WebSocket, two polling connections at least).
    @Test(arguments: [ClientTransport.websocket, .polling])
    func clientsConnectFromTheAllocatorsPorts(transport: ClientTransport) async throws {
        let server = try await TestServer.start()
        let ports = SourcePorts(range: 45000...45999, start: 45000)
        var o = server.options(transport, token: try server.token("u1"))
        o.sourcePorts = ports
        let d = RecordingDelegate()
        let c = ClientConnection.connect(o, on: TestServer.clientGroup.next(), delegate: d)
        #expect(await d.waitConnected(seconds: 5))
        #expect(ports.next() >= (transport == .polling ? 45002 : 45001))
        c.close(.clean)
        try await server.stop()
    }
}
