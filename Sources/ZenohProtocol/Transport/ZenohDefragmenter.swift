public import NIOCore

/// Reassembles the Fragments of one channel (one priority x reliability) into a serialized
/// network message (zenoh-protocol.md section 7). A pure value type: events in, outcomes out.
///
/// - The First marker starts a new message (discarding a partial one); the Drop marker discards.
/// - With markers negotiated (patch >= 1), a message whose first fragment lacks First is
///   dropped, as the Rust receiver does. Without markers, any fragment may start a message.
/// - A gap in sequence numbers discards the partial message (no link error).
/// - The reassembled size is bounded by ``maximumMessageSize``.
public struct ZenohDefragmenter: Sendable {
    /// What a fragment did to the reassembly.
    public enum Outcome: Hashable, Sendable {
        /// The message is not complete yet (or the fragment was ignored).
        case incomplete
        /// The last fragment arrived: the whole serialized network message.
        case complete(ByteBuffer)
        /// A partial message was thrown away.
        case discarded(DiscardReason)
    }

    /// Why a partial message was discarded.
    public enum DiscardReason: Hashable, Sendable {
        /// The sender sent a Drop marker.
        case dropMarker
        /// A sequence number was skipped.
        case sequenceGap
        /// The message grew beyond ``ZenohDefragmenter/maximumMessageSize``.
        case tooLarge
        /// Markers are negotiated and the message did not start with a First marker.
        case missingFirst
    }

    /// The largest reassembled message (default 1 GiB, as in Rust).
    public let maximumMessageSize: Int
    /// Whether First/Drop markers were negotiated (patch >= 1).
    public let markersEnabled: Bool

    private var buffer: ByteBuffer?
    private var nextSN: UInt32 = 0
    /// After a discard with markers enabled, fragments are ignored until the next First.
    private var skippingUntilFirst = false

    /// Creates a defragmenter for one channel.
    /// Sequence numbers count modulo `snMask + 1`: Rust's "32-bit" resolution is 28 bits (`2^28 - 1`).
    public let snMask: UInt32

    public init(maximumMessageSize: Int = 1 << 30, markersEnabled: Bool, snMask: UInt32 = (1 << 28) - 1) {
        self.maximumMessageSize = maximumMessageSize
        self.markersEnabled = markersEnabled
        self.snMask = snMask
    }

    /// Whether a partial message is being reassembled.
    public var isReassembling: Bool { self.buffer != nil }

    /// Feeds the next fragment received on this channel.
    public mutating func received(_ fragment: TransportMessage.Fragment) -> Outcome {
        if fragment.isDrop {
            let hadPartial = self.buffer != nil
            self.reset()
            return hadPartial ? .discarded(.dropMarker) : .incomplete
        }
        var outcome = Outcome.incomplete
        if fragment.isFirst {
            if self.buffer != nil { outcome = .discarded(.sequenceGap) }
            self.buffer = nil
        } else if self.buffer != nil, fragment.sn & self.snMask != self.nextSN {
            self.reset()
            if self.markersEnabled {
                self.skippingUntilFirst = true
                return .discarded(.sequenceGap)
            }
            outcome = .discarded(.sequenceGap)
        }
        if self.buffer == nil {
            if self.markersEnabled && !fragment.isFirst {
                if self.skippingUntilFirst { return outcome }
                self.skippingUntilFirst = true
                return .discarded(.missingFirst)
            }
            self.buffer = ByteBuffer()
            self.skippingUntilFirst = false
        }
        guard var partial = self.buffer else { return outcome }
        guard partial.readableBytes <= self.maximumMessageSize - fragment.payload.readableBytes else {
            self.reset()
            self.skippingUntilFirst = self.markersEnabled
            return .discarded(.tooLarge)
        }
        self.buffer = nil  // keep the partial buffer uniquely referenced while appending
        var payload = fragment.payload
        partial.writeBuffer(&payload)
        self.nextSN = (fragment.sn &+ 1) & self.snMask
        if fragment.hasMore {
            self.buffer = partial
            return outcome
        }
        return .complete(partial)
    }

    private mutating func reset() {
        self.buffer = nil
    }
}
