import Foundation
import NIOCore
import NIOSSL

/// Builds swift-nio-ssl contexts and handlers from ``ZenohTLSConfiguration``; every failure names the setting
/// and the file.
enum TLSContexts {
    /// The listening side: our certificate and key; with mTLS, client certificates signed by the root CA.
    static func server(_ endpoint: ZenohEndpoint, _ tls: ZenohTLSConfiguration) throws(ZenohError) -> NIOSSLContext {
        guard let certificatePath = tls.listenCertificate, let keyPath = tls.listenPrivateKey else {
            throw ZenohError(
                .invalidConfiguration, "listening on \(endpoint) needs listen_certificate and listen_private_key")
        }
        let chain = try self.certificates(certificatePath, setting: "listen_certificate")
        let key = try self.privateKey(keyPath, setting: "listen_private_key")
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: chain.map { .certificate($0) }, privateKey: .privateKey(key))
        if tls.enableMTLS {
            guard let caPath = tls.rootCACertificate else {
                throw ZenohError(
                    .invalidConfiguration, "enable_mtls on \(endpoint) needs root_ca_certificate to check clients")
            }
            configuration.trustRoots = .certificates(try self.certificates(caPath, setting: "root_ca_certificate"))
            configuration.certificateVerification = .noHostnameVerification
            configuration.minimumTLSVersion = .tlsv13
        }
        return try self.context(configuration, endpoint)
    }

    /// The connecting side: trust the root CA (or the system's), verify the name unless told not to, and with
    /// mTLS present our certificate.
    static func client(_ endpoint: ZenohEndpoint, _ tls: ZenohTLSConfiguration) throws(ZenohError) -> NIOSSLContext {
        var configuration = TLSConfiguration.makeClientConfiguration()
        if let caPath = tls.rootCACertificate {
            configuration.trustRoots = .certificates(try self.certificates(caPath, setting: "root_ca_certificate"))
        }
        configuration.certificateVerification = tls.verifyNameOnConnect ? .fullVerification : .noHostnameVerification
        if tls.enableMTLS {
            guard let certificatePath = tls.connectCertificate, let keyPath = tls.connectPrivateKey else {
                throw ZenohError(
                    .invalidConfiguration,
                    "enable_mtls towards \(endpoint) needs connect_certificate and connect_private_key")
            }
            configuration.certificateChain = try self.certificates(certificatePath, setting: "connect_certificate")
                .map { .certificate($0) }
            configuration.privateKey = .privateKey(try self.privateKey(keyPath, setting: "connect_private_key"))
            configuration.minimumTLSVersion = .tlsv13
        }
        return try self.context(configuration, endpoint)
    }

    /// The client handler: SNI and name checks use the host when it is a DNS name; for an IP address no SNI is
    /// sent and the certificate's IP SANs are checked against the connected address.
    static func clientHandler(_ context: NIOSSLContext, host: String) throws -> NIOSSLClientHandler {
        let isAddress = (try? SocketAddress(ipAddress: host, port: 0)) != nil
        return try NIOSSLClientHandler(context: context, serverHostname: isAddress ? nil : host)
    }

    static func serverHandler(_ context: NIOSSLContext) -> NIOSSLServerHandler {
        NIOSSLServerHandler(context: context)
    }

    private static func context(_ configuration: TLSConfiguration, _ endpoint: ZenohEndpoint) throws(ZenohError)
        -> NIOSSLContext
    {
        do {
            return try NIOSSLContext(configuration: configuration)
        } catch {
            throw ZenohError(.invalidConfiguration, "TLS settings for \(endpoint) are unusable: \(error)", cause: error)
        }
    }

    private static func certificates(_ path: String, setting: String) throws(ZenohError) -> [NIOSSLCertificate] {
        try self.checkReadable(path, setting: setting)
        let certificates: [NIOSSLCertificate]
        do {
            certificates = try NIOSSLCertificate.fromPEMFile(path)
        } catch {
            throw ZenohError(
                .invalidConfiguration, "\(setting) '\(path)' holds no readable PEM certificate: \(error)", cause: error)
        }
        guard !certificates.isEmpty else {
            throw ZenohError(.invalidConfiguration, "\(setting) '\(path)' holds no PEM certificate")
        }
        return certificates
    }

    private static func privateKey(_ path: String, setting: String) throws(ZenohError) -> NIOSSLPrivateKey {
        try self.checkReadable(path, setting: setting)
        do {
            return try NIOSSLPrivateKey(file: path, format: .pem)
        } catch {
            throw ZenohError(
                .invalidConfiguration,
                "\(setting) '\(path)' holds no readable PEM private key (RSA, PKCS#8 or EC): \(error)", cause: error)
        }
    }

    private static func checkReadable(_ path: String, setting: String) throws(ZenohError) {
        guard FileManager.default.fileExists(atPath: path) else {
            throw ZenohError(.invalidConfiguration, "\(setting) '\(path)' does not exist")
        }
        guard FileManager.default.isReadableFile(atPath: path) else {
            throw ZenohError(.invalidConfiguration, "\(setting) '\(path)' is not readable")
        }
    }
}
