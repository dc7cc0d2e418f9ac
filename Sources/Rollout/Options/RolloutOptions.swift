public import ArgumentParser
public import Cameras
public import RemoteInference

/// The flags of `lerobot-rollout`, spelled as LeRobot's (dotted, `--name=value`), with its defaults.
public struct RolloutOptions: ParsableArguments {
    public init() {}

    @Option(
        name: .customLong("strategy.type"),
        help: "base | episodic | dagger (sentry, highlight: not yet supported); keys on a terminal: dagger space/tab/Esc, episodic →/←/Esc")
    public var strategy = "base"
    @Option(name: .customLong("policy.path"), help: "Hub repo id or local directory; only config.json is read (no weights)")
    public var policyPath = ""
    @Option(name: .customLong("policy.revision"), help: "Hub revision of --policy.path")
    public var policyRevision = "main"

    @Option(name: .customLong("inference.type"), help: "remote (sync and rtc need local weights: not in this weightless build)")
    public var inferenceType = "sync"
    @Option(
        name: .customLong("inference.connect_endpoint"),
        help: "the router (client mode) or the listening server (peer mode); tcp/HOST:PORT or tls/HOST:PORT")
    public var connectEndpoint = "tcp/localhost:7447"
    @Option(
        name: .customLong("inference.zenoh_mode"), help: "client (through a router) | peer (straight to a server listening in peer mode)")
    public var zenohMode = "client"
    @Option(
        name: .customLong("inference.tls_ca"), help: "PEM CA that signed the server's certificate (mutual TLS: all three tls_* together)")
    public var tlsCA: String?
    @Option(name: .customLong("inference.tls_cert"), help: "PEM certificate of this robot") public var tlsCert: String?
    @Option(name: .customLong("inference.tls_key"), help: "PEM private key of --inference.tls_cert") public var tlsKey: String?
    @Option(name: .customLong("inference.service_model_id"), help: "default: --policy.path") public var serviceModelID = ""
    @Option(name: .customLong("inference.service_revision")) public var serviceRevision = "main"
    @Option(name: .customLong("inference.service_task"), help: "default: --task") public var serviceTask = ""
    @Option(name: .customLong("inference.client_uuid"), help: "default: a fresh random id per run") public var clientUUID = ""
    @Option(name: .customLong("inference.jpeg_quality"), help: "0 = raw images") public var jpegQuality = 90
    @Option(name: .customLong("inference.buffer_time_s")) public var bufferTime = 0.5
    @Option(name: .customLong("inference.max_action_age_s")) public var maxActionAge = 3.0
    @Option(name: .customLong("inference.fallback"), help: "hold | repeat_last | zero") public var fallback = "hold"
    @Option(name: .customLong("inference.degraded_after_s")) public var degradedAfter = 1.0
    @Option(name: .customLong("inference.request_timeout_s")) public var requestTimeout = 5.0
    @Option(name: .customLong("inference.handshake_timeout_s")) public var handshakeTimeout = 2.0
    @Option(name: .customLong("inference.reconnect_initial_backoff_s")) public var reconnectInitialBackoff = 0.5
    @Option(name: .customLong("inference.reconnect_max_backoff_s")) public var reconnectMaxBackoff = 10.0
    @Option(name: .customLong("inference.max_offline_s")) public var maxOffline = 60.0
    @Option(name: .customLong("inference.rtc.enabled")) public var rtcEnabled = true
    @Option(name: .customLong("inference.rtc.execution_horizon")) public var rtcExecutionHorizon = 10
    @Option(name: .customLong("inference.rtc.max_guidance_weight"), help: "kept locally; the server's manifest decides")
    public var rtcMaxGuidanceWeight = 10.0
    @Option(name: .customLong("inference.tags"), help: "labels sent with the session open, e.g. '{site: lab1}'") public var tags = ""

