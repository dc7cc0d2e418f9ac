public import Zenoh

extension ServerManifest.ZenohSettings {
    /// The Zenoh session these settings describe. Client mode dials a router; peer mode listens on
    /// `listen_endpoints` (robots connect directly) and may also dial `connect_endpoints`. The three `tls_*`
    /// files configure mutual TLS for every `tls/` endpoint: the CA checks the other side, and the certificate
    /// and key are presented both when dialling (to a router) and when listening (to robots).
    public func sessionConfiguration() throws(PolicyServerError) -> ZenohConfiguration {
        func endpoints(_ texts: [String], _ key: String) throws(PolicyServerError) -> [ZenohEndpoint] {
            var endpoints: [ZenohEndpoint] = []
            for text in texts {
                do {
                    endpoints.append(try ZenohEndpoint(parsing: text))
                } catch {
                    throw PolicyServerError(.manifestInvalid, "\(key): \(error.message)")
                }
            }
            return endpoints
        }
        let connect = try endpoints(self.connectEndpoints, "zenoh.connect_endpoints")
        let listen = try endpoints(self.listenEndpoints, "zenoh.listen_endpoints")
        if self.mode == "client", !listen.isEmpty {
            throw PolicyServerError(
                .manifestInvalid,
                "zenoh.listen_endpoints needs zenoh.mode=peer (a client dials a router and accepts nothing)")
        }
        if self.mode == "peer", listen.isEmpty, connect.isEmpty {
            throw PolicyServerError(
                .manifestInvalid,
                "zenoh.mode=peer needs zenoh.listen_endpoints (robots connect to the server), e.g. "
                    + "--zenoh.listen_endpoints='[\"tcp/0.0.0.0:7447\"]'")
        }
        if self.extraConfigJSON5 != nil {
            throw PolicyServerError(
                .manifestInvalid,
                "zenoh.extra_config_json5 is not supported by this server (its Zenoh is configured by the zenoh.* keys only)")
        }
        var tls: ZenohTLSConfiguration?
        if let ca = self.tlsRootCACertificate {
            tls = ZenohTLSConfiguration(
                rootCACertificate: ca, listenCertificate: self.tlsConnectCertificate,
                listenPrivateKey: self.tlsConnectPrivateKey, connectCertificate: self.tlsConnectCertificate,
                connectPrivateKey: self.tlsConnectPrivateKey, enableMTLS: true)
        }
        if let endpoint = (connect + listen).first(where: { $0.linkProtocol == .tls }), tls == nil {
            throw PolicyServerError(
                .manifestInvalid,
                "\(endpoint) is a tls/ endpoint: set zenoh.tls_root_ca_certificate, zenoh.tls_connect_certificate "
                    + "and zenoh.tls_connect_private_key")
        }
        return ZenohConfiguration(
            mode: self.mode == "peer" ? .peer : .client, connect: connect, listen: listen, tls: tls)
    }
}
