public import NIOCore
public import PolicyRuntime
public import PolicyWire

/// An observation waiting in a session's mailbox: its header, its raw body and when it arrived.
public struct PendingObservation: Sendable {
    public var header: AttachmentHeader
    public var body: ByteBuffer
    /// Monotonic seconds at arrival.
    public var receivedAt: Double

    public init(header: AttachmentHeader, body: ByteBuffer, receivedAt: Double) {
        self.header = header
        self.body = body
        self.receivedAt = receivedAt
    }
}

/// One robot's session on the server: identity, its own processors, its mailbox and its episode.
public struct ServerSession: Sendable {
    /// uuid4 hex, new on every open (also on a re-handshake).
    public let sessionID: String
    public let clientUUID: String
    /// RTC granted to this session (requested, and the server/policy supports it).
    public let rtcEnabled: Bool
    public let task: String
    /// −1 until the first observation, so the first request always resets the processors.
    public var episodeID: Int64 = -1
    public var mailbox = Mailbox<PendingObservation>()
    /// This session's pre/post-processor state.
    public let processors: any PolicySessionState
    /// Monotonic seconds of the last observation or open (idle GC).
    public var lastActivity: Double
    /// When this client's liveliness token disappeared (GC after 5 s unless it comes back).
    public var tokenLostAt: Double?
    public var requests = 0
    public var errors = 0

    public init(
        sessionID: String, clientUUID: String, rtcEnabled: Bool, task: String, processors: any PolicySessionState,
        now: Double
    ) {
        self.sessionID = sessionID
        self.clientUUID = clientUUID
        self.rtcEnabled = rtcEnabled
        self.task = task
        self.processors = processors
        self.lastActivity = now
    }
}
