import Foundation
import StampedeConformance
import StampedeScenario
import Testing

/// Issue 15 item 14: docs/CONTRACT.md is the contract users read; it names every check the
/// suite runs — every wire check, and every check of every contract scenario — so the page and
/// the suite cannot drift apart silently. README links it; no doc links a file that is missing.
@Suite(.serialized) final class ContractDocTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    func read(_ path: String) throws -> String {
        try String(contentsOf: Self.root.appendingPathComponent(path), encoding: .utf8)
    }

    @Test func testEveryWireCheckIsDocumented() throws {
        let doc = try read("docs/CONTRACT.md")
        let missing = ConformanceSuite.wireChecks.map(\.name).filter { !doc.contains("`\($0)`") }
        #expect(missing == [], "docs/CONTRACT.md does not name these checks")
    }

    @Test func testEveryContractScenarioCheckIsDocumented() throws {
        let doc = try read("docs/CONTRACT.md")
        let dir = Self.root.appendingPathComponent("scenarios/conformance").path
        for file in ContractScenarioSuite.files(in: dir) {
            let stem = URL(fileURLWithPath: file).lastPathComponent.split(separator: ".").first.map(String.init) ?? ""
            let scenario = try ScenarioLoader.load(path: file)
            for check in scenario.checks {
                let name = "contract.\(stem).\(check.kind.rawValue)"
                #expect(doc.contains(name) || (check.kind == .ordering) || doc.contains("contract.\(stem).*"), "docs/CONTRACT.md does not name \(name)")
            }
            #expect(doc.contains("contract.\(stem)"), "docs/CONTRACT.md does not name scenario \(stem)")
        }
    }

    @Test func testTheReadmeLinksTheContractAndNoDocLinksAMissingFile() throws {
        #expect(try read("README.md").contains("docs/CONTRACT.md"))
        for doc in ["README.md", "scenarios/README.md", "docs/CONTRACT.md", "docs/REPORTS.md"] {
            let text = try read(doc)
            let base = Self.root.appendingPathComponent(doc).deletingLastPathComponent()
            let links = text.matches(of: /\]\(([^)#:]+\.(?:md|json|yaml))\)/).map { String($0.output.1) }
            for link in links {
                let target = base.appendingPathComponent(link).standardizedFileURL.path
                #expect(FileManager.default.fileExists(atPath: target), "\(doc) links \(link), which does not exist")
            }
        }
    }
}
