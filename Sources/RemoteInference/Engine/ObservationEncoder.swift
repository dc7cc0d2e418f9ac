import NIOCore
import OrderedCollections
import PolicyWire

/// Turns a request snapshot into an Observation body, on the worker (JPEG at `jpeg_quality`, 0 = raw),
/// applying the rename map to the feature keys. A camera's own JPEG bytes are forwarded untouched, unless raw
/// images were asked for (`jpeg_quality: 0`), when they are decoded. Owns a JPEG encoder and decoder: one per worker.
final class ObservationEncoder {
    let quality: Int
    let renameMap: [String: String]
    private let jpeg: JPEGEncoder
    /// Made on the first camera JPEG that must be decoded (raw images asked for).
    private var decoder: JPEGDecoder?

    init(quality: Int, renameMap: [String: String]) throws(PolicyWireError) {
        self.quality = quality
        self.renameMap = renameMap
        self.jpeg = try JPEGEncoder()
    }

    func encode(_ request: EngineCore.RequestSnapshot, task: String) throws(PolicyWireError) -> ByteBuffer {
        var images: OrderedDictionary<String, WireImage> = [:]
        for camera in request.observation.cameras {
            images[renameMap[camera.key] ?? camera.key] = try wireImage(camera.image)
        }
        let observation = Observation(
            state: try PolicyTensor(float32: request.observation.state), images: images, task: task,
            inferenceDelaySteps: Int64(request.delaySteps),
            prefixModel: try request.prefixModel.map(Self.tensor), prefixRobot: try request.prefixRobot.map(Self.tensor),
            episodeStart: request.episodeStart)
        return observation.encoded()
    }

    func wireImage(_ image: CameraImage) throws(PolicyWireError) -> WireImage {
        switch image {
        case .pixels(let pixels):
            return try WireImage(pixels, quality: quality, encoder: jpeg)
        case .jpeg(let bytes, _, _) where quality > 0:
            return .jpeg(bytes)
        case .jpeg(let bytes, _, _):
            let decoder: JPEGDecoder
            if let made = self.decoder {
                decoder = made
            } else {
                decoder = try JPEGDecoder()
                self.decoder = decoder
            }
            return try WireImage(decoder.decode(bytes), quality: 0, encoder: jpeg)
        }
    }

    static func tensor(_ rows: ActionRows) throws(PolicyWireError) -> PolicyTensor {
        try PolicyTensor(float32: rows.values, shape: [rows.count, rows.columns])
    }
}
