import Foundation
import Testing

/// Reads a Prometheus text exposition back and checks what scrapers rely
/// on: every sample's family has `# HELP` and `# TYPE` before it, histogram
/// buckets are cumulative up to a `+Inf` bucket equal to `_count`.
struct MetricsExposition {
    struct Sample { let name: String; let labels: String; let value: Double }
    var help: Set<String> = []
    var types: [String: String] = [:]
    var samples: [Sample] = []

    init(_ text: String) throws {
        for line in text.split(separator: "\n").map(String.init) {
            if line.hasPrefix("# HELP ") {
                help.insert(String(line.dropFirst(7).prefix { $0 != " " }))
            } else if line.hasPrefix("# TYPE ") {
                let parts = line.dropFirst(7).split(separator: " ")
                let name = String(parts[0])
                guard types[name] == nil else { throw Problem("family \(name) typed twice") }
                types[name] = String(parts[1])
            } else {
                let cut = line.firstIndex(of: "{") ?? line.firstIndex(of: " ")!
                let name = String(line[..<cut])
                let labels = line.contains("{") ? String(line[line.index(after: cut)..<line.lastIndex(of: "}")!]) : ""
                guard let value = Double(line.split(separator: " ").last!.replacingOccurrences(of: "+Inf", with: "inf"))
                else { throw Problem("unreadable value: \(line)") }
                let family = Self.family(of: name, types: types)
                guard types[family] != nil, help.contains(family) else { throw Problem("\(name) before its HELP/TYPE") }
                samples.append(Sample(name: name, labels: labels, value: value))
            }
        }
    }

    static func family(of sample: String, types: [String: String]) -> String {
        for suffix in ["_bucket", "_sum", "_count"] where sample.hasSuffix(suffix) {
            let base = String(sample.dropLast(suffix.count))
            if types[base] == "histogram" { return base }
        }
        return sample
    }

    func value(_ name: String, _ labels: String = "") -> Double? {
        samples.first { $0.name == name && $0.labels == labels }?.value
    }

    /// Each label set of a histogram: buckets ascend in `le` and in count,
    /// end with `+Inf`, and `+Inf` equals `_count`. Returns the label sets.
    @discardableResult
    func checkHistogram(_ name: String, sourceLocation: SourceLocation = #_sourceLocation) -> [String] {
        #expect(types[name] == "histogram", sourceLocation: sourceLocation)
        var byLabels: [String: [(le: Double, count: Double)]] = [:]
        var order: [String] = []
        for s in samples where s.name == name + "_bucket" {
            let parts = s.labels.components(separatedBy: ",le=")
            let le = parts.count == 2 ? parts[1] : String(s.labels.dropFirst(3))
            let rest = parts.count == 2 ? parts[0] : ""
            let bound = Double(le.trimmingCharacters(in: CharacterSet(charactersIn: "\"")).replacingOccurrences(of: "+Inf", with: "inf"))!
            if byLabels[rest] == nil { order.append(rest) }
            byLabels[rest, default: []].append((bound, s.value))
        }
        for labels in order {
            let buckets = byLabels[labels]!
            #expect(buckets.last?.le == .infinity, "\(name){\(labels)} ends with +Inf", sourceLocation: sourceLocation)
            #expect(buckets.map(\.le) == buckets.map(\.le).sorted(), "\(name){\(labels)} le ascends", sourceLocation: sourceLocation)
            #expect(buckets.map(\.count) == buckets.map(\.count).sorted(), "\(name){\(labels)} cumulative", sourceLocation: sourceLocation)
            #expect(buckets.last?.count == value(name + "_count", labels), "\(name){\(labels)} +Inf == _count", sourceLocation: sourceLocation)
            #expect(value(name + "_sum", labels) != nil, "\(name){\(labels)} has _sum", sourceLocation: sourceLocation)
        }
        return order
    }

    struct Problem: Error, CustomStringConvertible {
        let description: String
        init(_ d: String) { description = d }
    }
}

/// `promtool check metrics` on a scrape, when promtool is installed (Debian
/// package `prometheus`; .ci/run installs it). Nil: not installed here.
enum Promtool {
    static var path: String? {
        for dir in (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin").split(separator: ":") {
            let p = "\(dir)/promtool"
            if FileManager.default.isExecutableFile(atPath: p) { return p }
        }
        return nil
    }

    /// Its exit status and everything it printed.
    static func checkMetrics(_ text: String, promtool: String) throws -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: promtool)
        p.arguments = ["check", "metrics"]
        let input = Pipe(), output = Pipe()
        p.standardInput = input
        p.standardOutput = output
        p.standardError = output
        try p.run()
        input.fileHandleForWriting.write(Data(text.utf8))
        try input.fileHandleForWriting.close()
        let printed = output.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: printed, as: UTF8.self))
    }
}
