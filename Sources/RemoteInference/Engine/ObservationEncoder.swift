import NIOCore
import OrderedCollections
import PolicyWire

/// Turns a request snapshot into an Observation body, on the worker (JPEG at `jpeg_quality`, 0 = raw),
/// applying the rename map to the feature keys. Owns a JPEG encoder: one per worker.
final class ObservationEncoder {
    let quality: Int
    let renameMap: [String: String]
    private let jpeg: JPEGEncoder

    init(quality: Int, renameMap: [String: String]) throws(PolicyWireError) {
        self.quality = quality
        self.renameMap = renameMap
        self.jpeg = try JPEGEncoder()
    }

    func encode(_ request: EngineCore.RequestSnapshot, task: String) throws(PolicyWireError) -> ByteBuffer {
        var images: OrderedDictionary<String, WireImage> = [:]
        for camera in request.observation.cameras {
            images[renameMap[camera.key] ?? camera.key] = try WireImage(camera.image, quality: quality, encoder: jpeg)
        }
        let observation = Observation(
            state: try PolicyTensor(float32: request.observation.state), images: images, task: task,
            inferenceDelaySteps: Int64(request.delaySteps),
            prefixModel: try request.prefixModel.map(Self.tensor), prefixRobot: try request.prefixRobot.map(Self.tensor),
            episodeStart: request.episodeStart)
        return observation.encoded()
    }

    static func tensor(_ rows: ActionRows) throws(PolicyWireError) -> PolicyTensor {
        try PolicyTensor(float32: rows.values, shape: [rows.count, rows.columns])
    }
}
