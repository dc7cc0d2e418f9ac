import NIOCore
import ZenohProtocol

/// A batch ready for a stream link: the 2-byte little-endian length prefix, then the transport messages.
///
/// A fragment of a large payload is not copied into the batch: its bytes follow `bytes` as slices of the
/// application's buffer (`tail`), written with one gathering write.
struct OutboundBatch: Hashable, Sendable {
    /// The first bytes to write, prefix included.
    var bytes: ByteBuffer
    /// Bytes that follow `bytes` on the wire, in order (slices of a detached payload); usually empty.
    var tail: [ByteBuffer] = []
    /// How many serialized network-message bytes it carries (for the send queue's accounting).
    var messageBytes: Int

    init(bytes: ByteBuffer, tail: [ByteBuffer] = [], messageBytes: Int) {
        self.bytes = bytes
        self.tail = tail
        self.messageBytes = messageBytes
    }

    /// The whole batch on the wire, prefix included (`<= batchSize`).
    var length: Int { self.tail.reduce(self.bytes.readableBytes) { $0 + $1.readableBytes } }

    /// The batch as one buffer (a copy when it has a tail).
    var contiguous: ByteBuffer {
        guard !self.tail.isEmpty else { return self.bytes }
        var all = self.bytes
        for var part in self.tail { all.writeBuffer(&part) }
        return all
    }
}

/// Outbound framing (zenoh-protocol.md sections 4, 6 and 7; house style G4): serialized network messages in,
/// batches out. A pure value type that owns the two transmit sequence numbers.
///
/// - Consecutive messages are coalesced into one Frame per channel while the batch has room; a change of
///   channel starts a new Frame in the same batch. A batch never exceeds `batchSize - 2` bytes after its prefix.
/// - A message that cannot fit in an empty batch is sent whole as Fragments with consecutive SNs on its channel,
///   one per batch, M=1 on all but the last; the first carries the First marker when patch >= 1 was negotiated.
/// - Every channel (priority lane x reliability) has its own sequence numbers; Frames and Fragments of a lane
///   other than Data carry the mandatory QoS extension naming it (only possible when QoS was negotiated).
struct OutboundBatcher: Sendable {
    /// The most bytes after the length prefix (`batchSize - 2`).
    let maximumContent: Int
    /// Mark the first fragment of every fragmented message (patch >= 1).
    let marksFirstFragment: Bool
    private var sequences: [TransmitSequence]
    private var current: ByteBuffer?
    private var currentMessageBytes = 0
    private var openFrame: TransportChannel?
    private var ready: [OutboundBatch] = []

    init(batchSize: Int, initialSN: UInt32, resolution: SequenceNumberResolution, marksFirstFragment: Bool = false) {
        self.maximumContent = batchSize - 2
        self.marksFirstFragment = marksFirstFragment
        self.sequences = Array(
            repeating: TransmitSequence(initial: initialSN, resolution: resolution), count: TransportChannel.count)
    }

    /// Whether anything waits for ``flush()``.
    var hasPending: Bool { self.current != nil || !self.ready.isEmpty }

    /// The next SN that `channel` will use.
    func nextSN(on channel: TransportChannel) -> UInt32 {
        self.sequences[channel.index].next
    }

    /// Adds one serialized network message for `channel`. `detached` is the rest of the message when its payload
    /// was not copied (``ZenohProtocol/ByteBuffer/writeZenohNetworkMessage(_:detachingPayloadOf:)``): fragments
    /// then carry slices of it instead of copies.
    mutating func append(_ message: ByteBuffer, detached: ByteBuffer? = nil, on channel: TransportChannel) {
        var message = message
        if var detached {
            let total = message.readableBytes + detached.readableBytes
            if 1 + Self.vleLength(self.nextSN(on: channel)) + Self.laneExtensionLength(channel) + total
                > self.maximumContent
            {
                self.closeCurrent()
                self.fragment([message, detached], total: total, on: channel)
                return
            }
            message.writeBuffer(&detached)  // it fits in a frame: one small copy
        }
        let length = message.readableBytes
        if self.openFrame == channel, let used = self.current?.readableBytes, used - 2 + length <= self.maximumContent {
            self.current?.writeBuffer(&message)
            self.currentMessageBytes += length
            return
        }
        let frameHeader = 1 + Self.vleLength(self.nextSN(on: channel)) + Self.laneExtensionLength(channel)
        if let used = self.current?.readableBytes, used - 2 + frameHeader + length <= self.maximumContent {
            self.openFrame(on: channel, writing: &message)
            return
        }
        self.closeCurrent()
        if frameHeader + length <= self.maximumContent {
            self.current = Self.emptyBatch(capacity: min(self.maximumContent, 2 + frameHeader + length + 1024))
            self.openFrame(on: channel, writing: &message)
        } else {
            self.fragment([message], total: length, on: channel)
        }
    }