    @Option(name: .customLong("robot.type"), help: "sim | so100_follower | so101_follower (serial Feetech arms)") public var robotType = ""
    @Option(name: .customLong("robot.port")) public var robotPort = ""
    @Option(name: .customLong("robot.id")) public var robotID = ""
    @Option(
        name: .customLong("robot.cameras"),
        help: ArgumentHelp(
            "e.g. \"{ front: {type: opencv, index_or_path: 0, width: 640, height: 480, fps: 30}}\"",
            discussion: "type opencv: index_or_path is a device index, /dev/video*, a video file (paced at its frame rate) or a "
                + "stream URL; width, height, fps required; color_mode rgb|bgr; rotation 0|90|180|-90; warmup_s (1); "
                + "fourcc (MJPG, YUYV); backend ANY|V4L2|FFMPEG; mjpeg_passthrough (true: MJPEG frames go to the server "
                + "as the camera's own JPEG bytes). type sim: a camera rendering the simulated arm (--robot.type=sim)."))
    public var robotCameras = ""

    @Option(name: .customLong("task")) public var task = ""
    @Option(name: .customLong("fps")) public var fps = 30.0
    @Option(name: .customLong("duration"), help: "seconds; 0 = until Ctrl-C") public var duration = 0.0
    @Option(name: .customLong("interpolation_multiplier")) public var interpolationMultiplier = 1
    @Option(name: .customLong("return_to_initial_position")) public var returnToInitialPosition = true
    @Option(name: .customLong("rename_map"), help: "observation key renames, e.g. '{observation.images.top: observation.images.cam0}'")
    public var renameMap = ""

    @Option(name: .customLong("dataset.episode_time_s"), help: "episodic: policy phase length") public var episodeTime = 60.0
    @Option(name: .customLong("dataset.reset_time_s"), help: "episodic: reset phase length") public var resetTime = 60.0
    @Option(name: .customLong("dataset.num_episodes"), help: "episodic") public var numEpisodes = 50
    @Option(name: .customLong("strategy.reset_to_initial_position"), help: "episodic") public var resetToInitialPosition = true

    @OptionGroup public var teleop: TeleopOptions

    @Option(name: .customLong("stats_path"), help: "also write the exit statistics (JSON) to this file") public var statsPath: String?

