import Foundation

/// One file of the pages, ready to send.
public struct PageAsset: Sendable {
    public let contentType: String
    public let bytes: [UInt8]
}

/// The browser pages and the project's own Socket.IO client: real files
/// under `Public/` (copied as a SwiftPM resource), read once and kept in
/// memory. `stampede serve` answers `/` with `index.html`, `/assets/…`
/// with the rest and `/openapi.json` with the API document (the one copy;
/// docs/openapi.json links to it); the run dashboard serves `dashboard/`.
public enum PageAssets {
    /// Path under `Public/` → contents, loaded at first use.
    static let files: [String: [UInt8]] = load()

    /// `Public/<path>` (e.g. `cards/main.js`), nil when there is no such file.
    /// Only plain relative paths are looked up: no `..`, no absolute paths.
    public static func asset(_ path: String) -> PageAsset? {
        guard isPlainPath(path), let bytes = files[path] else { return nil }
        return PageAsset(contentType: contentType(for: path), bytes: bytes)
    }

    /// The task-cards page. `devToken` fills the page's token field; the
    /// server passes one only while it runs with the default secret.
    /// `enginePath` tells the page's client where the Engine.IO endpoint is.
    public static func cardsPage(devToken: String?, enginePath: String = "/socket.io/") -> PageAsset {
        let html = String(decoding: files["index.html"] ?? Array("index.html is missing from the bundle".utf8), as: UTF8.self)
        let filled = html.replacingOccurrences(of: "{{DEV_TOKEN}}", with: devToken.map(htmlAttributeEscaped) ?? "")
            .replacingOccurrences(of: "{{ENGINE_PATH}}", with: htmlAttributeEscaped(enginePath))
        return PageAsset(contentType: "text/html; charset=utf-8", bytes: Array(filled.utf8))
    }

    /// Every file the bundle holds (tests check the pages reference only these).
    public static var paths: [String] { files.keys.sorted() }

    static func isPlainPath(_ path: String) -> Bool {
        !path.isEmpty && !path.hasPrefix("/") && !path.split(separator: "/", omittingEmptySubsequences: false).contains { $0.isEmpty || $0 == "." || $0 == ".." }
            && path.unicodeScalars.allSatisfy { CharacterSet.alphanumerics.contains($0) || "._-/".unicodeScalars.contains($0) }
    }

    static func contentType(for path: String) -> String {
        switch path.split(separator: ".").last ?? "" {
        case "html": "text/html; charset=utf-8"
        case "js": "text/javascript; charset=utf-8"
        case "css": "text/css; charset=utf-8"
        case "svg": "image/svg+xml"
        case "json": "application/json"
        case "png": "image/png"
        default: "application/octet-stream"
        }
    }

    static func htmlAttributeEscaped(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "\"", with: "&quot;")
            .replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }

    private static func load() -> [String: [UInt8]] {
        guard let root = Bundle.module.url(forResource: "Public", withExtension: nil) else { return [:] }
        var out: [String: [UInt8]] = [:]
        let base = root.standardizedFileURL.path
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey]) else { return [:] }
        for case let url as URL in walker {
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true,
                  let data = FileManager.default.contents(atPath: url.path) else { continue }
            let full = url.standardizedFileURL.path
            guard full.hasPrefix(base + "/") else { continue }
            out[String(full.dropFirst(base.count + 1))] = Array(data)
        }
        return out
    }
}
