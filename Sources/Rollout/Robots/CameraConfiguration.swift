/// One entry of `--robot.cameras`: `{type: opencv, index_or_path: 0, width: 640, height: 480, fps: 30}`.
public struct CameraConfiguration: Sendable, Hashable {
    /// The camera's name (`front`): its feature key is `observation.images.<name>`.
    public var name: String
    public var type: String
    public var indexOrPath: String
    public var width: Int
    public var height: Int
    public var fps: Double

    public init(name: String, type: String = "opencv", indexOrPath: String = "0", width: Int = 640, height: Int = 480, fps: Double = 30) {
        self.name = name
        self.type = type
        self.indexOrPath = indexOrPath
        self.width = width
        self.height = height
        self.fps = fps
    }

    /// `observation.images.<name>`.
    public var featureKey: String { "observation.images.\(name)" }

    /// Parses the flag's inline map, in its order.
    public static func parse(_ text: String) throws(RolloutError) -> [CameraConfiguration] {
        guard let entries = try FlowMapParser.parse(text, flag: "robot.cameras").entries else { return [] }
        var cameras: [CameraConfiguration] = []
        for entry in entries {
            guard let fields = entry.value.entries else {
                throw RolloutError(.invalidOption, "--robot.cameras: camera '\(entry.key)' must be a map like {type: opencv, width: 640, height: 480, fps: 30}")
            }
            var camera = CameraConfiguration(name: entry.key)
            for field in fields {
                let value = field.value.scalar ?? ""
                func int() throws(RolloutError) -> Int {
                    guard let n = Int(value), n > 0 else {
                        throw RolloutError(.invalidOption, "--robot.cameras: \(entry.key).\(field.key) must be a positive integer, got '\(value)'")
                    }
                    return n
                }
                switch field.key {
                case "type": camera.type = value
                case "index_or_path": camera.indexOrPath = value
                case "width": camera.width = try int()
                case "height": camera.height = try int()
                case "fps":
                    guard let fps = Double(value), fps > 0 else {
                        throw RolloutError(.invalidOption, "--robot.cameras: \(entry.key).fps must be > 0, got '\(value)'")
                    }
                    camera.fps = fps
                default: break  // other OpenCV settings (color_mode, rotation, ...) do not apply to simulated cameras
                }
            }
            guard camera.width <= 8192, camera.height <= 8192 else {
                throw RolloutError(.invalidOption, "--robot.cameras: \(entry.key) is \(camera.width)×\(camera.height); sides must be at most 8192")
            }
            cameras.append(camera)
        }
        return cameras
    }
}
