import Foundation
import StampedeDashboard
import StampedeReports
import StampedeScenario

/// `stampede run … --dashboard [PORT]`: the live page next to the run. It
/// listens on its own event loop and takes one value a second from the
/// runner, so the run's numbers do not depend on whether anyone watches
/// (docs/BENCHMARKS.md has the with/without figures).
struct RunDashboard {
    static let defaultPort = 5665

    let server: DashboardServer

    static func start(port: Int) async throws -> RunDashboard {
        let server = try await DashboardServer.start(port: port)
        FileHandle.standardError.write(Data("dashboard: \(server.url)\n".utf8))
        return RunDashboard(server: server)
    }

    /// The observer `RunOptions.onSecond` takes.
    var observer: @Sendable (LiveProgress) -> Void {
        let server = self.server
        return { server.publish(DashboardSample.second($0)) }
    }

    /// Sends the verdict, keeps the page (and /report.html) up `linger` seconds, then stops.
    func finish(_ report: RunReport, reportHTML: String?, linger: Double) async {
        let watching = server.openPages
        await server.finish(DashboardSample.final(report, reportPath: reportHTML), reportHTML: reportHTML)
        FileHandle.standardError.write(Data("dashboard: verdict sent to \(watching) open page(s)\n".utf8))
        if linger > 0 {
            FileHandle.standardError.write(Data("dashboard: staying up \(Int(linger)) s at \(server.url)\n".utf8))
            try? await Task.sleep(nanoseconds: UInt64(linger * 1e9))
        }
        await server.shutdown()
    }

    /// `--dashboard` may come without a port: give it the default so the
    /// argument parser sees `--dashboard 5665`.
    static func normalize(_ args: [String]) -> [String] {
        var out: [String] = []
        for (i, a) in args.enumerated() {
            out.append(a)
            guard a == "--dashboard" else { continue }
            let next = i + 1 < args.count ? args[i + 1] : nil
            if next.flatMap({ Int($0) }) == nil { out.append(String(defaultPort)) }
        }
        return out
    }
}
