import Foundation
import Testing
@testable import StampedeScenario

/// Issue 15 item 11: every `stampede init` template loads as written (schema rules, variables,
/// cross-field validation) — a starter file that does not validate would be worse than none.
@Suite struct StarterTemplateTests {
    @Test(arguments: StarterTemplates.names) func templateValidates(_ name: String) throws {
        let text = try #require(StarterTemplates.text(name))
        let s = try ScenarioLoader.parse(text, file: "\(name).yaml")
        #expect(!s.checks.isEmpty && !s.budgets.isEmpty, "a starter must judge something")
        #expect(text.contains("# "), "commented")
    }

    @Test func unknownTemplateIsNil() { #expect(StarterTemplates.text("nope") == nil) }
}
