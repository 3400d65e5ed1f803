import NIOCore

/// The timeouts of one HTTP connection as a value: which phase it is in
/// and when that phase runs out. Silent, dribbling and abandoned
/// connections hold a file each; these deadlines are what frees them
/// (header 10 s, body progress 10 s, keep-alive idle 60 s by default).
/// A request being answered — a held long-poll GET among them — has no
/// deadline here: the Engine.IO heartbeat bounds it.
struct HTTPConnectionClock {
    struct Limits {
        var header: TimeAmount
        var body: TimeAmount
        var idle: TimeAmount
    }

    enum Phase: Equatable {
        case idle(since: NIODeadline)
        /// Bytes of a request arrived; its head is not complete yet.
        case head(started: NIODeadline)
        case body(lastProgress: NIODeadline)
        case responding
    }

    enum Expiry: Equatable {
        case idle
        case header
        case body
    }

    let limits: Limits
    private(set) var phase: Phase
    /// The current request's answer is complete (it may come before the
    /// request's own end: refusals are answered at the head).
    private var answered = false
    /// A connection that has not completed a request yet gets the header
    /// timeout, not the idle one: a socket that never sends a byte holds a
    /// file too.
    private var served = false
    /// The body's overall deadline: progress alone is not enough (a byte a
    /// second is progress); the body must also average `minimumBodyRate`.
    private var bodyDeadline: NIODeadline?
    static let minimumBodyRate = 16 * 1024

    init(limits: Limits, now: NIODeadline) {
        self.limits = limits
        self.phase = .idle(since: now)
    }

    var deadline: NIODeadline? {
        switch phase {
        case .idle(let t): return t + (served ? limits.idle : limits.header)
        case .head(let t): return t + limits.header
        case .body(let t):
            let progress = t + limits.body
            guard let overall = bodyDeadline else { return progress }
            return min(progress, overall)
        case .responding: return nil
        }
    }

    func expired(at now: NIODeadline) -> Expiry? {
        guard let d = deadline, now >= d else { return nil }
        switch phase {
        case .idle: return .idle
        case .head: return .header
        case .body: return .body
        case .responding: return nil
        }
    }

    mutating func bytesArrived(now: NIODeadline) {
        switch phase {
        case .idle: phase = .head(started: now)
        case .body: phase = .body(lastProgress: now)
        case .head, .responding: break
        }
    }

    mutating func headReceived(now: NIODeadline, contentLength: Int? = nil) {
        answered = false
        bodyDeadline = contentLength.map { now + limits.body + .seconds(Int64($0 / Self.minimumBodyRate)) }
        phase = .body(lastProgress: now)
    }

    mutating func requestEnded(now: NIODeadline) {
        served = true
        bodyDeadline = nil
        phase = answered ? .idle(since: now) : .responding
    }

    mutating func responseEnded(now: NIODeadline) {
        answered = true
        if phase == .responding { phase = .idle(since: now) }
    }
}
