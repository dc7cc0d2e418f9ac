public import ZenohProtocol
import ZenohTransport

/// Whether a publication travels on the reliable or the best-effort channel of the link.
public struct ZenohReliability: Hashable, Sendable, CustomStringConvertible {
    private enum Base: Hashable, Sendable { case reliable, bestEffort }
    private var base: Base
    private init(_ base: Base) { self.base = base }

    /// Reliable channel (the default).
    public static let reliable = Self(.reliable)
    /// Best-effort channel.
    public static let bestEffort = Self(.bestEffort)

    /// The name of the reliability.
    public var description: String { self.base == .reliable ? "reliable" : "bestEffort" }
}

/// How puts and deletes are sent: priority, congestion control, express and reliability.
///
/// The default (data priority, drop when congested, not express, reliable) is what Rust Zenoh uses
/// for `session.put`.
public struct ZenohPublicationOptions: Hashable, Sendable {
    /// The priority (QoS lane).
    public var priority: ZenohPriority
    /// Drop or block when the link is congested.
    public var congestionControl: ZenohCongestionControl
    /// Flush at once instead of waiting to fill a batch.
    public var isExpress: Bool
    /// Reliable or best-effort channel.
    public var reliability: ZenohReliability

    /// Creates publication options.
    public init(
        priority: ZenohPriority = .data, congestionControl: ZenohCongestionControl = .drop, isExpress: Bool = false,
        reliability: ZenohReliability = .reliable
    ) {
        self.priority = priority
        self.congestionControl = congestionControl
        self.isExpress = isExpress
        self.reliability = reliability
    }

    /// Data priority, drop, not express, reliable.
    public static let `default` = ZenohPublicationOptions()

    /// The network QoS extension value for these options.
    var qos: ZenohQoS {
        ZenohQoS(priority: self.priority, congestionControl: self.congestionControl, isExpress: self.isExpress)
    }

    /// The transport send options for these options.
    var sendOptions: ZenohSendOptions {
        ZenohSendOptions(
            isReliable: self.reliability == .reliable, priority: self.priority,
            congestionControl: self.congestionControl, isExpress: self.isExpress)
    }
}

/// How many undelivered values an async sequence keeps before it drops the oldest.
public struct ZenohBufferingPolicy: Hashable, Sendable {
    /// The capacity, or nil for unbounded.
    let capacity: Int?

    private init(capacity: Int?) { self.capacity = capacity }

    /// Keeps the newest `capacity` values (at least 1) and drops older ones when the consumer falls behind.
    public static func bufferingNewest(_ capacity: Int) -> Self { Self(capacity: max(1, capacity)) }
    /// Keeps only the latest value (latest-wins).
    public static let latest = Self(capacity: 1)
    /// Keeps everything (memory grows if the consumer is slower than the producer).
    public static let unbounded = Self(capacity: nil)
    /// Newest 1024 values, the default for subscribers and queryables.
    public static let `default` = Self(capacity: 1024)
}

extension ZenohSendOptions {
    /// Requests, responses and final responses: reliable, data lane, block (QoS ext `0x0D`), as Rust sends them.
    static let request = ZenohSendOptions(priority: .data, congestionControl: .block)
}
