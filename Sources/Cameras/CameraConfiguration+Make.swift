extension CameraConfiguration {
    /// The keys one camera's map may hold.
    public static let knownKeys = [
        "type", "index_or_path", "width", "height", "fps", "color_mode", "rotation", "warmup_s", "fourcc", "backend",
        "mjpeg_passthrough",
    ]

    /// Builds and validates one camera from its already-parsed `--robot.cameras` map, field by field.
    ///
    /// `width`, `height` and `fps` are required (LeRobot lets OpenCV pick defaults; we refuse to guess), as is
    /// `index_or_path` for `type: opencv`. Errors name the flag, the camera and the field.
    public static func make(name: String, fields: [(key: String, value: String)]) throws(CameraError)
        -> CameraConfiguration
    {
        var values: [String: String] = [:]
        for (key, value) in fields {
            guard knownKeys.contains(key) else {
                throw invalid(
                    "camera '\(name)' has an unknown key '\(key)' (known: \(knownKeys.joined(separator: ", ")))")
            }
            guard values.updateValue(value, forKey: key) == nil else {
                throw invalid("\(name).\(key) is given twice")
            }
        }
        let reader = FieldReader(camera: name, values: values)
        let type = try reader.choice("type", default: Kind.opencv)
        let indexOrPath: String
        if let given = values["index_or_path"], !given.isEmpty {
            indexOrPath = given
        } else if type == .sim {
            indexOrPath = "0"
        } else {
            throw invalid("\(name).index_or_path is required for type opencv (a device index, /dev/video*, a file or a URL)")
        }
        var configuration = CameraConfiguration(
            name: name, type: type, indexOrPath: indexOrPath,
            width: try reader.side("width"), height: try reader.side("height"), fps: try reader.fps(),
            colorMode: try reader.choice("color_mode", default: ColorMode.rgb),
            rotation: try reader.rotation(), warmupS: try reader.warmup(), fourcc: try reader.fourcc(),
            backend: try reader.backend(), mjpegPassthrough: try reader.flag("mjpeg_passthrough", default: true))
        if configuration.backend == .v4l2, case .device = configuration.input {
        } else if configuration.backend == .v4l2 {
            throw invalid("\(name).backend V4L2 needs a device (an index or /dev/video*), got '\(indexOrPath)'")
        }
        if configuration.fourcc != nil, case .device = configuration.input {
        } else if configuration.fourcc != nil {
            // A file or stream has the pixel format it was recorded with; OpenCV ignores fourcc there too.
            configuration.fourcc = nil
        }
        return configuration
    }

    static func invalid(_ what: String) -> CameraError {
        CameraError(.invalidConfiguration, "--robot.cameras: \(what)")
    }
}

/// Reads and checks one camera's fields; every error names `<camera>.<field>`.
private struct FieldReader {
    let camera: String
    let values: [String: String]

    private func refuse(_ key: String, _ rule: String, _ value: String) -> CameraError {
        CameraConfiguration.invalid("\(camera).\(key) must be \(rule), got '\(value)'")
    }

    func side(_ key: String) throws(CameraError) -> Int {
        guard let value = values[key] else { throw CameraConfiguration.invalid("\(camera).\(key) is required") }
        guard let side = Int(value), (1...8192).contains(side) else {
            throw refuse(key, "an integer within 1...8192", value)
        }
        return side
    }

    func fps() throws(CameraError) -> Double {
        guard let value = values["fps"] else { throw CameraConfiguration.invalid("\(camera).fps is required") }
        guard let fps = Double(value), fps.isFinite, fps > 0, fps <= 1000 else {
            throw refuse("fps", "a number within (0, 1000]", value)
        }
        return fps
    }

    func choice<T: RawRepresentable & CaseIterable>(_ key: String, default fallback: T) throws(CameraError) -> T
    where T.RawValue == String {
        guard let value = values[key] else { return fallback }
        guard let choice = T(rawValue: value.lowercased()) else {
            throw refuse(key, "one of \(T.allCases.map(\.rawValue).joined(separator: ", "))", value)
        }
        return choice
    }

    func rotation() throws(CameraError) -> CameraConfiguration.Rotation {
        guard let value = values["rotation"] else { return .none }
        let degrees = Int(value).map { $0 == 270 ? -90 : $0 }
        guard let degrees, let rotation = CameraConfiguration.Rotation(rawValue: degrees) else {
            throw refuse("rotation", "one of 0, 90, 180, -90", value)
        }
        return rotation
    }

    func flag(_ key: String, default fallback: Bool) throws(CameraError) -> Bool {
        guard let value = values[key] else { return fallback }
        switch value.lowercased() {
        case "true", "1", "yes": return true
        case "false", "0", "no": return false
        default: throw refuse(key, "true or false", value)
        }
    }

    func warmup() throws(CameraError) -> Double {
        guard let value = values["warmup_s"] else { return 1 }
        guard let seconds = Double(value), seconds.isFinite, (0...60).contains(seconds) else {
            throw refuse("warmup_s", "a number of seconds within 0...60", value)
        }
        return seconds
    }

    func fourcc() throws(CameraError) -> String? {
        guard let value = values["fourcc"], !value.isEmpty, value != "null", value != "None" else { return nil }
        guard value.utf8.count == 4, value.unicodeScalars.allSatisfy({ $0.isASCII && $0.value > 32 }) else {
            throw refuse("fourcc", "a 4-character code such as MJPG or YUYV", value)
        }
        let code = value.uppercased()
        guard PixelFormatName.ffmpegName(ofFourCC: code) != nil else {
            throw refuse("fourcc", "one of \(PixelFormatName.knownFourCCs.joined(separator: ", "))", value)
        }
        return code
    }

    func backend() throws(CameraError) -> CameraConfiguration.Backend {
        guard let value = values["backend"] else { return .any }
        let supported = CameraConfiguration.Backend.allCases
        if let number = Int(value), let backend = supported.first(where: { $0.openCVValue == number }) {
            return backend
        }
        if let backend = CameraConfiguration.Backend(rawValue: value.uppercased()) { return backend }
        let known = ["DSHOW": 700, "PVAPI": 800, "ANDROID": 1000, "AVFOUNDATION": 1200, "MSMF": 1400, "GSTREAMER": 1800]
        if known[value.uppercased()] != nil || known.values.contains(Int(value) ?? -1) {
            throw CameraConfiguration.invalid(
                "\(camera).backend \(value) cannot be honoured: this build reads cameras through FFmpeg "
                    + "(use ANY, V4L2 or FFMPEG)")
        }
        throw refuse("backend", "one of ANY (0), V4L2 (200), FFMPEG (1900)", value)
    }
}
