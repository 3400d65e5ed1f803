/// The one JUnit XML writer of the project: `stampede run`'s junit.xml (`JUnitWriter`) and
/// `stampede conformance --junit` (`ConformanceJUnit`) both describe their results as suites of
/// cases and let this type write the XML, so escaping, attribute order and the elements CI
/// systems read (Jenkins, GitLab, GitHub test reporters) are decided in one place.
public struct JUnitDocument: Sendable, Equatable {
    public var name: String
    public var suites: [Suite]

    public struct Suite: Sendable, Equatable {
        public var name: String
        /// Seconds; nil leaves `time` out (the producer measured nothing for the suite).
        public var time: Double?
        /// ISO-8601, as JUnit readers expect on `<testsuite timestamp=…>`.
        public var timestamp: String?
        /// `<properties>`: what CI shows beside the results (commit, version, target …).
        public var properties: [(name: String, value: String)]
        public var cases: [Case]

        public init(name: String, time: Double? = nil, timestamp: String? = nil,
                    properties: [(name: String, value: String)] = [], cases: [Case] = []) {
            self.name = name
            self.time = time
            self.timestamp = timestamp
            self.properties = properties
            self.cases = cases
        }

        public static func == (a: Suite, b: Suite) -> Bool {
            a.name == b.name && a.time == b.time && a.timestamp == b.timestamp && a.cases == b.cases
                && a.properties.map(\.name) == b.properties.map(\.name) && a.properties.map(\.value) == b.properties.map(\.value)
        }

        var failures: Int { cases.filter { if case .failure = $0.outcome { return true } else { return false } }.count }
        var errors: Int { cases.filter { if case .error = $0.outcome { return true } else { return false } }.count }
        var skipped: Int { cases.filter { if case .skipped = $0.outcome { return true } else { return false } }.count }
    }

    public struct Case: Sendable, Equatable {
        public var classname: String
        public var name: String
        /// Seconds; nil leaves `time` out.
        public var time: Double?
        public var outcome: Outcome
        /// `<system-out>`: a passing case's evidence, a warning's text.
        public var output: String?

        public init(classname: String, name: String, time: Double? = nil, outcome: Outcome = .passed, output: String? = nil) {
            self.classname = classname
            self.name = name
            self.time = time
            self.outcome = outcome
            self.output = output
        }
    }

    public enum Outcome: Sendable, Equatable {
        case passed
        /// An assertion that did not hold: `<failure type message>body</failure>`.
        case failure(type: String?, message: String, body: String)
        /// The case could not be judged (the run never finished): `<error type message/>`.
        case error(type: String, message: String)
        case skipped(message: String)
    }

    public init(name: String, suites: [Suite]) {
        self.name = name
        self.suites = suites
    }

    public func render() -> String {
        let all = suites.flatMap(\.cases)
        var x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        x += "<testsuites name=\"\(e(name))\" tests=\"\(all.count)\" failures=\"\(suites.map(\.failures).reduce(0, +))\""
        x += " errors=\"\(suites.map(\.errors).reduce(0, +))\""
        if let t = suites.compactMap(\.time).max() { x += " time=\"\(Self.seconds(t))\"" }
        x += ">\n"
        for suite in suites { x += render(suite) }
        return x + "</testsuites>\n"
    }

    private func render(_ s: Suite) -> String {
        var x = "  <testsuite name=\"\(e(s.name))\" tests=\"\(s.cases.count)\" failures=\"\(s.failures)\" errors=\"\(s.errors)\" skipped=\"\(s.skipped)\""
        if let t = s.time { x += " time=\"\(Self.seconds(t))\"" }
        if let stamp = s.timestamp { x += " timestamp=\"\(e(stamp))\"" }
        x += ">\n"
        if !s.properties.isEmpty {
            x += "    <properties>\n"
            for p in s.properties { x += "      <property name=\"\(e(p.name))\" value=\"\(e(p.value))\"/>\n" }
            x += "    </properties>\n"
        }
        for c in s.cases {
            x += "    <testcase classname=\"\(e(c.classname))\" name=\"\(e(c.name))\""
            if let t = c.time { x += " time=\"\(Self.seconds(t))\"" }
            x += ">\n"
            switch c.outcome {
            case .passed: break
            case .failure(let type, let message, let body):
                x += "      <failure" + (type.map { " type=\"\(e($0))\"" } ?? "") + " message=\"\(e(message))\">\(e(body))</failure>\n"
            case .error(let type, let message):
                x += "      <error type=\"\(e(type))\" message=\"\(e(message))\"/>\n"
            case .skipped(let message):
                x += "      <skipped message=\"\(e(message))\"/>\n"
            }
            if let out = c.output { x += "      <system-out>\(e(out))</system-out>\n" }
            x += "    </testcase>\n"
        }
        return x + "  </testsuite>\n"
    }

    /// Seconds with millisecond precision, as JUnit readers parse them.
    public static func seconds(_ s: Double) -> String { String(format: "%.3f", Swift.max(0, s)) }

    private func e(_ s: String) -> String { XMLEscaping.escape(s) }
}
