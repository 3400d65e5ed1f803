import SocketIOWire
import StampedeContract
import StampedeJSON

/// One input through every decoder, the way the server chains them. Shared
/// by the XCTest fuzzer and the libFuzzer entry (scripts/libfuzzer.sh),
/// so it imports nothing but the codec modules.
enum CodecFeeder {
    struct Outcome {
        var socketIO = false
        var subscribe = false
        var json = false
        var polling = false
    }

    static func feed(_ bytes: [UInt8]) -> Outcome {
        var o = Outcome()
        let text = String(decoding: bytes, as: UTF8.self)
        if let v = try? JSONParser.parse(bytes) {
            o.json = true
            _ = v.serialized
            o.subscribe = contract(v.arrayValue ?? [v]) || o.subscribe
            _ = WorkflowEventBody.parsePublished(v)
        }
        if let p = try? EngineIOPacket.decode(textFrame: text) { _ = p.textFrame }
        _ = EngineIOPacket.decode(binaryFrame: bytes).textFrame
        if let packets = try? PollingPayload.decode(text) {
            o.polling = true
            _ = PollingPayload.encode(packets)
            var assembler = BinaryPacketAssembler()
            for p in packets { assemble(p, &assembler) }
        }
        if let p = try? SocketIOPacket.decode(text) {
            o.socketIO = true
            // What the server echoes back must decode again.
            _ = try? SocketIOPacket.decode(p.encoded)
            if p.eventName == RequestName.subscribe || p.eventName == RequestName.unsubscribe {
                o.subscribe = contract(p.eventArguments) || o.subscribe
            }
            var assembler = BinaryPacketAssembler()
            _ = try? assembler.receive(packet: p)
            for _ in 0...min(p.attachments, 12) { _ = try? assembler.receive(attachment: bytes) }
        }
        _ = try? EngineIORequestQuery.parse(query: text)
        _ = QueryString.parse(text)
        _ = Base64.decode(Substring(text))
        _ = try? EngineIOOpenPayload(parsing: text)
        _ = WorkflowID.isValid(text)
        _ = EventTypeName.isValidCustom(text)
        return o
    }

    /// The contract parsers on an event's arguments; true if a subscribe parsed.
    private static func contract(_ args: [JSONValue]) -> Bool {
        _ = UnsubscribeRequest.parse(args)
        if case .success(let r) = SubscribeRequest.parse(args) {
            _ = r.json
            return true
        }
        return false
    }

    /// An Engine.IO message as the server's socket layer takes it apart.
    private static func assemble(_ p: EngineIOPacket, _ assembler: inout BinaryPacketAssembler) {
        do {
            switch p.payload {
            case .binary(let b):
                _ = try assembler.receive(attachment: b)
            case .text(let t):
                guard p.type == .message else { return }
                _ = try assembler.receive(packet: try SocketIOPacket.decode(t))
            }
        } catch {
            assembler = BinaryPacketAssembler()  // the server closes the connection here
        }
    }
}
