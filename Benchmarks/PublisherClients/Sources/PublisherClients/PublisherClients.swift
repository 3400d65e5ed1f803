import AsyncHTTPClient
import Foundation
import NIOCore
import NIOPosix
import StampedeClient

/// `PublisherClients URL TOKEN WORKFLOW REQUESTS CONCURRENCY own|ahc`: POSTs REQUESTS single-event
/// publishes (the generator's publisher request) with CONCURRENCY in flight, through the
/// project's HTTP/1.1 client or async-http-client, on one event loop as the generator's
/// publishers run; prints requests/s and this process's CPU µs per request as one JSON line.
@main
enum PublisherClients {
    static func cpuMicros() -> Double {
        var u = rusage()
        getrusage(RUSAGE_SELF.rawValue, &u)
        return Double(u.ru_utime.tv_sec + u.ru_stime.tv_sec) * 1e6 + Double(u.ru_utime.tv_usec + u.ru_stime.tv_usec)
    }

    static func body(_ i: Int) -> [UInt8] {
        Array(#"{"type":"node_update","node":"bench","status":"executing","sent_at_us":\#(i),"pad":"\#(String(repeating: "x", count: 120))"}"#.utf8)
    }

    /// Runs `total` requests with `concurrency` in flight on `loop`; `send` starts one and calls back with its status.
    static func drive(total: Int, concurrency: Int, on loop: EventLoop,
                      _ send: @escaping @Sendable (Int, @escaping @Sendable (Int) -> Void) -> Void) async -> (seconds: Double, failures: Int) {
        await withCheckedContinuation { (done: CheckedContinuation<(seconds: Double, failures: Int), Never>) in
            loop.execute {
                let state = NIOLoopBoundBox((started: 0, finished: 0, failures: 0), eventLoop: loop)
                let start = Date()
                @Sendable func next() {
                    guard state.value.started < total else { return }
                    let i = state.value.started
                    state.value.started += 1
                    send(i) { status in
                        loop.execute {
                            state.value.finished += 1
                            if status != 201 { state.value.failures += 1 }
                            if state.value.finished == total {
                                done.resume(returning: (Date().timeIntervalSince(start), state.value.failures))
                            } else { next() }
                        }
                    }
                }
                for _ in 0..<concurrency { next() }
            }
        }
    }

    static func main() async throws {
        let args = CommandLine.arguments
        guard args.count == 7, let total = Int(args[4]), let concurrency = Int(args[5]) else {
            FileHandle.standardError.write(Data("usage: PublisherClients URL TOKEN WORKFLOW REQUESTS CONCURRENCY own|ahc\n".utf8))
            exit(64)
        }
        let (url, token, workflow, which) = (args[1], args[2], args[3], args[6])
        let path = "/api/v1/workflows/\(workflow)/events"
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        let headers = [("Authorization", "Bearer \(token)"), ("Content-Type", "application/json")]
        let cpu0 = cpuMicros()
        let result: (seconds: Double, failures: Int)
        switch which {
        case "own":
            let http = HTTPClient(endpoint: try ServerEndpoint(url: url), eventLoopGroup: loop, timeout: .seconds(10),
                                  maxIdleConnections: concurrency)
            result = await drive(total: total, concurrency: concurrency, on: loop) { i, reply in
                http.requestFuture("POST", path, headers: headers, body: body(i)).whenComplete { r in
                    reply((try? r.get().status) ?? -1)
                }
            }
            http.shutdown()
        case "ahc":
            var config = AsyncHTTPClient.HTTPClient.Configuration()
            config.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: concurrency)
            let http = AsyncHTTPClient.HTTPClient(eventLoopGroupProvider: .shared(loop), configuration: config)
            result = await drive(total: total, concurrency: concurrency, on: loop) { i, reply in
                do {
                    var request = try AsyncHTTPClient.HTTPClient.Request(url: url + path, method: .POST)
                    for (k, v) in headers { request.headers.add(name: k, value: v) }
                    request.body = .bytes(body(i))
                    http.execute(request: request, eventLoop: .delegate(on: loop)).whenComplete { r in
                        let code: Int = (try? r.get()).map { Int($0.status.code) } ?? -1
                        reply(code)
                    }
                } catch { reply(-1) }
            }
            try? await http.shutdown()
        default:
            FileHandle.standardError.write(Data("client must be own or ahc\n".utf8))
            exit(64)
        }
        let cpu = cpuMicros() - cpu0
        print(#"{"client":"\#(which)","requests":\#(total),"concurrency":\#(concurrency),"seconds":\#(String(format: "%.3f", result.seconds)),"# +
              #""requests_per_second":\#(String(format: "%.0f", Double(total) / result.seconds)),"cpu_us_per_request":\#(String(format: "%.1f", cpu / Double(total))),"failures":\#(result.failures)}"#)
        try? await group.shutdownGracefully()
    }
}
