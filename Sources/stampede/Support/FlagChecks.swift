import ArgumentParser
import Foundation
import NIOCore

/// Numeric flag ranges and the files and addresses flags name, checked before anything starts,
/// each failure one sentence that names the flag, file or address (issue 15, item 8:
/// `serve --port 70000` used to listen on 4464).
enum FlagChecks {
    /// A usage error (exit 64, with the subcommand's usage) when `value` is outside `range`.
    static func range<T: Comparable>(_ flag: String, _ value: T?, _ range: ClosedRange<T>) throws {
        guard let value else { return }
        guard range.contains(value) else {
            throw ValidationError("\(flag) must be \(range.lowerBound)…\(range.upperBound), got \(value)")
        }
    }

    static func atLeast<T: Comparable>(_ flag: String, _ value: T?, _ minimum: T) throws {
        guard let value else { return }
        guard value >= minimum else { throw ValidationError("\(flag) must be ≥ \(minimum), got \(value)") }
    }

    enum PEMKind { case certificate, privateKey }

    /// Why the PEM file a TLS flag names is unusable, or nil: missing, unreadable, or holding the
    /// other kind of PEM block (a certificate given as the key is the usual slip).
    static func pemProblem(_ flag: String, _ path: String, _ kind: PEMKind) -> String? {
        guard FileManager.default.fileExists(atPath: path) else { return "\(flag) \(path): no such file" }
        guard let data = FileManager.default.contents(atPath: path) else { return "\(flag) \(path): cannot be read" }
        let text = String(decoding: data, as: UTF8.self)
        let hasCertificate = text.contains("-----BEGIN CERTIFICATE-----")
        let hasKey = text.range(of: "-----BEGIN [A-Z ]*PRIVATE KEY-----", options: .regularExpression) != nil
        switch kind {
        case .certificate where !hasCertificate:
            return hasKey ? "\(flag) \(path) holds a private key, not a certificate (swapped with --tls-key?)"
                          : "\(flag) \(path) holds no PEM certificate (-----BEGIN CERTIFICATE-----)"
        case .privateKey where !hasKey:
            return hasCertificate ? "\(flag) \(path) holds a certificate, not a private key (swapped with --tls-cert?)"
                                  : "\(flag) \(path) holds no PEM private key (-----BEGIN … PRIVATE KEY-----)"
        default:
            return nil
        }
    }

    /// One sentence for a failed listen: the address and what the system said, plainly.
    static func listenProblem(_ error: Error, host: String, port: Int) -> String {
        let address = "\(host.contains(":") ? "[\(host)]" : host):\(port)"
        if let io = error as? IOError {
            switch io.errnoCode {
            case EADDRINUSE: return "cannot listen on \(address): the address is already in use (another server on that port?)"
            case EACCES: return "cannot listen on \(address): permission denied (ports below 1024 need privileges)"
            case EADDRNOTAVAIL: return "cannot listen on \(address): no such local address"
            default: return "cannot listen on \(address): \(io.description)"
            }
        }
        return "cannot start on \(address): \(error)"
    }
}
