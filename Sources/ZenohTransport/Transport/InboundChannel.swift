import NIOCore
import ZenohProtocol

/// One receiving channel (reliable or best effort): sequence-number acceptance and fragment reassembly.
struct InboundChannel: Sendable {
    private var sequence: ReceiveSequence
    private var defragmenter: ZenohDefragmenter
    /// The SN that continues the previous fragment, in the transport's (28-bit) space.
    private var nextFragmentSN: UInt32?
    /// What the defragmenter sees instead of the wire SN: it checks continuity modulo 2^32, the transport
    /// counts modulo `mask + 1`, so consecutive wire SNs are renumbered consecutively (and a gap stays a gap).
    private var defragmenterSN: UInt32 = 0

    init(parameters: TransportParameters) {
        self.sequence = ReceiveSequence(initial: parameters.remoteInitialSN, resolution: parameters.resolution)
        // Markers are honoured even at patch 0 (First resets, Drop discards); they are only *required* at patch >= 1.
        self.defragmenter = ZenohDefragmenter(
            maximumMessageSize: parameters.maximumMessageSize, markersEnabled: parameters.patch >= 1)
    }

    /// The network messages of an acceptable frame; none for a duplicate or stale SN (dropped silently).
    mutating func frameReceived(_ frame: TransportMessage.Frame) -> [NetworkMessage] {
        guard self.sequence.accept(frame.sn) else { return [] }
        return frame.messages
    }

    /// The reassembled message when `fragment` completes one; nil while incomplete or when dropped.
    /// A completed message that does not decode is an error.
    mutating func fragmentReceived(
        _ fragment: TransportMessage.Fragment
    ) -> Result<NetworkMessage?, ZenohDecodingError> {
        guard self.sequence.accept(fragment.sn) else { return .success(nil) }
        var renumbered = fragment
        self.defragmenterSN &+= fragment.sn == self.nextFragmentSN ? 1 : 2
        renumbered.sn = self.defragmenterSN
        self.nextFragmentSN = (fragment.sn &+ 1) & self.sequence.resolution.mask
        switch self.defragmenter.received(renumbered) {
        case .incomplete, .discarded:
            return .success(nil)
        case .complete(let bytes):
            do {
                return .success(try NetworkMessage.decodeComplete(bytes))
            } catch {
                return .failure(error)
            }
        }
    }
}