    /// Adds a transport message (KeepAlive, Close) alone in its own batch, after everything queued so far.
    mutating func appendAlone(_ message: TransportMessage) {
        self.closeCurrent()
        var batch = Self.emptyBatch(capacity: 16)
        batch.writeZenohTransportMessage(message)
        self.ready.append(Self.finish(batch, messageBytes: 0))
    }

    /// Everything queued, in order, as batches; the batcher is empty afterwards.
    mutating func flush() -> [OutboundBatch] {
        self.closeCurrent()
        defer { self.ready = [] }
        return self.ready
    }

    private mutating func openFrame(on channel: TransportChannel, writing message: inout ByteBuffer) {
        let sn = self.sequences[channel.index].take()
        let length = message.readableBytes
        self.current?.writeZenohTransportMessage(
            .frame(.init(isReliable: channel.isReliable, sn: sn, qos: channel.laneQoS, messages: [])))
        self.current?.writeBuffer(&message)
        self.currentMessageBytes += length
        self.openFrame = channel
    }

    /// Cuts the concatenation of `parts` (`total` bytes) into Fragments, one per batch. Pieces of a large part
    /// are slices of it, not copies; small leading pieces are copied next to the fragment header.
    private mutating func fragment(_ parts: [ByteBuffer], total: Int, on channel: TransportChannel) {
        var parts = parts[...]
        var remaining = total
        var isFirst = self.marksFirstFragment
        while remaining > 0 {
            let sn = self.sequences[channel.index].take()
            let header = 1 + Self.vleLength(sn) + Self.laneExtensionLength(channel) + (isFirst ? 1 : 0)
            let take = min(self.maximumContent - header, remaining)
            remaining -= take
            var batch = Self.emptyBatch(capacity: 2 + header + min(take, Self.copiedPieceLimit))
            batch.writeZenohTransportMessage(
                .fragment(
                    .init(
                        isReliable: channel.isReliable, hasMore: remaining > 0, sn: sn, qos: channel.laneQoS,
                        isFirst: isFirst, payload: ByteBuffer())))
            var tail: [ByteBuffer] = []
            var wanted = take
            while wanted > 0, var part = parts.first {
                var piece = part.readSlice(length: min(wanted, part.readableBytes)) ?? ByteBuffer()
                wanted -= piece.readableBytes
                if part.readableBytes == 0 { parts.removeFirst() } else { parts[parts.startIndex] = part }
                if tail.isEmpty && piece.readableBytes <= Self.copiedPieceLimit {
                    batch.writeBuffer(&piece)
                } else {
                    tail.append(piece)
                }
            }
            self.ready.append(Self.finish(batch, tail: tail, messageBytes: take))
            isFirst = false
        }
    }

    /// Pieces up to this size are copied into the batch rather than written as separate slices.
    static let copiedPieceLimit = 2_048

    /// The bytes of the Frame/Fragment QoS extension for `channel`: none on the Data lane, else `0x31 <prio>`.
    static func laneExtensionLength(_ channel: TransportChannel) -> Int {
        channel.priority == .data ? 0 : 2
    }

    private mutating func closeCurrent() {
        if let batch = self.current {
            self.ready.append(Self.finish(batch, messageBytes: self.currentMessageBytes))
        }
        self.current = nil
        self.currentMessageBytes = 0
        self.openFrame = nil
    }

    private static func emptyBatch(capacity: Int) -> ByteBuffer {
        var batch = ByteBuffer()
        batch.reserveCapacity(capacity)
        batch.writeInteger(UInt16(0), endianness: .little)  // the length prefix, set by `finish`
        return batch
    }

    private static func finish(_ batch: ByteBuffer, tail: [ByteBuffer] = [], messageBytes: Int) -> OutboundBatch {
        var batch = OutboundBatch(bytes: batch, tail: tail, messageBytes: messageBytes)
        batch.bytes.setInteger(
            UInt16(truncatingIfNeeded: batch.length - 2), at: batch.bytes.readerIndex, endianness: .little)
        return batch
    }

    /// The length of a Zenoh VLE (LEB128) encoding of `value`.
    static func vleLength(_ value: UInt32) -> Int {
        var length = 1
        var rest = value >> 7
        while rest != 0 {
            length += 1
            rest >>= 7
        }
        return length
    }
}
