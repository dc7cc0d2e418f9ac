import NIOCore

/// Lease and keep-alive policy of one established transport (zenoh-protocol.md sections 1 and 17.1), driven by
/// explicit time values.
///
/// - The remote's lease: if nothing at all arrives for that long, the transport is dead.
/// - Keep-alive: if we sent nothing for a quarter of *our* announced lease, send a KeepAlive (Rust does the
///   same: `keep_alive = lease / 4` of the local configuration).
struct LeaseTracker: Hashable, Sendable {
    /// What a timer tick means.
    enum OnTick: Hashable, Sendable {
        /// Nothing due yet.
        case none
        /// Send a KeepAlive now.
        case sendKeepAlive
        /// Nothing arrived within the remote's lease.
        case expired(silence: TimeAmount)
    }

    let remoteLease: TimeAmount
    let keepAliveInterval: TimeAmount
    private(set) var lastReceived: NIODeadline
    private(set) var lastSent: NIODeadline

    init(remoteLeaseMilliseconds: UInt64, localLeaseMilliseconds: UInt64, now: NIODeadline) {
        self.remoteLease = .milliseconds(Int64(clamping: remoteLeaseMilliseconds))
        // At least 1 ms so that a tiny lease cannot make the timer spin.
        self.keepAliveInterval = .milliseconds(max(1, Int64(clamping: localLeaseMilliseconds / 4)))
        self.lastReceived = now
        self.lastSent = now
    }

    /// Something (any batch) arrived.
    mutating func received(at now: NIODeadline) {
        self.lastReceived = max(self.lastReceived, now)
    }

    /// A batch was written.
    mutating func sent(at now: NIODeadline) {
        self.lastSent = max(self.lastSent, now)
    }

    /// When the next tick is due: the earlier of the lease deadline and the keep-alive deadline.
    var nextDeadline: NIODeadline {
        min(self.lastReceived + self.remoteLease, self.lastSent + self.keepAliveInterval)
    }

    /// The timer fired at `now`. Expiry wins over keep-alive.
    func tick(now: NIODeadline) -> OnTick {
        if now - self.lastReceived >= self.remoteLease {
            return .expired(silence: now - self.lastReceived)
        }
        if now - self.lastSent >= self.keepAliveInterval {
            return .sendKeepAlive
        }
        return .none
    }
}
