import Foundation
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1
import NIOPosix
import StampedePages

/// The local live page of `stampede run --dashboard [PORT]`: a tiny HTTP/1.1
/// listener on its own event loop (never one of the load generator's), which
/// serves the dashboard files from StampedePages, the run's samples as
/// server-sent events at `/events`, and `report.html` once it is written.
public final class DashboardServer: Sendable {
    public let port: Int
    public var url: String { "http://127.0.0.1:\(port)/" }
    let feed = DashboardFeed()
    private let group: MultiThreadedEventLoopGroup
    private let channel: Channel
    private let reportFile = NIOLockedValueBox<String?>(nil)

    /// Listens on 127.0.0.1:`port` (0 picks a free one).
    public static func start(port: Int) async throws -> DashboardServer {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        do { return try await DashboardServer(group: group, port: port) } catch {
            try? await group.shutdownGracefully()
            throw error
        }
    }

    private init(group: MultiThreadedEventLoopGroup, port: Int) async throws {
        self.group = group
        let feed = self.feed, reportFile = self.reportFile
        channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { ch in
                // Built on the channel's loop with the synchronous operations: the handler is
                // Sendable-unavailable and never crosses a future's callback.
                ch.eventLoop.makeCompletedFuture {
                    try ch.pipeline.syncOperations.configureHTTPServerPipeline()
                    try ch.pipeline.syncOperations.addHandler(DashboardHTTPHandler(feed: feed, reportFile: reportFile))
                }
            }
            .bind(host: "127.0.0.1", port: port).get()
        self.port = channel.localAddress?.port ?? port
    }

    /// One second of the run (see `DashboardSample`).
    public func publish(_ sample: LiveSampleJSON) { feed.append(sampleJSON: sample.text) }

    /// The verdict; returns when every open page has received it.
    public func finish(_ final: LiveSampleJSON, reportHTML: String?) async {
        reportFile.withLockedValue { $0 = reportHTML }
        try? await feed.finish(finalJSON: final.text, on: group.next()).get()
    }

    /// Pages currently watching.
    public var openPages: Int { feed.openStreams }

    public func shutdown() async {
        try? await channel.close()
        try? await group.shutdownGracefully()
    }
}

/// A serialized JSON object for the feed.
public struct LiveSampleJSON: Sendable {
    public let text: String
}

private final class DashboardHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart
    let feed: DashboardFeed
    let reportFile: NIOLockedValueBox<String?>
    private var head: HTTPRequestHead?

    init(feed: DashboardFeed, reportFile: NIOLockedValueBox<String?>) {
        self.feed = feed
        self.reportFile = reportFile
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h): head = h
        case .body: break
        case .end:
            guard let h = head else { return }
            head = nil
            route(h, context: context)
        }
    }

    private func route(_ h: HTTPRequestHead, context: ChannelHandlerContext) {
        let path = String(h.uri.split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false).first ?? "")
        guard h.method == .GET || h.method == .HEAD else { return respond(context, h, 405, "text/plain", Array("GET only".utf8)) }
        switch path {
        case "/", "/index.html":
            let page = PageAssets.asset("dashboard/index.html")
            respond(context, h, page == nil ? 404 : 200, page?.contentType ?? "text/plain", page?.bytes ?? Array("missing".utf8))
        case "/events":
            var headers = HTTPHeaders([("Content-Type", "text/event-stream"), ("Cache-Control", "no-store"), ("X-Accel-Buffering", "no")])
            headers.add(name: "Connection", value: "keep-alive")
            context.writeAndFlush(wrapOutboundOut(.head(HTTPResponseHead(version: h.version, status: .ok, headers: headers))), promise: nil)
            feed.attach(context.channel)
        case "/report.html":
            if let file = reportFile.withLockedValue({ $0 }), let data = FileManager.default.contents(atPath: file) {
                respond(context, h, 200, "text/html; charset=utf-8", Array(data))
            } else {
                respond(context, h, 404, "text/plain; charset=utf-8", Array("the report is written when the run ends".utf8))
            }
        default:
            let name = path.hasPrefix("/assets/") ? String(path.dropFirst("/assets/".count)) : ""
            if let asset = PageAssets.asset(name) { respond(context, h, 200, asset.contentType, asset.bytes) }
            else { respond(context, h, 404, "text/plain; charset=utf-8", Array("not found".utf8)) }
        }
    }

    private func respond(_ context: ChannelHandlerContext, _ h: HTTPRequestHead, _ status: Int, _ type: String, _ body: [UInt8]) {
        var headers = HTTPHeaders([("Content-Type", type), ("Content-Length", String(body.count)), ("Cache-Control", "no-cache"),
                                   ("X-Content-Type-Options", "nosniff")])
        if !h.isKeepAlive { headers.add(name: "Connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: h.version, status: HTTPResponseStatus(statusCode: status), headers: headers))),
                      promise: nil)
        if h.method != .HEAD {
            var buf = context.channel.allocator.buffer(capacity: body.count)
            buf.writeBytes(body)
            context.write(wrapOutboundOut(.body(.byteBuffer(buf))), promise: nil)
        }
        let keepAlive = h.isKeepAlive
        let channel = context.channel
        context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in if !keepAlive { channel.close(promise: nil) } }
    }
}

/// Channel handlers live on their channel's loop only, as NIO's own do.
@available(*, unavailable)
extension DashboardHTTPHandler: Sendable {}
