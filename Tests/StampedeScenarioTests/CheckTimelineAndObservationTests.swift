import Foundation
import StampedeReports
import Testing
@testable import StampedeScenario

/// The ledger remembers in which second each violation happened, so report.html can mark it
/// on the timeline and count it on the errors chart (issue 15, item 6).
@Suite struct CheckTimelineTests {
    func violation(_ check: CheckKind, at: Double) -> Violation {
        Violation(check: check, client: 1, workflow: "w1", expected: "seq 2", seen: "seq 3", at: at)
    }

    @Test func violationsLandInTheSecondTheyHappened() {
        let ledger = CheckLedger()
        ledger.report(violation(.ordering, at: 2.1))
        ledger.report(violation(.ordering, at: 2.9))
        ledger.report(violation(.isolation, at: 2.5))
        ledger.report(violation(.ordering, at: 4.0))
        // In the drain after the last sample: kept, on the last second.
        ledger.report(violation(.terminal, at: 9.3))
        var series = (0..<6).map { SecondSample(t: $0, connections: 1, eventsPerSecond: 1, errors: 0) }
        ledger.annotate(&series)
        #expect(series[2].checkViolations == ["ordering": 2, "isolation": 1])
        #expect(series[3].checkViolations == nil)
        #expect(series[4].checkViolations == ["ordering": 1])
        #expect(series[5].checkViolations == ["terminal": 1])
        #expect(series.map(\.totalCheckViolations).reduce(0, +) == ledger.totalViolations)
    }

    @Test func passingChecksNameWhatTheyObserved() {
        let spec = CheckSpec(kind: .ordering, options: [:])
        let r = CheckEvaluator.results([spec], ledger: CheckLedger(), observations: CheckObservations(counters: ["checked.ordering": 12_345]),
                                       counters: [:], extra: [:])
        #expect(r.first?.passed == true)
        #expect(CheckObservationLine.sentence(r[0]) == "12,345 deliveries checked, 0 violations")
    }
}

@Suite struct SummaryObservationTests {
    /// The console summary names what each check observed, as report.html and junit.xml do.
    @Test func theSummaryShowsEachChecksObservations() {
        let r = RunReport(scenarioName: "s", environment: EnvironmentInfo(host: "h", cores: 1, os: "os", swiftVersion: "6", stampedeVersion: "0"),
                          target: TargetInfo(url: "http://x", embedded: true), start: Date(), end: Date(),
                          checks: [CheckResult(name: "ordering", passed: true,
                                               details: ["observations": 12_345, "violations": 0, "observed": "deliveries"])])
        #expect(ProgressPrinter.summary(r, exitCode: 0).contains("  PASS  ordering  (12,345 deliveries checked, 0 violations)\n"))
    }
}
