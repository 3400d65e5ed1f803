import Foundation

/// Finds the commit a run was made from without shelling out to git (which may be
/// absent on a load-generator box): CI variables first, then `.git` read directly.
public enum GitCommit {
    public static func detect(from directory: URL = URL(fileURLWithPath: FileManager.default.currentDirectoryPath),
                              environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        for key in ["STAMPEDE_GIT_COMMIT", "GITHUB_SHA", "CI_COMMIT_SHA", "GIT_COMMIT"] {
            if let v = environment[key]?.trimmingCharacters(in: .whitespacesAndNewlines), isHash(v) { return v }
        }
        var dir = directory.standardizedFileURL
        for _ in 0..<32 {
            let git = dir.appendingPathComponent(".git")
            if let commit = read(gitDirectory: git) { return commit }
            let parent = dir.deletingLastPathComponent()
            if parent.path == dir.path { break }
            dir = parent
        }
        return nil
    }

    static func read(gitDirectory git: URL) -> String? {
        var gitDir = git
        // A worktree or submodule: `.git` is a file saying where the real directory is.
        if let pointer = try? String(contentsOf: git, encoding: .utf8), pointer.hasPrefix("gitdir:") {
            let path = pointer.dropFirst("gitdir:".count).trimmingCharacters(in: .whitespacesAndNewlines)
            gitDir = path.hasPrefix("/") ? URL(fileURLWithPath: path) : git.deletingLastPathComponent().appendingPathComponent(path)
        }
        guard let head = try? String(contentsOf: gitDir.appendingPathComponent("HEAD"), encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines) else { return nil }
        guard head.hasPrefix("ref:") else { return isHash(head) ? head : nil }
        let ref = head.dropFirst(4).trimmingCharacters(in: .whitespaces)
        let common = commonDirectory(gitDir)
        for base in [gitDir, common] {
            if let v = try? String(contentsOf: base.appendingPathComponent(ref), encoding: .utf8)
                .trimmingCharacters(in: .whitespacesAndNewlines), isHash(v) { return v }
        }
        // Packed refs: "<hash> <ref>" lines.
        if let packed = try? String(contentsOf: common.appendingPathComponent("packed-refs"), encoding: .utf8) {
            for line in packed.split(separator: "\n") where line.hasSuffix(" " + ref) {
                let hash = String(line.prefix { $0 != " " })
                if isHash(hash) { return hash }
            }
        }
        return nil
    }

    static func commonDirectory(_ gitDir: URL) -> URL {
        guard let text = try? String(contentsOf: gitDir.appendingPathComponent("commondir"), encoding: .utf8) else { return gitDir }
        let path = text.trimmingCharacters(in: .whitespacesAndNewlines)
        return path.hasPrefix("/") ? URL(fileURLWithPath: path) : gitDir.appendingPathComponent(path).standardizedFileURL
    }

    static func isHash(_ s: String) -> Bool {
        (s.count == 40 || s.count == 64) && s.allSatisfy { $0.isHexDigit }
    }
}