    /// Checks the flags and builds the run's settings; errors name the flag.
    public func settings() throws(RolloutError) -> RolloutSettings {
        guard let strategy = RolloutSettings.Strategy(rawValue: strategy) else {
            if ["sentry", "highlight"].contains(self.strategy) {
                throw RolloutError(
                    .unsupported,
                    "--strategy.type=\(self.strategy) is not yet supported: it records datasets, which this build does not do (use base, episodic or dagger)"
                )
            }
            throw RolloutError(
                .invalidOption, "Unknown strategy type '\(self.strategy)' (--strategy.type: base, episodic, dagger, sentry, highlight)")
        }
        switch inferenceType {
        case "remote": break
        case "sync", "rtc":
            throw RolloutError(
                .unsupported,
                "--inference.type=\(inferenceType) requires a loaded policy and processors; this edge build is weightless: use --inference.type=remote"
            )
        default:
            throw RolloutError(.invalidOption, "--inference.type must be one of sync, rtc, remote, got '\(inferenceType)'")
        }
        guard !robotType.isEmpty else { throw RolloutError(.invalidOption, "--robot.type is required for rollout") }
        let cameras = try CameraConfiguration.parse(robotCameras)
        switch robotType {
        case "sim":
            break
        case "so100_follower", "so101_follower":
            guard !robotPort.isEmpty else {
                throw RolloutError(.invalidOption, "--robot.port is required with --robot.type=\(robotType) (e.g. /dev/ttyACM0)")
            }
            if let sim = cameras.first(where: { $0.type == .sim }) {
                throw RolloutError(
                    .invalidOption,
                    "--robot.cameras: \(sim.name).type sim renders the simulated arm and needs --robot.type=sim; "
                        + "a real arm takes type opencv cameras (a device index, /dev/video*, a file or a stream URL)")
            }
        default:
            throw RolloutError(.invalidOption, "--robot.type must be one of sim, so100_follower, so101_follower, got '\(robotType)'")
        }
        guard fps > 0 else { throw RolloutError(.invalidOption, "--fps must be > 0, got \(fps)") }
        guard duration >= 0 else { throw RolloutError(.invalidOption, "--duration must be >= 0 (0 = forever), got \(duration)") }
        guard interpolationMultiplier >= 1 else {
            throw RolloutError(.invalidOption, "--interpolation_multiplier must be >= 1, got \(interpolationMultiplier)")
        }
        guard let fallback = FallbackPolicy(rawValue: fallback) else {
            throw RolloutError(.invalidOption, "--inference.fallback must be one of hold, repeat_last, zero, got '\(fallback)'")
        }
        if strategy == .episodic {
            guard episodeTime > 0, numEpisodes >= 1, resetTime >= 0 else {
                throw RolloutError(
                    .invalidOption, "--dataset.episode_time_s must be > 0, --dataset.num_episodes >= 1 and --dataset.reset_time_s >= 0")
            }
        }
        var inference = RemoteInferenceConfiguration()
        inference.connectEndpoint = connectEndpoint
        inference.zenohMode = zenohMode
        inference.tlsCA = tlsCA
        inference.tlsCert = tlsCert
        inference.tlsKey = tlsKey
        inference.serviceModelID = serviceModelID
        inference.serviceRevision = serviceRevision
        inference.serviceTask = serviceTask
        inference.clientUUID = clientUUID
        inference.jpegQuality = jpegQuality
        inference.bufferTime = bufferTime
        inference.fallback = fallback
        inference.handshakeTimeout = handshakeTimeout
        inference.failSafe = FailSafeConfiguration(
            degradedAfter: degradedAfter, maxActionAge: maxActionAge, requestTimeout: requestTimeout,
            reconnectInitialBackoff: reconnectInitialBackoff, reconnectMaxBackoff: reconnectMaxBackoff, maxOffline: maxOffline)
        inference.rtcEnabled = rtcEnabled
        inference.rtcExecutionHorizon = rtcExecutionHorizon
        inference.rtcMaxGuidanceWeight = rtcMaxGuidanceWeight
        inference.tags = try Self.pairs(tags, flag: "inference.tags")
        do {
            try inference.validate()
        } catch {
            throw RolloutError(.invalidOption, error.message)
        }
        var settings = RolloutSettings(
            strategy: strategy, policyPath: policyPath, policyRevision: policyRevision, inference: inference,
            robotType: robotType, robotPort: robotPort, cameras: cameras, robotID: robotID, task: task, fps: fps, duration: duration,
            interpolationMultiplier: interpolationMultiplier, returnToInitialPosition: returnToInitialPosition,
            renameMap: Dictionary(try Self.pairs(renameMap, flag: "rename_map"), uniquingKeysWith: { $1 }),
            episodeTime: episodeTime, resetTime: resetTime, numEpisodes: numEpisodes,
            resetToInitialPosition: resetToInitialPosition, statsPath: statsPath)
        settings.teleop = try teleop.settings()
        return settings
    }

    static func pairs(_ text: String, flag: String) throws(RolloutError) -> [(String, String)] {
        guard let entries = try FlowMapParser.parse(text, flag: flag).entries else { return [] }
        var pairs: [(String, String)] = []
        for entry in entries {
            guard let value = entry.value.scalar else {
                throw RolloutError(.invalidOption, "--\(flag): '\(entry.key)' must map to a string")
            }
            pairs.append((entry.key, value))
        }
        return pairs
    }
}

/// The validated settings of one rollout.
public struct RolloutSettings: Sendable {
    public enum Strategy: String, Sendable {
        case base, episodic, dagger
    }

    public var strategy: Strategy
    public var policyPath: String
    public var policyRevision: String
    public var inference: RemoteInferenceConfiguration
    /// `sim`, `so100_follower` or `so101_follower`.
    public var robotType: String
    public var robotPort: String
    public var cameras: [CameraConfiguration]
    public var robotID: String
    public var task: String
    public var fps: Double
    public var duration: Double
    public var interpolationMultiplier: Int
    public var returnToInitialPosition: Bool
    public var renameMap: [String: String]
    public var episodeTime: Double
    public var resetTime: Double
    public var numEpisodes: Int
    public var resetToInitialPosition: Bool
    public var statsPath: String?
    /// `--teleop.*`; nil: no teleoperator (the arm holds while correcting).
    public var teleop: TeleopSettings? = nil
}
