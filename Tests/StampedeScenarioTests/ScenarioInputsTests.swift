import Foundation
import Testing
@testable import StampedeScenario

/// Issue 15 item 10: scenarios read the generator's environment (`${env:NAME:-default}`) and a
/// CSV of users, optionally with pre-minted tokens used as they are (RS256 from an identity provider).
@Suite(.serialized) struct ScenarioInputsTests {
    static let base = """
    name: inputs
    target: ${env:STAMPEDE_TEST_TARGET:-embedded}
    auth: { users: "${env:STAMPEDE_TEST_USERS:-3}" }
    phases: [{ name: p, duration: 1s, clients: 2 }]
    groups: [{ name: g, steps: [connect, { await: { until: end } }] }]
    """

    @Test func environmentVariablesWithDefaults() throws {
        unsetenv("STAMPEDE_TEST_TARGET")
        unsetenv("STAMPEDE_TEST_USERS")
        let defaults = try ScenarioLoader.parse(Self.base)
        #expect(defaults.target == .embedded && defaults.auth.users == 3)
        setenv("STAMPEDE_TEST_TARGET", "http://127.0.0.1:9999", 1)
        setenv("STAMPEDE_TEST_USERS", "7", 1)
        defer { unsetenv("STAMPEDE_TEST_TARGET"); unsetenv("STAMPEDE_TEST_USERS") }
        let set = try ScenarioLoader.parse(Self.base)
        #expect(set.target == .url("http://127.0.0.1:9999") && set.auth.users == 7)
    }

    @Test func anUnsetEnvironmentVariableWithoutDefaultIsNamed() throws {
        unsetenv("STAMPEDE_TEST_SECRET")
        let text = Self.base.replacingOccurrences(of: "auth: { users: \"${env:STAMPEDE_TEST_USERS:-3}\" }",
                                                  with: "auth: { users: 2, secret: \"${env:STAMPEDE_TEST_SECRET}\" }")
        do {
            _ = try ScenarioLoader.parse(text, file: "s.yaml")
            Issue.record("an unset variable was accepted")
        } catch let e as ScenarioFileError {
            #expect(e.message.contains("environment variable STAMPEDE_TEST_SECRET is not set"), "\(e)")
            #expect(e.line == 3, "\(e)")
        }
    }

    @Test func aUsersFileWithPreMintedTokens() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("stampede-users-\(getpid())")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try """
        # users exported from the identity provider
        user_id,token
        alice,eyJ.alice.sig
        "bob","eyJ.bob.sig"
        """.write(to: dir.appendingPathComponent("users.csv"), atomically: true, encoding: .utf8)
        let scenario = dir.appendingPathComponent("s.yaml")
        let text = Self.base.replacingOccurrences(of: "auth: { users: \"${env:STAMPEDE_TEST_USERS:-3}\" }",
                                                  with: "auth: { users_file: users.csv, service_token: svc.token }")
        try text.write(to: scenario, atomically: true, encoding: .utf8)
        let s = try ScenarioLoader.load(path: scenario.path)
        #expect(s.auth.users == 2)
        #expect(s.auth.userID(0) == "alice" && s.auth.userID(1) == "bob")
        let book = try TokenBook(auth: s.auth, secret: "not-used")
        #expect(book.valid == ["eyJ.alice.sig", "eyJ.bob.sig"])
        #expect(book.token(.valid, userIndex: 1) == "eyJ.bob.sig")
        #expect(book.service == "svc.token")
    }

    @Test func aUsersFileWithoutTokensMintsForThoseUsers() throws {
        let rows = try UsersFile.parse("user_id\nu-1\nu-2\n", name: "x.csv")
        #expect(rows.userIDs == ["u-1", "u-2"] && rows.tokens == nil)
        #expect(throws: UsersFile.Failure.self) { try UsersFile.parse("name\nx\n", name: "x.csv") }
        #expect(throws: UsersFile.Failure.self) { try UsersFile.parse("user_id,token\nx\n", name: "x.csv") }
    }
}
