/// Turns a TLS handshake failure into a sentence an operator can act on (wrong CA, name mismatch, missing
/// client certificate), naming the files involved.
enum TLSFailure {
    static func describe(_ error: any Error, endpoint: ZenohEndpoint, tls: ZenohTLSConfiguration) -> String? {
        var texts = ["\(error)"]
        if let zenohError = error as? ZenohError {
            texts.append(zenohError.message)
            if let cause = zenohError.cause { texts.append("\(cause)") }
        }
        let text = texts.joined(separator: " ")
        let ca = tls.rootCACertificate.map { "root_ca_certificate '\($0)'" } ?? "the system's trusted roots"
        if text.contains("failedToValidateHostname") {
            return "TLS with \(endpoint) failed: the server certificate does not name '\(endpoint.host)' in its "
                + "subject alternative names (turn verify_name_on_connect off only if you trust the network)"
        }
        if text.contains("CERTIFICATE_REQUIRED") || text.contains("PEER_DID_NOT_RETURN_A_CERTIFICATE") {
            return "TLS with \(endpoint) failed: the server requires a client certificate (mTLS); set "
                + "enable_mtls, connect_certificate and connect_private_key"
        }
        if text.contains("CERTIFICATE_VERIFY_FAILED") {
            return "TLS with \(endpoint) failed: the server certificate is not signed by \(ca)"
        }
        if text.contains("UNKNOWN_CA") || text.contains("BAD_CERTIFICATE") || text.contains("DECRYPT_ERROR") {
            return "TLS with \(endpoint) failed: the server refused our client certificate "
                + "(connect_certificate '\(tls.connectCertificate ?? "none")' is not signed by its CA)"
        }
        if text.contains("PROTOCOL_VERSION") || text.contains("UNSUPPORTED_PROTOCOL") {
            return "TLS with \(endpoint) failed: no common TLS version (mTLS requires TLS 1.3)"
        }
        if text.contains("WRONG_VERSION_NUMBER") || text.contains("HTTP_REQUEST") {
            return "TLS with \(endpoint) failed: the remote does not speak TLS (is it a tcp/ endpoint?)"
        }
        return nil
    }
}
