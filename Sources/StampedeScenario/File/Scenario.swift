import StampedeJSON

/// A loaded, validated scenario: everything the plan and runner need, with no YAML left in it.
public struct Scenario: Sendable {
    public var name: String
    public var description: String?
    public var target: Target
    /// Options for the embedded server (snake_case keys as in the file); the CLI maps them.
    public var server: [String: JSONValue]
    public var auth: AuthSpec
    public var variables: [String: String]
    public var phases: [Phase]
    public var workflows: WorkflowSpec
    public var groups: [ClientGroup]
    public var publishers: [PublisherSpec]
    public var checks: [CheckSpec]
    public var budgets: [Budget]
    public var abortOnFail: Bool
    /// How long a failing budget may stay failing before `abort_on_fail` stops the run.
    public var abortGraceSeconds: Double
    /// After the last phase: time for in-flight deliveries to arrive before clients are stopped.
    public var drainSeconds: Double
    /// The file as resolved (variables applied), for the report.
    public var resolved: JSONValue
    /// `require_connected` (default true): a run in which no client ever completed a CONNECT
    /// (and none was refused on purpose) fails, whatever its checks and budgets say.
    public var requireConnected: Bool = true
    /// `error_rate_ceiling` (default 1%, `off` to disable): an implicit `errors.rate` budget
    /// for scenarios that declare none, so a run of failures cannot pass.
    public var errorRateCeiling: Double? = Scenario.defaultErrorRateCeiling

    public static let defaultErrorRateCeiling = 0.01
    /// Appended to the default ceiling's expression so reports say where it came from.
    public static let defaultCeilingNote = " (default ceiling)"

    public var totalDuration: Double { phases.reduce(0) { $0 + $1.duration } }

    /// The budgets the run is judged by: the file's and `--budget`'s, plus the default error-rate
    /// ceiling when none of them is an `errors.rate` budget.
    public var effectiveBudgets: [Budget] {
        guard let ceiling = errorRateCeiling, !budgets.contains(where: { $0.subject == .errorRate }) else { return budgets }
        let text = String(format: "%g%%", ceiling * 100)
        return budgets + [Budget(expression: "errors.rate <= \(text)\(Scenario.defaultCeilingNote)", subject: .errorRate,
                                 comparison: .lessOrEqual, limit: ceiling)]
    }

    /// True when the file asked for nothing to be judged: only the default gates decide.
    public var judgesNothing: Bool { checks.isEmpty && budgets.isEmpty }
}

public enum Target: Sendable, Equatable {
    case embedded
    case url(String)
}

public struct AuthSpec: Sendable {
    public var users: Int = 10
    public var userPrefix: String = "u"
    /// nil = from --jwt-secret / STAMPEDE_JWT_SECRET / "dev-secret".
    public var secret: String?
    public var audience: String?
    /// Lifetime of minted tokens.
    public var expiresInSeconds: Double = 3600
    /// `users_file`: the users' ids, in order (then `users` is their count).
    public var userIDs: [String]? = nil
    /// `users_file` with a `token` column: pre-minted tokens, one per user, used as they are.
    public var tokens: [String]? = nil
    /// `service_token` / `admin_token`: pre-minted tokens for publishing and the stats endpoint.
    public var serviceToken: String? = nil
    public var adminToken: String? = nil
    public init() {}

    /// Zero-padded so ids sort and never collide across prefixes: u0000…u0199.
    public func userID(_ index: Int) -> String {
        if let userIDs { return userIDs[index % userIDs.count] }
        let width = max(4, String(max(users - 1, 0)).count)
        let digits = String(index)
        return userPrefix + String(repeating: "0", count: max(0, width - digits.count)) + digits
    }
}

public struct Phase: Sendable, Equatable {
    public var name: String
    public var duration: Double
    public var load: LoadModel
}

public enum LoadModel: Sendable, Equatable {
    /// Concurrent clients ramping linearly from → to over the phase (to == from: hold).
    case closed(from: Int?, to: Int)
    /// Client sessions arriving per second, ramping linearly; each runs its steps once.
    case open(fromRate: Double, toRate: Double)
    /// Keep whatever the previous phase left running.
    case hold
}

public struct WorkflowSpec: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable { case external, search }
    public enum Ownership: String, Sendable, CaseIterable { case perUser = "per_user", single }
    public var count: Int = 0
    public var kind: Kind = .external
    public var owner: Ownership = .perUser
    public var query: String = "swift nio"
}

public struct ClientGroup: Sendable {
    public var name: String
    public var weight: Int
    public var steps: [Step]
}

public struct PublisherSpec: Sendable, Equatable {
    /// Events per second, per workflow (`per: workflow`) or spread over all workflows (`per: total`).
    public var rate: Double
    public var perWorkflow: Bool
    public var event: String
    public var payloadBytes: Int
    /// Events per HTTP request (the API accepts up to 100): every request carries exactly
    /// this many, at `rate` events per second in all (so rate / batch requests per second).
    public var batch: Int
    /// Phase names during which it publishes; empty = all phases.
    public var phases: [String]
    /// Finish every workflow with `workflow_status completed` once the last phase ends.
    public var completeAtEnd: Bool
}

public struct CheckSpec: Sendable {
    public var kind: CheckKind
    public var options: [String: JSONValue]
}

extension CheckSpec {
    /// A duration option written either way people write them: `50s`,
    /// `500ms`, or a bare number of seconds.
    public func seconds(_ key: String) -> Double? {
        guard let v = options[key] else { return nil }
        return v.stringValue.flatMap(DurationText.seconds) ?? v.doubleValue
    }
}

public enum CheckKind: String, Sendable, CaseIterable, Codable {
    case ordering, isolation, terminal, recovery
    case authRejected = "auth_rejected"
    case rateLimitEnforced = "rate_limit_enforced"
    case rateLimitIsolated = "rate_limit_isolated"
    case statsMatch = "stats_match"
    case statsReturnToBaseline = "stats_return_to_baseline"
    case heartbeat
    case slowConsumerBounded = "slow_consumer_bounded"
}
