import JSON
public import PolicyWire

/// What the server offers, for checking a robot's session open against it.
public struct ServerCapabilities: Sendable, Hashable {
    public var policyType: String
    /// Empty when the server does not know the names (then no order check is possible).
    public var actionNames: [String]
    public var expectedCameras: [String]
    public var stateDim: Int
    public var trainedFPS: Double
    public var strictFPS: Bool
    /// `pin_task` on: the only task accepted.
    public var pinnedTask: String?
    /// Manifest RTC on and the policy family RTC-capable.
    public var rtcActive: Bool
    public var minSchemaVersion: Int
    public var maxSchemaVersion: Int
    public var maxSessions: Int

    public init(
        policyType: String, actionNames: [String], expectedCameras: [String], stateDim: Int, trainedFPS: Double,
        strictFPS: Bool, pinnedTask: String?, rtcActive: Bool, minSchemaVersion: Int = 1, maxSchemaVersion: Int = 1,
        maxSessions: Int
    ) {
        self.policyType = policyType
        self.actionNames = actionNames
        self.expectedCameras = expectedCameras
        self.stateDim = stateDim
        self.trainedFPS = trainedFPS
        self.strictFPS = strictFPS
        self.pinnedTask = pinnedTask
        self.rtcActive = rtcActive
        self.minSchemaVersion = minSchemaVersion
        self.maxSchemaVersion = maxSchemaVersion
        self.maxSessions = maxSessions
    }
}

/// The outcome of checking one `SessionOpen` (lerobot-protocol.md §4.1, checks in order, first failure wins).
public enum SessionValidation: Sendable, Hashable {
    case accepted(warnings: [String], rtcGranted: Bool)
    case rejected(String)

    /// Checks `open`. `activeSessions` counts open sessions; `isReplacing` is true when this uuid already has
    /// one (a re-handshake does not count against capacity).
    public static func check(
        _ open: SessionOpen, against server: ServerCapabilities, activeSessions: Int, isReplacing: Bool
    ) -> SessionValidation {
        let schema = Int(clamping: open.schemaVersion)
        guard (server.minSchemaVersion...server.maxSchemaVersion).contains(schema) else {
            return .rejected(
                "schema_version \(schema) outside supported range [\(server.minSchemaVersion), \(server.maxSchemaVersion)]")
        }
        let occupied = isReplacing ? activeSessions - 1 : activeSessions
        guard occupied < server.maxSessions else {
            return .rejected("server full: \(activeSessions)/\(server.maxSessions) sessions active")
        }
        if !server.actionNames.isEmpty && open.actionNames != server.actionNames {
            return .rejected(
                "action feature names/order mismatch — refusing to map chunk columns to motors. "
                    + "server=\(pythonRepr(server.actionNames)) client=\(pythonRepr(open.actionNames))")
        }
        if server.stateDim != 0 && open.stateDim != 0 && Int(clamping: open.stateDim) != server.stateDim {
            return .rejected("state dim mismatch: server=\(server.stateDim), client=\(open.stateDim)")
        }
        let missing = server.expectedCameras.filter { !open.cameraNames.contains($0) }
        if !missing.isEmpty {
            return .rejected(
                "missing camera features \(pythonRepr(missing)) (client provides \(pythonRepr(open.cameraNames)); "
                    + "resolution may differ — names may not)")
        }
        if let pinned = server.pinnedTask, open.task != pinned {
            return .rejected("task is pinned to '\(pinned)' on this server, got '\(open.task)'")
        }
        var warnings: [String] = []
        if open.fps != server.trainedFPS {
            let text = "client fps=\(pythonRepr(open.fps)) != trained fps=\(pythonRepr(server.trainedFPS))"
            if server.strictFPS { return .rejected(text + " (strict_fps=true)") }
            warnings.append(text)
        }
        if !open.policyType.isEmpty && open.policyType != server.policyType {
            warnings.append("client policy_type='\(open.policyType)' != server policy_type='\(server.policyType)'")
        }
        var rtcGranted = open.rtcEnabled
        if open.rtcEnabled && !server.rtcActive {
            warnings.append("RTC requested but this server/policy does not support it — downgrading to chunk-append")
            rtcGranted = false
        }
        return .accepted(warnings: warnings, rtcGranted: rtcGranted)
    }
}
