import StampedeContract

/// Where the built-in search workflow gets its results. The default answers
/// offline and deterministically; a real web search plugs in here.
public protocol SearchProvider: Sendable {
    func search(_ query: String) async throws -> [SearchResult]
    func synthesize(_ query: String, _ results: [SearchResult]) async throws -> String
}

/// Deterministic results derived from the query text alone: the same query
/// always yields the same titles, URLs and synthesis.
public struct OfflineSearchProvider: SearchProvider {
    public var resultCount: Int

    public init(resultCount: Int = 5) { self.resultCount = resultCount }

    public func search(_ query: String) async throws -> [SearchResult] {
        let words = query.lowercased().split(whereSeparator: { !$0.isLetter && !$0.isNumber })
        let slug = words.prefix(6).joined(separator: "-")
        let count = max(1, min(10, resultCount + Self.stableHash(query) % 3))
        return (1...count).map { i in
            SearchResult(title: "\(query) — result \(i)",
                         url: "https://search.example/\(slug.isEmpty ? "q" : slug)/\(i)",
                         snippet: "Result \(i) of \(count) for \(query.debugDescription): \(words.shuffledDeterministically(seed: i).joined(separator: " ")).")
        }
    }

    public func synthesize(_ query: String, _ results: [SearchResult]) async throws -> String {
        "Synthesis of \(results.count) results for \(query.debugDescription): " + results.map(\.title).joined(separator: "; ") + "."
    }

    /// FNV-1a: Swift's `hashValue` is seeded per process, this is not.
    static func stableHash(_ s: String) -> Int {
        var h: UInt64 = 0xcbf29ce484222325
        for b in s.utf8 { h = (h ^ UInt64(b)) &* 0x100000001b3 }
        return Int(h % 1_000_003)
    }
}

extension Array where Element == Substring {
    fileprivate func shuffledDeterministically(seed: Int) -> [Substring] {
        guard count > 1 else { return self }
        let k = seed % count
        return Array(self[k...] + self[..<k])
    }
}
