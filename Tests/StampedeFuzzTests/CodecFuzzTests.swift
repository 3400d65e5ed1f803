import SocketIOWire
import StampedeContract
import StampedeJSON
import Foundation
import Testing

/// Feeds every committed seed, then `STAMPEDE_FUZZ_INPUTS` mutations of
/// them, to every pure decoder a client's bytes reach: Engine.IO packets,
/// polling payloads, Socket.IO packets, the binary assembler, the JSON
/// parser and the contract's request parsers. Decoders may refuse an input
/// (that is their job); they may not trap — a trap ends the process, and
/// `CrashWitness` prints the input that did it.
@Suite(.serialized) final class CodecFuzzTests {
    @Test func testCodecsRefuseOrAcceptEveryInputWithoutTrapping() throws {
        let settings = FuzzSettings.fromEnvironment()
        let corpus = try FuzzCorpus.load()
        CrashWitness.install()
        defer { CrashWitness.uninstall() }
        let seeds = FuzzCorpus.Kind.allCases.filter { $0 != .http && $0 != .wsframe }.flatMap { corpus[$0] }
        #expect(!(seeds.isEmpty), "no corpus under \(FuzzCorpus.directory.path)")
        let bindings = CorpusBindings(values: ["WF": "wf-1", "TOKEN": "t", "SERVICE_TOKEN": "t", "SID": "s", "HOST": "h"])
        var stats = CodecStats()
        for seed in seeds {
            let bytes = bindings.apply(seed.bytes)
            CrashWitness.record("codec seed \(seed.kind.rawValue)/\(seed.name)", bytes)
            stats.add(CodecFeeder.feed(bytes))
        }
        var mutator = Mutator(seed: settings.seed, splices: corpus.allBytes)
        for i in 0..<settings.inputs {
            let seed = mutator.random.pick(seeds)
            let bytes = mutator.mutate(bindings.apply(seed.bytes))
            CrashWitness.record("codec input #\(i) from \(seed.kind.rawValue)/\(seed.name), \(settings.reproduction)", bytes)
            stats.add(CodecFeeder.feed(bytes))
        }
        // A fuzzer that only ever hits the first refusal tests nothing: some
        // mutated inputs must still decode all the way.
        #expect(stats.socketIOAccepted > settings.inputs / 50, "\(stats)")
        #expect(stats.subscribeParsed > 0, "\(stats)")
        print("codec fuzz: \(seeds.count) seeds + \(settings.inputs) inputs, \(stats)")
    }
}

struct CodecStats: CustomStringConvertible {
    var socketIOAccepted = 0
    var socketIORefused = 0
    var subscribeParsed = 0
    var jsonAccepted = 0
    var pollingAccepted = 0

    mutating func add(_ o: CodecFeeder.Outcome) {
        if o.socketIO { socketIOAccepted += 1 } else { socketIORefused += 1 }
        if o.subscribe { subscribeParsed += 1 }
        if o.json { jsonAccepted += 1 }
        if o.polling { pollingAccepted += 1 }
    }

    var description: String {
        "socket.io accepted \(socketIOAccepted) refused \(socketIORefused), subscribe parsed \(subscribeParsed), "
            + "json accepted \(jsonAccepted), polling bodies accepted \(pollingAccepted)"
    }
}
