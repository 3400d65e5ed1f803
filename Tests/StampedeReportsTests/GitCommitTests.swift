import Foundation
import Testing
@testable import StampedeReports

@Suite(.serialized) final class GitCommitTests: MakesTemporaryDirectories {
    let temporaryDirectories = TemporaryDirectories()
    let hash = "0123456789abcdef0123456789abcdef01234567"

    @Test func testReadsABranchRefThroughHEAD() throws {
        let repo = try temporaryDirectory()
        let git = repo.appendingPathComponent(".git")
        try FileManager.default.createDirectory(at: git.appendingPathComponent("refs/heads"), withIntermediateDirectories: true)
        try "ref: refs/heads/main\n".write(to: git.appendingPathComponent("HEAD"), atomically: true, encoding: .utf8)
        try "\(hash)\n".write(to: git.appendingPathComponent("refs/heads/main"), atomically: true, encoding: .utf8)
        let nested = repo.appendingPathComponent("a/b")
        try FileManager.default.createDirectory(at: nested, withIntermediateDirectories: true)
        #expect(GitCommit.detect(from: nested, environment: [:]) == hash)
    }

    @Test func testReadsPackedRefsAndDetachedHeads() throws {
        let repo = try temporaryDirectory()
        let git = repo.appendingPathComponent(".git")
        try FileManager.default.createDirectory(at: git, withIntermediateDirectories: true)
        try "ref: refs/heads/dev\n".write(to: git.appendingPathComponent("HEAD"), atomically: true, encoding: .utf8)
        try "# pack-refs\n\(hash) refs/heads/dev\n".write(to: git.appendingPathComponent("packed-refs"), atomically: true, encoding: .utf8)
        #expect(GitCommit.detect(from: repo, environment: [:]) == hash)
        let detached = String(hash.reversed())
        try "\(detached)\n".write(to: git.appendingPathComponent("HEAD"), atomically: true, encoding: .utf8)
        #expect(GitCommit.detect(from: repo, environment: [:]) == detached)
    }

    @Test func testCIVariablesWinAndGarbageIsIgnored() throws {
        let empty = try temporaryDirectory()
        #expect(GitCommit.detect(from: empty, environment: ["GITHUB_SHA": hash]) == hash)
        #expect(GitCommit.detect(from: empty, environment: ["GITHUB_SHA": "not-a-hash"]) == nil)
    }
}
