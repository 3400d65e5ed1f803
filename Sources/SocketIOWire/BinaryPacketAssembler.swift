import StampedeJSON

/// Collects the binary attachments that follow a BINARY_EVENT/BINARY_ACK
/// header. Value type: feed it decoded packets and raw attachments, it tells
/// you when a whole packet is ready.
public struct BinaryPacketAssembler: Sendable {
    public struct Complete: Sendable, Equatable {
        public var packet: SocketIOPacket
        public var attachments: [[UInt8]]
    }

    private var pending: SocketIOPacket?
    private var buffers: [[UInt8]] = []

    public init() {}

    public var isWaitingForAttachments: Bool { pending != nil }

    /// A freshly decoded text packet. Returns it at once unless it announces
    /// attachments.
    public mutating func receive(packet: SocketIOPacket) throws(SocketIOWireError) -> Complete? {
        if pending != nil { throw .invalidPayload("text packet while binary attachments are pending") }
        if packet.attachments == 0 { return Complete(packet: packet, attachments: []) }
        pending = packet
        buffers = []
        return nil
    }

    public mutating func receive(attachment: [UInt8]) throws(SocketIOWireError) -> Complete? {
        guard let p = pending else { throw .unexpectedAttachment }
        buffers.append(attachment)
        guard buffers.count == p.attachments else { return nil }
        pending = nil
        defer { buffers = [] }
        return Complete(packet: p, attachments: buffers)
    }
}
