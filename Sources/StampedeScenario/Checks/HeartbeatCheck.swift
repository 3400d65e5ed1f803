/// SOCKETIO.md heartbeat: after the handshake the server pings every `pingInterval`. The next
/// ping follows the interval after the pong, so an early ping breaks the contract; a late one
/// matters only past the slack (a busy server or generator delays timers a little).
struct HeartbeatCheck {
    enum Outcome: Equatable {
        /// No handshake interval to judge against yet.
        case unarmed
        case onTime
        case early(gapMicros: UInt64, intervalMicros: UInt64)
        case late(gapMicros: UInt64, intervalMicros: UInt64)

        var judgement: CheckJudgement {
            switch self {
            case .unarmed: .none
            case .onTime: .observed
            case .early(let gap, let interval):
                .violated(expected: "ping every \(interval / 1000)ms", seen: "\(gap / 1000)ms (early)")
            case .late(let gap, let interval):
                .violated(expected: "ping every \(interval / 1000)ms", seen: "\(gap / 1000)ms (late)")
            }
        }
    }

    let slackMicros: UInt64
    private var intervalMicros: UInt64 = 0
    private var lastPingMicros: UInt64 = 0

    init(slackMicros: UInt64) { self.slackMicros = slackMicros }

    /// The handshake: the clock starts now.
    mutating func opened(at now: UInt64, pingIntervalMillis: Int) {
        intervalMicros = UInt64(max(0, pingIntervalMillis)) * 1000
        lastPingMicros = now
    }

    mutating func ping(at now: UInt64) -> Outcome {
        guard intervalMicros > 0 else { return .unarmed }
        let gap = now &- lastPingMicros
        lastPingMicros = now
        let early = intervalMicros / 10 * 9 &- min(intervalMicros / 10 * 9, 50_000)
        if gap < early { return .early(gapMicros: gap, intervalMicros: intervalMicros) }
        if gap > intervalMicros + slackMicros { return .late(gapMicros: gap, intervalMicros: intervalMicros) }
        return .onTime
    }
}
