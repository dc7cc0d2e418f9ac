/// The role of a Zenoh node.
public enum WhatAmI: Hashable, Sendable, CaseIterable {
    /// A router.
    case router
    /// A peer.
    case peer
    /// A client.
    case client

    /// The 2-bit code used in Init, Join and Hello (router 0, peer 1, client 2).
    public var code: UInt8 {
        switch self {
        case .router: 0b00
        case .peer: 0b01
        case .client: 0b10
        }
    }

    /// Decodes the 2-bit code; nil for the reserved value 3.
    public init?(code: UInt8) {
        switch code {
        case 0b00: self = .router
        case 0b01: self = .peer
        case 0b10: self = .client
        default: return nil
        }
    }

    /// The bit used in LinkState and Scout masks (router 1, peer 2, client 4).
    public var bit: UInt8 {
        switch self {
        case .router: 0x01
        case .peer: 0x02
        case .client: 0x04
        }
    }

    /// Decodes a single LinkState bit; nil for anything else.
    public init?(bit: UInt8) {
        switch bit {
        case 0x01: self = .router
        case 0x02: self = .peer
        case 0x04: self = .client
        default: return nil
        }
    }
}
