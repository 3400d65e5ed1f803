import Foundation
import XCTest
@testable import StampedeReports

final class GitCommitTests: XCTestCase {
    let hash = "0123456789abcdef0123456789abcdef01234567"

    func testReadsABranchRefThroughHEAD() throws {
        let repo = try temporaryDirectory()
        let git = repo.appendingPathComponent(".git")
        try FileManager.default.createDirectory(at: git.appendingPathComponent("refs/heads"), withIntermediateDirectories: true)
        try "ref: refs/heads/main\n".write(to: git.appendingPathComponent("HEAD"), atomically: true, encoding: .utf8)
        try "\(hash)\n".write(to: git.appendingPathComponent("refs/heads/main"), atomically: true, encoding: .utf8)
        let nested = repo.appendingPathComponent("a/b")
        try FileManager.default.createDirectory(at: nested, withIntermediateDirectories: true)
        XCTAssertEqual(GitCommit.detect(from: nested, environment: [:]), hash)
    }

    func testReadsPackedRefsAndDetachedHeads() throws {
        let repo = try temporaryDirectory()
        let git = repo.appendingPathComponent(".git")
        try FileManager.default.createDirectory(at: git, withIntermediateDirectories: true)
        try "ref: refs/heads/dev\n".write(to: git.appendingPathComponent("HEAD"), atomically: true, encoding: .utf8)
        try "# pack-refs\n\(hash) refs/heads/dev\n".write(to: git.appendingPathComponent("packed-refs"), atomically: true, encoding: .utf8)
        XCTAssertEqual(GitCommit.detect(from: repo, environment: [:]), hash)
        let detached = String(hash.reversed())
        try "\(detached)\n".write(to: git.appendingPathComponent("HEAD"), atomically: true, encoding: .utf8)
        XCTAssertEqual(GitCommit.detect(from: repo, environment: [:]), detached)
    }

    func testCIVariablesWinAndGarbageIsIgnored() throws {
        let empty = try temporaryDirectory()
        XCTAssertEqual(GitCommit.detect(from: empty, environment: ["GITHUB_SHA": hash]), hash)
        XCTAssertNil(GitCommit.detect(from: empty, environment: ["GITHUB_SHA": "not-a-hash"]))
    }
}
