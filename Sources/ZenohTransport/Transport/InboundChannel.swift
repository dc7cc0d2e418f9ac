import NIOCore
import ZenohProtocol

/// One receiving channel (reliable or best effort): sequence-number acceptance and fragment reassembly.
struct InboundChannel: Sendable {
    private var sequence: ReceiveSequence
    private var defragmenter: ZenohDefragmenter

    init(parameters: TransportParameters) {
        self.sequence = ReceiveSequence(initial: parameters.remoteInitialSN, resolution: parameters.resolution)
        // Markers are honoured even at patch 0 (First resets, Drop discards); they are only *required* at patch >= 1.
        self.defragmenter = ZenohDefragmenter(
            maximumMessageSize: parameters.maximumMessageSize, markersEnabled: parameters.patch >= 1,
            snMask: parameters.resolution.mask)
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
        switch self.defragmenter.received(fragment) {
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
