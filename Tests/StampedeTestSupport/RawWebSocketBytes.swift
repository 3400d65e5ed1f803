import NIOCore

/// WebSocket frames built byte by byte, so tests can send what no proper
/// client would (unmasked, RSV bits, reserved opcodes, bad UTF-8) and read
/// what comes back without a decoder's help.
package enum RawFrames {
    package static let upgradeKey = "dGhlIHNhbXBsZSBub25jZQ=="

    package static func upgradeRequest(path: String = "/socket.io/?EIO=4&transport=websocket", port: Int,
                               key: String? = upgradeKey, version: String = "13", extra: [(String, String)] = []) -> String {
        var s = "GET \(path) HTTP/1.1\r\nHost: 127.0.0.1:\(port)\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
        if let key { s += "Sec-WebSocket-Key: \(key)\r\n" }
        s += "Sec-WebSocket-Version: \(version)\r\n"
        for (k, v) in extra { s += "\(k): \(v)\r\n" }
        return s + "\r\n"
    }

    /// One frame; `mask` nil sends it unmasked.
    package static func frame(opcode: UInt8, payload: [UInt8], fin: Bool = true, rsv: UInt8 = 0,
                      mask: [UInt8]? = [1, 2, 3, 4]) -> [UInt8] {
        var out: [UInt8] = [(fin ? 0x80 : 0) | (rsv << 4) | opcode]
        let m: UInt8 = mask == nil ? 0 : 0x80
        if payload.count < 126 {
            out.append(m | UInt8(payload.count))
        } else {
            out.append(m | 126)
            out += [UInt8(payload.count >> 8), UInt8(payload.count & 0xFF)]
        }
        guard let mask else { return out + payload }
        out += mask
        out += payload.enumerated().map { $0.element ^ mask[$0.offset % 4] }
        return out
    }

    /// The close code of the first close frame (server frames are unmasked).
    package static func closeCode(in bytes: [UInt8]) -> UInt16? {
        var i = 0
        while i + 2 <= bytes.count {
            let opcode = bytes[i] & 0x0F
            var len = Int(bytes[i + 1] & 0x7F)
            var start = i + 2
            if len == 126 {
                guard start + 2 <= bytes.count else { return nil }
                len = Int(bytes[start]) << 8 | Int(bytes[start + 1])
                start += 2
            }
            if opcode == 0x8 {
                guard len >= 2, start + 2 <= bytes.count else { return nil }
                return UInt16(bytes[start]) << 8 | UInt16(bytes[start + 1])
            }
            i = start + len
        }
        return nil
    }
}
