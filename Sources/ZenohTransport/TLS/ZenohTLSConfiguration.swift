/// TLS and mTLS settings for `tls/` endpoints, named like Zenoh's `transport/link/tls/` keys
/// (zenoh-protocol.md section 15). Files are PEM: certificate chains, and RSA (PKCS#1), PKCS#8 or EC (SEC1)
/// private keys. No ALPN is offered or negotiated; with mTLS only TLS 1.3 is allowed, as in Rust.
///
/// ```swift
/// var tls = ZenohTLSConfiguration(rootCACertificate: "ca.pem")
/// tls.connectCertificate = "client.pem"
/// tls.connectPrivateKey = "client-key.pem"
/// tls.enableMTLS = true
/// ```
public struct ZenohTLSConfiguration: Sendable, Hashable {
    /// `root_ca_certificate`: the CA that signs the server's certificate (connecting) and, with mTLS, the
    /// clients' certificates (listening). Without it a connecting side trusts the system's roots.
    public var rootCACertificate: String?
    /// `listen_certificate`: the listener's certificate chain.
    public var listenCertificate: String?
    /// `listen_private_key`: the listener's private key.
    public var listenPrivateKey: String?
    /// `connect_certificate`: the certificate a connecting side presents with mTLS.
    public var connectCertificate: String?
    /// `connect_private_key`: its private key.
    public var connectPrivateKey: String?
    /// `enable_mtls`: the listener requires a client certificate signed by `root_ca_certificate`; the connecting
    /// side presents its certificate. TLS 1.3 only.
    public var enableMTLS: Bool
    /// `verify_name_on_connect`: check that the server certificate's SANs name the endpoint host (a DNS name,
    /// or an IP address when connecting by address). On by default.
    public var verifyNameOnConnect: Bool

    /// Creates TLS settings; every file is a path to a PEM file.
    public init(
        rootCACertificate: String? = nil, listenCertificate: String? = nil, listenPrivateKey: String? = nil,
        connectCertificate: String? = nil, connectPrivateKey: String? = nil, enableMTLS: Bool = false,
        verifyNameOnConnect: Bool = true
    ) {
        self.rootCACertificate = rootCACertificate
        self.listenCertificate = listenCertificate
        self.listenPrivateKey = listenPrivateKey
        self.connectCertificate = connectCertificate
        self.connectPrivateKey = connectPrivateKey
        self.enableMTLS = enableMTLS
        self.verifyNameOnConnect = verifyNameOnConnect
    }
}
