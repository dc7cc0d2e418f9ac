public import Zenoh

/// The remote backend's settings (`--inference.*`), with LeRobot's defaults (edge-semantics §2.2).
public struct RemoteInferenceConfiguration: Sendable, Hashable {
    /// `--inference.connect_endpoint`: the router (client mode) or the server (peer mode).
    public var connectEndpoint = "tcp/localhost:7447"
    /// `--inference.zenoh_mode`: `client` (through a router) or `peer`.
    public var zenohMode = "client"
    /// `--inference.tls_ca`, `--inference.tls_cert`, `--inference.tls_key`: all three or none.
    public var tlsCA: String?
    public var tlsCert: String?
    public var tlsKey: String?
    /// `--inference.service_model_id` ("" = `--policy.path`).
    public var serviceModelID = ""
    /// `--inference.service_revision`.
    public var serviceRevision = "main"
    /// `--inference.service_task` ("" = the rollout `--task`).
    public var serviceTask = ""
    /// `--inference.client_uuid` ("" = a fresh random hex id per run).
    public var clientUUID = ""
    /// `--inference.jpeg_quality` (0 = raw images).
    public var jpegQuality = 90
    /// `--inference.buffer_time_s`: request a chunk when less than this much playback is buffered.
    public var bufferTime = 0.5
    /// `--inference.fallback`.
    public var fallback = FallbackPolicy.hold
    /// `--inference.handshake_timeout_s`: the status query's timeout.
    public var handshakeTimeout = 2.0
    /// The fail-safe timings (`degraded_after_s`, `max_action_age_s`, `request_timeout_s`,
    /// `reconnect_initial_backoff_s`, `reconnect_max_backoff_s`, `max_offline_s`).
    public var failSafe = FailSafeConfiguration()
    /// `--inference.rtc.enabled`.
    public var rtcEnabled = true
    /// `--inference.rtc.execution_horizon` (replaced by the server's when the ack names one).
    public var rtcExecutionHorizon = 10
    /// `--inference.rtc.max_guidance_weight`: kept locally, never sent (the server's manifest decides).
    public var rtcMaxGuidanceWeight = 10.0
    /// `--inference.tags`: free-form labels sent with the session open.
    public var tags: [(String, String)] = []

    public init() {}

    /// Throws `invalidConfiguration` naming the flag when a value cannot work.
    public func validate() throws(RemoteInferenceError) {
        func bad(_ flag: String, _ why: String) -> RemoteInferenceError {
            RemoteInferenceError(.invalidConfiguration, "--inference.\(flag) \(why)")
        }
        guard zenohMode == "client" || zenohMode == "peer" else {
            throw bad("zenoh_mode", "must be 'client' or 'peer', got '\(zenohMode)'")
        }
        let tls = [tlsCA, tlsCert, tlsKey].compactMap { $0 }
        guard tls.isEmpty || tls.count == 3 else {
            throw bad("tls_ca", "TLS requires all of --inference.tls_ca, --inference.tls_cert, --inference.tls_key")
        }
        guard (0...100).contains(jpegQuality) else { throw bad("jpeg_quality", "must be within 0...100, got \(jpegQuality)") }
        guard bufferTime > 0 else { throw bad("buffer_time_s", "must be > 0, got \(bufferTime)") }
        guard handshakeTimeout > 0 else { throw bad("handshake_timeout_s", "must be > 0, got \(handshakeTimeout)") }
        let f = failSafe
        guard f.requestTimeout > 0 else { throw bad("request_timeout_s", "must be > 0, got \(f.requestTimeout)") }
        guard f.maxActionAge > 0 else { throw bad("max_action_age_s", "must be > 0, got \(f.maxActionAge)") }
        guard f.degradedAfter >= 0 else { throw bad("degraded_after_s", "must be >= 0, got \(f.degradedAfter)") }
        guard f.reconnectInitialBackoff > 0 else {
            throw bad("reconnect_initial_backoff_s", "must be > 0, got \(f.reconnectInitialBackoff)")
        }
        guard f.reconnectMaxBackoff >= f.reconnectInitialBackoff else {
            throw bad(
                "reconnect_max_backoff_s",
                "must be >= reconnect_initial_backoff_s (\(f.reconnectInitialBackoff)), got \(f.reconnectMaxBackoff)")
        }
        guard f.maxOffline > 0 else { throw bad("max_offline_s", "must be > 0, got \(f.maxOffline)") }
        guard rtcExecutionHorizon >= 1 else {
            throw bad("rtc.execution_horizon", "must be >= 1, got \(rtcExecutionHorizon)")
        }
    }

    public static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.connectEndpoint == rhs.connectEndpoint && lhs.zenohMode == rhs.zenohMode && lhs.serviceModelID == rhs.serviceModelID
            && lhs.serviceRevision == rhs.serviceRevision && lhs.serviceTask == rhs.serviceTask
            && lhs.clientUUID == rhs.clientUUID && lhs.jpegQuality == rhs.jpegQuality && lhs.bufferTime == rhs.bufferTime
            && lhs.fallback == rhs.fallback && lhs.handshakeTimeout == rhs.handshakeTimeout && lhs.failSafe == rhs.failSafe
            && lhs.rtcEnabled == rhs.rtcEnabled && lhs.rtcExecutionHorizon == rhs.rtcExecutionHorizon
            && lhs.tags.map { [$0.0, $0.1] } == rhs.tags.map { [$0.0, $0.1] }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(connectEndpoint)
        hasher.combine(serviceModelID)
    }
}

extension RemoteInferenceConfiguration {
    /// The Zenoh session of the robot: `--inference.zenoh_mode` client (through a router) or peer (straight to a
    /// listening server), dialling `--inference.connect_endpoint`; with the three `--inference.tls_*` files,
    /// mutual TLS (the CA checks the server, the certificate and key identify the robot).
    public func zenohConfiguration() throws(ZenohError) -> ZenohConfiguration {
        let endpoint: ZenohEndpoint
        do {
            endpoint = try ZenohEndpoint(parsing: self.connectEndpoint)
        } catch {
            throw ZenohError(.invalidConfiguration, "--inference.connect_endpoint: \(error.message)")
        }
        var tls: ZenohTLSConfiguration?
        if let ca = self.tlsCA {
            tls = ZenohTLSConfiguration(
                rootCACertificate: ca, connectCertificate: self.tlsCert, connectPrivateKey: self.tlsKey, enableMTLS: true)
        }
        if endpoint.linkProtocol == .tls, tls == nil {
            throw ZenohError(
                .invalidConfiguration,
                "--inference.connect_endpoint=\(endpoint) is a tls/ endpoint: give --inference.tls_ca, --inference.tls_cert "
                    + "and --inference.tls_key")
        }
        return ZenohConfiguration(
            mode: self.zenohMode == "peer" ? .peer : .client, connect: [endpoint], tls: tls,
            queryTimeout: .seconds(self.failSafe.requestTimeout))
    }
}
