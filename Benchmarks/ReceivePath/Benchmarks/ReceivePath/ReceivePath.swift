import Benchmark
import NIOCore
import StampedeClient

/// What the generator receives in `scenarios/bench/fanout-floor.yaml`: a `tool_update` with a
/// 23-character workflow id (`wf_` + 20 hex, as the server makes them), the generator's
/// `sent_at_us` and 120 bytes of payload, as the payload of one WebSocket text frame.
func frame(seq: Int) -> String {
    #"42["tool_update",{"workflow_id":"wf_3f9a0c1d2e4b5a6978c0","seq":\#(seq),"ts":1796157000123.456,"#
        + #""type":"tool_update","tool":"LoadTool","status":"executing","sent_at_us":1796157000120000,"#
        + #""pad":"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"}]"#
}

/// A state machine past the handshake, as a subscribed virtual client's is.
func connectedMachine() -> ClientStateMachine {
    var m = ClientStateMachine(connectPayload: ["token": "t"])
    _ = m.receive(#"0{"sid":"e1","upgrades":[],"pingInterval":25000,"pingTimeout":20000,"maxPayload":1000000}"#)
    _ = m.receive(#"40{"sid":"s1"}"#)
    return m
}

/// Frames laid out as one read holds them, each payload a slice of that one buffer (what
/// NIO's frame decoder hands the client's frame handler).
func payloads(count: Int) -> [ByteBuffer] {
    var read = ByteBuffer()
    var spans: [(Int, Int)] = []
    for i in 0..<count {
        read.writeBytes([0x81, 0x7E, 0, 0])  // a text frame's header (length bytes not read here)
        let at = read.writerIndex
        read.writeString(frame(seq: i + 1))
        spans.append((at, read.writerIndex - at))
    }
    return spans.map { read.getSlice(at: $0.0, length: $0.1)! }
}

/// One payload through the state machine, as `WebSocketFrameHandler` → `ClientConnection` do it.
@inline(__always) func deliver(_ m: inout ClientStateMachine, _ payload: ByteBuffer) -> ClientStateMachine.Action {
    #if RECEIVE_PATH_TEXT_API
    m.receive(String(buffer: payload))
    #else
    m.receive(payload)
    #endif
}

/// Reads what a check reads, so no field's work is optimised away.
@inline(__always) func consume(_ a: ClientStateMachine.Action) -> Int {
    guard case .event(let e) = a else { fatalError("not an event: \(a)") }
    return (e.workflowID?.utf8.count ?? 0) &+ Int(e.seq ?? 0) &+ Int(e.sentAtMicros ?? 0) &+ e.name.utf8.count
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .throughput, .mallocCountTotal],
        maxDuration: .seconds(3),
        maxIterations: 10_000
    )

    // 1,000 frames per iteration (so µs per iteration = ns per frame, mallocs ÷ 1,000 per frame),
    // each alone in its read (one frame per `read()`).
    Benchmark("EVENT frame → ReceivedEvent, one frame per read") { benchmark in
        var m = connectedMachine()
        let reads = (0..<1000).map { _ in payloads(count: 1).first! }
        var sink = 0
        benchmark.startMeasurement()
        for p in reads { sink &+= consume(deliver(&m, p)) }
        benchmark.stopMeasurement()
        blackHole(sink)
    }

    // 1,000 frames per iteration, ten per read (a batched publish reaching one socket).
    Benchmark("EVENT frame → ReceivedEvent, ten frames per read") { benchmark in
        var m = connectedMachine()
        let reads = (0..<100).map { _ in payloads(count: 10) }
        var sink = 0
        benchmark.startMeasurement()
        for read in reads { for p in read { sink &+= consume(deliver(&m, p)) } }
        benchmark.stopMeasurement()
        blackHole(sink)
    }
}
