import Foundation
import HubModel
import Logging
import NIOConcurrencyHelpers
import NIOSSL

/// The TLS certificate a listener presents, reloadable while it runs.
///
/// Every new connection takes the context current at accept (``context``); a ``reload()`` (SIGHUP, or the files
/// changed: certbot/ACME renewals write new files) builds a new context from the files and swaps it in only when
/// the pair is good — readable, the key not readable by group or others, the key matching the certificate. Open
/// connections, WebSockets included, keep the context they were accepted with. A bad pair is refused and logged;
/// the previous certificate is still served.
public final class TLSCertificateStore: Sendable {
    /// The PEM certificate chain (leaf first) and the PEM private key.
    public let certificateFile: String
    public let keyFile: String
    /// The configuration section named in messages (`hub.tls`, `hub.api_tls`).
    public let section: String
    private let logger: Logger
    private let current: NIOLockedValueBox<Loaded>

    /// What was last loaded.
    public struct Loaded: Sendable {
        public let context: NIOSSLContext
        /// The leaf certificate's end of validity.
        public let notValidAfter: Date
        /// The leaf certificate's serial number (hex), to tell certificates apart in logs and tests.
        public let serial: String
    }

    /// The protocols and ciphers: TLS 1.2 and 1.3, ECDHE key exchange with AES-GCM or ChaCha20-Poly1305 for 1.2
    /// (1.3's suites are all modern), HTTP/1.1 by ALPN.
    static let cipherSuites = [
        "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES256-GCM-SHA384",
        "ECDHE-RSA-AES256-GCM-SHA384", "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305",
    ].joined(separator: ":")

    /// Loads the pair; throws ``TLSCertificateError`` (naming the file and what is wrong) when it is not good.
    public init(certificateFile: String, keyFile: String, section: String = "hub.tls", logger: Logger) throws {
        self.certificateFile = certificateFile
        self.keyFile = keyFile
        self.section = section
        self.logger = logger
        let loaded = try Self.load(certificateFile: certificateFile, keyFile: keyFile, section: section)
        current = NIOLockedValueBox(loaded)
        logger.info("TLS certificate loaded (\(section))", metadata: Self.metadata(loaded, file: certificateFile))
    }

    /// The context new connections are accepted with.
    public var context: NIOSSLContext { current.withLockedValue { $0.context } }

    /// What is served now.
    public var loaded: Loaded { current.withLockedValue { $0 } }

    /// Reads the files again; swaps the certificate in when the pair is good, else logs why and keeps serving
    /// the old one. Returns whether it swapped.
    @discardableResult
    public func reload() -> Bool {
        do {
            let loaded = try Self.load(certificateFile: certificateFile, keyFile: keyFile, section: section)
            let previous = current.withLockedValue { state -> String in
                defer { state = loaded }
                return state.serial
            }
            if previous != loaded.serial {
                logger.notice("TLS certificate reloaded (\(section)); new connections get it", metadata: Self.metadata(loaded, file: certificateFile))
            }
            return true
        } catch {
            logger.error("TLS certificate reload refused: \(error); the previous certificate is still served")
            return false
        }
    }

    static func load(certificateFile: String, keyFile: String, section: String) throws -> Loaded {
        let chain: [NIOSSLCertificate]
        do {
            chain = try NIOSSLCertificate.fromPEMBytes(Array(try Data(contentsOf: URL(fileURLWithPath: certificateFile))))
        } catch {
            throw TLSCertificateError("\(section).cert_file \(certificateFile): not a readable PEM certificate chain (\(error))")
        }
        guard let leaf = chain.first else {
            throw TLSCertificateError("\(section).cert_file \(certificateFile): holds no certificate")
        }
        guard let status = FileStatus(path: keyFile) else {
            throw TLSCertificateError("\(section).key_file \(keyFile): cannot be read")
        }
        guard status.mode & 0o077 == 0 else {
            throw TLSCertificateError(
                "\(section).key_file \(keyFile): mode \(String(status.mode & 0o777, radix: 8)) lets others read the key; chmod 600 it")
        }
        let key: NIOSSLPrivateKey
        do {
            key = try NIOSSLPrivateKey(bytes: Array(try Data(contentsOf: URL(fileURLWithPath: keyFile))), format: .pem)
        } catch {
            throw TLSCertificateError("\(section).key_file \(keyFile): not a readable PEM private key (\(error))")
        }
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        configuration.minimumTLSVersion = .tlsv12
        configuration.cipherSuites = cipherSuites
        configuration.applicationProtocols = ["http/1.1"]
        let context: NIOSSLContext
        do {
            context = try NIOSSLContext(configuration: configuration)
        } catch {
            throw TLSCertificateError(
                "\(section): the key in \(keyFile) does not belong to the certificate in \(certificateFile) (\(error))")
        }
        let serial = leaf.serialNumber.map { String(format: "%02x", $0) }.joined()
        return Loaded(context: context, notValidAfter: Date(timeIntervalSince1970: TimeInterval(leaf.notValidAfter)),
                      serial: serial)
    }

    private static func metadata(_ loaded: Loaded, file: String) -> Logger.Metadata {
        ["file": "\(file)", "serial": "\(loaded.serial)", "not_valid_after": "\(loaded.notValidAfter)"]
    }
}

/// A certificate or key that cannot be served, with what is wrong.
public struct TLSCertificateError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}
