/// Message priority (zenoh-protocol.md section 6). Also the QoS lane of a Frame or Fragment.
public enum ZenohPriority: UInt8, Hashable, Sendable, CaseIterable {
    /// Control (0): declarations, interests, OAM.
    case control = 0
    /// Real time (1).
    case realTime = 1
    /// Interactive high (2).
    case interactiveHigh = 2
    /// Interactive low (3).
    case interactiveLow = 3
    /// Data high (4).
    case dataHigh = 4
    /// Data (5), the default.
    case data = 5
    /// Data low (6).
    case dataLow = 6
    /// Background (7).
    case background = 7
}

/// What a sender does when its queues are full.
public struct ZenohCongestionControl: Hashable, Sendable, CustomStringConvertible {
    private enum Base: Hashable, Sendable { case drop, block, blockFirst }
    private var base: Base
    private init(_ base: Base) { self.base = base }

    /// Drop the message (the default for puts).
    public static let drop = Self(.drop)
    /// Block until there is room.
    public static let block = Self(.block)
    /// Block for the first message only (unstable in Zenoh).
    public static let blockFirst = Self(.blockFirst)

    /// The name of the policy.
    public var description: String {
        switch self.base {
        case .drop: "drop"
        case .block: "block"
        case .blockFirst: "blockFirst"
        }
    }
}

/// The QoS extension value (Z64) of network messages, Frames and Fragments.
///
/// Bits 0-2 priority, bit 3 congestion control Block, bit 4 express, bit 5 BlockFirst.
/// The default `0x05` (Data, Drop, not express) is never written on the wire.
public struct ZenohQoS: Hashable, Sendable {
    /// The raw extension value, kept verbatim (reserved bits included).
    public var rawValue: UInt64

    /// Creates a QoS value from its raw bits.
    public init(rawValue: UInt64) {
        self.rawValue = rawValue
    }

    /// Creates a QoS value from its parts.
    public init(
        priority: ZenohPriority = .data,
        congestionControl: ZenohCongestionControl = .drop,
        isExpress: Bool = false
    ) {
        var raw = UInt64(priority.rawValue)
        if congestionControl == .block { raw |= 0x08 }
        if congestionControl == .blockFirst { raw |= 0x20 }
        if isExpress { raw |= 0x10 }
        self.rawValue = raw
    }

    /// Data priority, Drop, not express (`0x05`).
    public static let `default` = ZenohQoS(rawValue: 0x05)
    /// The priority used by Rust for declarations, interests and OAM: Control + Block (`0x08`).
    public static let declare = ZenohQoS(rawValue: 0x08)
    /// The priority used by Rust for requests and responses: Data + Block (`0x0D`).
    public static let request = ZenohQoS(rawValue: 0x0D)

    /// Bits 0-2.
    public var priority: ZenohPriority {
        ZenohPriority(rawValue: UInt8(truncatingIfNeeded: self.rawValue & 0x07)) ?? .data
    }

    /// Bit 3 (Block) and bit 5 (BlockFirst).
    public var congestionControl: ZenohCongestionControl {
        if self.rawValue & 0x20 != 0 { return .blockFirst }
        return self.rawValue & 0x08 != 0 ? .block : .drop
    }

    /// Bit 4.
    public var isExpress: Bool { self.rawValue & 0x10 != 0 }
}
