import Foundation

/// A throwaway self-signed certificate for `localhost`/127.0.0.1, made by
/// the system's openssl, so the wss:// path runs against real TLS.
struct SelfSignedCertificate {
    let certPath: String
    let keyPath: String

    static func make() throws -> SelfSignedCertificate {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("stampede-client-tls-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let cert = dir.appendingPathComponent("cert.pem").path
        let key = dir.appendingPathComponent("key.pem").path
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        p.arguments = ["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "1",
                       "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost,IP:127.0.0.1"]
        p.standardError = FileHandle.nullDevice
        p.standardOutput = FileHandle.nullDevice
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else { throw CocoaError(.fileWriteUnknown) }
        return SelfSignedCertificate(certPath: cert, keyPath: key)
    }
}
