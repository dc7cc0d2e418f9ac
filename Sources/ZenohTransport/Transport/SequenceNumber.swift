/// The frame sequence-number resolution negotiated in Init (zenoh-protocol.md sections 5.1 and 6).
///
/// Bits 0-1 of the Init resolution byte name 8, 16 or 32 bits (0b11 = 64 is not supported). As in Rust
/// (`zenoh-transport/src/common/seq_num.rs`), the actual sequence-number space is what fits in 1, 2 or 4 VLE
/// bytes: 7, 14 or **28** bits. The Rust acceptor refuses an initial SN beyond that mask and wraps its own SNs
/// at `2^28`, so a 32-bit modulus would break on the wrap.
struct SequenceNumberResolution: Hashable, Sendable {
    /// The number of bits named by the resolution byte (8, 16 or 32).
    let bits: Int

    /// The default: "32 bits", i.e. a 28-bit sequence-number space.
    static let default32 = SequenceNumberResolution(uncheckedBits: 32)

    private init(uncheckedBits bits: Int) {
        self.bits = bits
    }

    /// Decodes bits 0-1 of an Init resolution byte; nil for 64 bits.
    init?(resolutionByte: UInt8) {
        switch resolutionByte & 0b11 {
        case 0b00: self.init(uncheckedBits: 8)
        case 0b01: self.init(uncheckedBits: 16)
        case 0b10: self.init(uncheckedBits: 32)
        default: return nil
        }
    }

    /// The largest sequence number; SNs are counted modulo `mask + 1`.
    /// 8 bits: `2^7 - 1`, 16 bits: `2^14 - 1`, 32 bits: `2^28 - 1` (Rust's `get_mask`).
    var mask: UInt32 {
        switch self.bits {
        case 8: UInt32(UInt8.max >> 1)
        case 16: UInt32(UInt16.max >> 2)
        default: UInt32.max >> 4
        }
    }

    /// The largest forward gap accepted by a receiver: half the space (`mask >> 1`).
    var window: UInt32 { self.mask >> 1 }
}

/// The next sequence number to send on one channel.
struct TransmitSequence: Hashable, Sendable {
    private(set) var next: UInt32
    let resolution: SequenceNumberResolution

    init(initial: UInt32, resolution: SequenceNumberResolution) {
        self.next = initial & resolution.mask
        self.resolution = resolution
    }

    /// Returns the next sequence number and advances (mod `mask + 1`).
    mutating func take() -> UInt32 {
        let sn = self.next
        self.next = (sn &+ 1) & self.resolution.mask
        return sn
    }
}

/// Which sequence numbers one receiving channel accepts (the Rust rule, zenoh-protocol.md section 6).
///
/// The channel starts as if `initial - 1` had been received; `sn` is accepted when
/// `0 < (sn - last) mod (mask + 1) <= mask >> 1` (Rust's `SeqNum::precedes`), and is otherwise dropped
/// silently (duplicate or stale).
struct ReceiveSequence: Hashable, Sendable {
    private(set) var last: UInt32
    let resolution: SequenceNumberResolution

    init(initial: UInt32, resolution: SequenceNumberResolution) {
        self.last = (initial &- 1) & resolution.mask
        self.resolution = resolution
    }

    /// Whether `sn` is acceptable; if so it becomes the last received.
    mutating func accept(_ sn: UInt32) -> Bool {
        let distance = (sn &- self.last) & self.resolution.mask
        guard sn & ~self.resolution.mask == 0, distance != 0, distance <= self.resolution.window else {
            return false
        }
        self.last = sn & self.resolution.mask
        return true
    }
}
