/// A hand-rolled client WebSocket over `FuzzSocket`: the fuzzer needs to
/// put bytes on the wire that no WebSocket library would (bad RSV bits,
/// unmasked frames, lying lengths), so framing is done here, by hand.
final class FuzzWebSocket {
    let socket: FuzzSocket
    private var pending: [UInt8] = []

    private init(socket: FuzzSocket) { self.socket = socket }

    /// Upgrades `/socket.io/?EIO=4&transport=websocket`, reads the open
    /// packet and, with `auth`, joins `/` (`40{auth}` → `40{...}`).
    static func open(port: Int, auth: String?) -> FuzzWebSocket? {
        guard let s = FuzzSocket(port: port) else { return nil }
        let request = "GET /socket.io/?EIO=4&transport=websocket HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\n"
            + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
            + "Sec-WebSocket-Version: 13\r\n\r\n"
        guard s.send(Array(request.utf8)) else { return nil }
        let answer = s.read(ms: 2_000) { HTTPWire.headEnd($0) != nil }
        guard HTTPWire.status(answer) == 101, let end = HTTPWire.headEnd(answer) else { return nil }
        let ws = FuzzWebSocket(socket: s)
        ws.pending = Array(answer[(end + 4)...])
        guard let open = ws.nextText(ms: 2_000), open.hasPrefix("0") else { return nil }
        if let auth {
            ws.sendText("40" + auth)
            while let t = ws.nextText(ms: 2_000) {
                if t.hasPrefix("40") { return ws }
                if t.hasPrefix("44") { return nil }
            }
            return nil
        }
        return ws
    }

    /// A well-formed masked client frame.
    static func frame(opcode: UInt8, _ payload: [UInt8], fin: Bool = true, rsv: UInt8 = 0, mask: [UInt8]? = [0x37, 0xFA, 0x21, 0x3D]) -> [UInt8] {
        var f: [UInt8] = [(fin ? 0x80 : 0) | (rsv << 4) | opcode]
        let maskBit: UInt8 = mask == nil ? 0 : 0x80
        let n = payload.count
        if n < 126 {
            f.append(maskBit | UInt8(n))
        } else if n <= 0xFFFF {
            f.append(maskBit | 126)
            f += [UInt8(n >> 8), UInt8(n & 0xFF)]
        } else {
            f.append(maskBit | 127)
            f += (0..<8).reversed().map { UInt8((n >> ($0 * 8)) & 0xFF) }
        }
        guard let mask else { return f + payload }
        f += mask
        f += payload.enumerated().map { $0.element ^ mask[$0.offset & 3] }
        return f
    }

    @discardableResult
    func sendText(_ text: String) -> Bool { socket.send(Self.frame(opcode: 1, Array(text.utf8))) }

    @discardableResult
    func sendFrame(opcode: UInt8, _ payload: [UInt8]) -> Bool { socket.send(Self.frame(opcode: opcode, payload)) }

    @discardableResult
    func sendRaw(_ bytes: [UInt8]) -> Bool { socket.send(bytes) }

    var isOpen: Bool { socket.fd >= 0 && !socket.closedByPeer }

    /// Reads what is waiting (waiting up to `ms`), answers heartbeats and
    /// drops the rest; a close frame closes our side too.
    func pump(ms: Int) {
        pending += socket.read(ms: ms)
        while let (opcode, payload) = takeFrame() {
            if opcode == 8 { socket.close(); return }
            if opcode == 1, payload == [UInt8(ascii: "2")] { sendText("3") }
        }
    }

    /// The next server text frame within `ms`.
    func nextText(ms: Int) -> String? {
        let deadline = FuzzSocket.nowMs() + ms
        while true {
            while let (opcode, payload) = takeFrame() {
                if opcode == 8 { return nil }
                if opcode == 1 { return String(decoding: payload, as: UTF8.self) }
            }
            let left = deadline - FuzzSocket.nowMs()
            guard left > 0, isOpen else { return nil }
            let more = socket.read(ms: left) { _ in true }
            if more.isEmpty { return nil }
            pending += more
        }
    }

    /// One whole server frame (unmasked) from `pending`.
    private func takeFrame() -> (UInt8, [UInt8])? {
        guard pending.count >= 2 else { return nil }
        let opcode = pending[0] & 0x0F
        var len = Int(pending[1] & 0x7F)
        var header = 2
        if len == 126 {
            guard pending.count >= 4 else { return nil }
            len = Int(pending[2]) << 8 | Int(pending[3])
            header = 4
        } else if len == 127 {
            guard pending.count >= 10 else { return nil }
            len = pending[2..<10].reduce(0) { $0 << 8 | Int($1) }
            header = 10
        }
        guard pending.count >= header + len else { return nil }
        let payload = Array(pending[header..<(header + len)])
        pending.removeFirst(header + len)
        return (opcode, payload)
    }

    func close() { socket.close() }
}
