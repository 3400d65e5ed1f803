/// One thing a virtual client does. Steps run in order; each completes (or fails) before the next.
public indirect enum Step: Sendable, Equatable {
    case connect(ConnectStep)
    case subscribe(SubscribeStep)
    case createWorkflow(CreateWorkflowStep)
    case await(AwaitStep)
    case publish(PublishStep)
    case think(ThinkStep)
    case unsubscribe(workflow: WorkflowRef)
    case disconnect(DisconnectMode)
    case reconnect(ReconnectStep)
    case spam(SpamStep)
    /// Stop reading the socket (a slow consumer) for up to `seconds`; the server should cut it off.
    case pauseReading(seconds: Double)
    case repeatSteps(times: Int, steps: [Step])

    public var name: String {
        switch self {
        case .connect: "connect"
        case .subscribe: "subscribe"
        case .createWorkflow: "create_workflow"
        case .await: "await"
        case .publish: "publish"
        case .think: "think"
        case .unsubscribe: "unsubscribe"
        case .disconnect: "disconnect"
        case .reconnect: "reconnect"
        case .spam: "spam"
        case .pauseReading: "pause_reading"
        case .repeatSteps: "repeat"
        }
    }
}

public enum TransportChoice: String, Sendable, CaseIterable { case websocket, polling, upgrade }

/// Which token a client presents — the bad ones exist to prove the server refuses them.
public enum TokenChoice: String, Sendable, CaseIterable {
    case valid, expired
    case notYetValid = "not_yet_valid"
    case badSignature = "bad_signature"
    case malformed, missing
    case wrongAudience = "wrong_audience"
    case service

    /// The CONNECT_ERROR code the contract requires for this token, nil when it must be accepted.
    public var expectedRefusal: String? {
        switch self {
        case .valid, .service: nil
        case .expired: "token_expired"
        case .notYetValid: "token_not_yet_valid"
        case .badSignature: "token_invalid_signature"
        case .malformed: "token_malformed"
        case .missing: "token_missing"
        case .wrongAudience: "audience_mismatch"
        }
    }
}

public enum TokenPlacement: String, Sendable, CaseIterable { case auth, header, query }

public struct ConnectStep: Sendable, Equatable {
    public var transport: TransportChoice = .websocket
    public var token: TokenChoice = .valid
    public var placement: TokenPlacement = .auth
    /// nil = expect success unless the token variant says otherwise.
    public var expect: String?
    public var timeout: Double = 10
    public init() {}
    public var expectedRefusal: String? { expect == "ok" ? nil : (expect ?? token.expectedRefusal) }
}

public enum WorkflowRef: Sendable, Equatable {
    /// A workflow owned by the client's user.
    case own
    /// A workflow owned by a different user (isolation: must be refused with `forbidden`).
    case other
    /// An id no one created (`not_found`).
    case unknown
    /// The workflow the client created in a `create_workflow` step.
    case created
    /// The scenario workflow with this index.
    case index(Int)
}

public struct SubscribeStep: Sendable, Equatable {
    public var workflow: WorkflowRef = .own
    public var since: Int64?
    /// nil = "ok" for own/created/index, "forbidden" for other, "not_found" for unknown.
    public var expect: String?
    public var timeout: Double = 10

    public var expectedOutcome: String {
        if let expect { return expect }
        switch workflow {
        case .other: return "forbidden"
        case .unknown: return "not_found"
        default: return "ok"
        }
    }
}

public struct CreateWorkflowStep: Sendable, Equatable {
    public var kind: WorkflowSpec.Kind = .search
    public var query: String = "swift nio"
    /// Subscribe to it right after the 202 (the frontend's pattern).
    public var subscribe: Bool = true
}

public struct AwaitStep: Sendable, Equatable {
    public enum Until: Sendable, Equatable {
        case event(type: String?, status: String?, count: Int)
        case phaseEnd
        case phaseStart(String)
        case runEnd
    }
    public var until: Until
    public var timeout: Double?
}

public struct PublishStep: Sendable, Equatable {
    public var workflow: WorkflowRef = .own
    public var count: Int = 1
    public var rate: Double = 10
    public var batch: Int = 1
    public var event: String = "node_update"
    public var payloadBytes: Int = 0
}

public struct ThinkStep: Sendable, Equatable {
    public var minSeconds: Double
    public var maxSeconds: Double
}

public enum DisconnectMode: String, Sendable, CaseIterable { case clean, abrupt, silent }

public struct ReconnectStep: Sendable, Equatable {
    public enum Resume: String, Sendable, CaseIterable { case since, recovery, none }
    public var resume: Resume = .since
    public var timeout: Double = 10
}

public struct SpamStep: Sendable, Equatable {
    public var rate: Double
    public var duration: Double
    /// Which request to send: subscribe (acked) is the contract's rate-limited event.
    public var event: String = "subscribe"
}
