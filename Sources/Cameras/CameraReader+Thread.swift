import NIOCore
import PolicyWire
import Synchronization

#if canImport(Glibc)
import Glibc
#endif

extension CameraReader {
    /// Starts the read thread; it holds a strong reference to the reader until it returns.
    func startThread(source: any CaptureSource, delivery: CaptureDelivery) {
        let context = Unmanaged.passRetained(ReadLoop(reader: self, source: source, delivery: delivery)).toOpaque()
        var thread = pthread_t()
        let created = pthread_create(
            &thread, nil,
            { raw in
                let loop = Unmanaged<ReadLoop>.fromOpaque(raw!).takeRetainedValue()
                loop.run()
                return nil
            }, context)
        if created == 0 {
            shared.withLock { $0.thread = thread }
        } else {
            Unmanaged<ReadLoop>.fromOpaque(context).release()
            _ = shared.withLock { $0.state.sourceEnded("cannot start a read thread (error \(created))") }
        }
    }
}

/// The body of one camera's read thread: read, turn the packet into a frame, let the state machine decide.
private final class ReadLoop: Sendable {
    let reader: CameraReader
    let source: any CaptureSource
    let delivery: CaptureDelivery

    init(reader: CameraReader, source: any CaptureSource, delivery: CaptureDelivery) {
        self.reader = reader
        self.source = source
        self.delivery = delivery
    }

    func run() {
        var sequence: UInt64 = 0
        while true {
            let action: CameraReaderState<CameraFrame>.Action
            do throws(CaptureFailure) {
                let packet = try source.next(delivery)
                let frame = try makeFrame(packet, sequence: sequence, at: MonotonicClock.seconds)
                sequence += 1
                action = reader.shared.withLock { $0.state.frameArrived(frame, at: frame.timestamp) }
            } catch {
                action = reader.shared.withLock { shared in
                    switch error {
                    case .readFailed(let message): shared.state.readFailed(message)
                    case .ended(let message): shared.state.sourceEnded(message)
                    }
                }
            }
            guard reader.perform(action) else { return }
        }
    }

    /// Pass-through packets are checked cheaply (SOI, segments, SOS, EOI) and given Huffman tables when they
    /// lack them; decoded images are rotated and put in the configured channel order.
    private func makeFrame(_ packet: CapturedPacket, sequence: UInt64, at now: Double) throws(CaptureFailure)
        -> CameraFrame
    {
        let configuration = reader.configuration
        switch packet {
        case .jpeg(let bytes):
            let jpeg: ByteBuffer
            do throws(CameraJPEGProblem) {
                jpeg = try CameraJPEG.withHuffmanTables(bytes)
            } catch {
                throw .readFailed(error.message)
            }
            return CameraFrame(camera: configuration.name, timestamp: now, sequence: sequence, jpeg: jpeg, image: nil)
        case .image(let image):
            let final = FrameTransform.apply(image, rotation: configuration.rotation, colorMode: configuration.colorMode)
            return CameraFrame(camera: configuration.name, timestamp: now, sequence: sequence, jpeg: nil, image: final)
        }
    }
}
