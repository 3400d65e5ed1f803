/// The HTTP long-polling body format of Engine.IO v4: packets joined by the
/// record separator 0x1E; binary packets written as `b` + base64.
public enum PollingPayload {
    public static let separator: UInt8 = 0x1E

    public static func encode(_ packets: [EngineIOPacket]) -> String {
        var out = ""
        for (i, p) in packets.enumerated() {
            if i > 0 { out.unicodeScalars.append(Unicode.Scalar(separator)) }
            out += p.textFrame
        }
        return out
    }

    /// Decodes a POST body. Any empty or unparsable record fails the whole
    /// body, which closes the session (the reference server's rule).
    public static func decode(_ body: String) throws(EngineIOWireError) -> [EngineIOPacket] {
        if body.isEmpty { throw .invalidPayload("empty body") }
        var packets: [EngineIOPacket] = []
        for record in body.utf8.split(separator: separator, omittingEmptySubsequences: false) {
            guard let first = record.first else { throw .invalidPayload("empty packet") }
            if first == UInt8(ascii: "b") {
                guard let bytes = Base64.decode(Substring(record.dropFirst())) else {
                    throw .invalidPayload("bad base64 in binary packet")
                }
                packets.append(EngineIOPacket(binaryMessage: bytes))
            } else {
                guard let type = EngineIOPacketType(digit: first) else {
                    throw .invalidPayload("unknown packet type \(UnicodeScalar(first))")
                }
                packets.append(EngineIOPacket(type, String(decoding: record.dropFirst(), as: UTF8.self)))
            }
        }
        return packets
    }
}
