import Foundation
import HubConfig
import HubProxy
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOSSL

/// The certificates of the two listeners (`hub.tls` for the proxy, `hub.api_tls` for the hub API), loaded at
/// start (a bad pair stops the start with its reason) and read again on every reload.
struct HubCertificates: Sendable {
    let proxy: TLSCertificateStore?
    let hubAPI: TLSCertificateStore?
    /// How the proxy verifies the hub API when it speaks TLS.
    let upstreamTLS: UpstreamTLS?

    init(config: HubConfiguration) throws {
        let logger = Logger(label: "slurmhub.tls")
        let (tls, apiTLS) = (config.hub.tls, config.hub.apiTLS)
        do {
            proxy = try tls.enabled
                ? TLSCertificateStore(certificateFile: tls.certFile, keyFile: tls.keyFile, section: "hub.tls", logger: logger) : nil
            hubAPI = try apiTLS.enabled
                ? TLSCertificateStore(certificateFile: apiTLS.certFile, keyFile: apiTLS.keyFile, section: "hub.api_tls",
                                      logger: logger) : nil
        } catch let error as TLSCertificateError {
            throw ConfigError(error.description)
        }
        // The proxy reaches the hub API on its bind address; the certificate names the host the servers use.
        let serverName = URL(string: config.hub.apiURLForServers)?.host
        upstreamTLS = apiTLS.enabled
            ? try UpstreamTLS(caFile: apiTLS.caFile.isEmpty ? nil : apiTLS.caFile, serverName: serverName) : nil
    }

    /// Reads both pairs again (each keeps its old certificate when its files are bad).
    func reload() {
        proxy?.reload()
        hubAPI?.reload()
    }

    /// The hub API's HTTP/1.1 server, behind TLS when `hub.api_tls` is on.
    func hubAPIServer(_ configuration: HTTP1Channel.Configuration) -> HTTPServerBuilder {
        guard let hubAPI else { return .http1(configuration: configuration) }
        return HTTPServerBuilder { responder in
            TLSAcceptingChannel(base: HTTP1Channel(responder: responder, configuration: configuration), certificates: hubAPI)
        }
    }
}

/// A Hummingbird child channel with TLS in front of `base`, each connection taking the certificate current when it
/// is accepted (HummingbirdTLS fixes one context at start, which would defeat certificate reloads).
struct TLSAcceptingChannel<Base: ServerChildChannel>: ServerChildChannel {
    typealias Value = Base.Value
    let base: Base
    let certificates: TLSCertificateStore

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let context = certificates.context
        return channel.eventLoop.makeCompletedFuture {
            try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: context))
        }.flatMap {
            base.setup(channel: channel, logger: logger)
        }
    }

    func handle(value: Value, logger: Logger) async {
        await base.handle(value: value, logger: logger)
    }
}
