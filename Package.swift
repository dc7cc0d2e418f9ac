// swift-tools-version: 6.0
import PackageDescription

let strictSettings: [SwiftSetting] = [
    .swiftLanguageMode(.v6),
    .enableUpcomingFeature("ExistentialAny"),
    .enableUpcomingFeature("InternalImportsByDefault"),
    .enableUpcomingFeature("MemberImportVisibility"),
]

let package = Package(
    name: "swift-lerobot-remote",
    platforms: [.macOS(.v15), .iOS(.v18)],
    products: [
        .library(name: "MessagePack", targets: ["MessagePack"]),
        .library(name: "JSON", targets: ["JSON"]),
        .library(name: "PolicyWire", targets: ["PolicyWire"]),
        .library(name: "ZenohProtocol", targets: ["ZenohProtocol"]),
        .library(name: "ZenohTransport", targets: ["ZenohTransport"]),
        .library(name: "Zenoh", targets: ["Zenoh"]),
        .library(name: "Tokenizers", targets: ["Tokenizers"]),
        .executable(name: "lerobot-policy-server", targets: ["lerobot-policy-server"]),
        .executable(name: "zenoh-swift", targets: ["zenoh-swift"]),
        .executable(name: "lerobot-rollout", targets: ["lerobot-rollout"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-nio.git", from: "2.101.2"),
        .package(url: "https://github.com/apple/swift-collections.git", from: "1.6.0"),
        .package(url: "https://github.com/apple/swift-log.git", from: "1.16.2"),
        .package(url: "https://github.com/jpsim/Yams.git", from: "6.2.2"),
        .package(url: "https://github.com/apple/swift-argument-parser.git", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-nio-ssl.git", from: "2.37.6"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle.git", from: "2.13.0"),
    ],
    targets: [
        // JSON for every file and line the project reads or writes: an order-keeping value, a bounded parser, the
        // writer and its string escaper, Python's repr for LeRobot-style messages. No dependencies.
        .target(
            name: "JSON",
            swiftSettings: strictSettings
        ),
        // MessagePack for LeRobot's bodies: NIOCore only, no Foundation.
        .target(
            name: "MessagePack",
            dependencies: [.product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: strictSettings
        ),
        // libjpeg-turbo's TurboJPEG 2.x API (Debian: libturbojpeg0-dev).
        .systemLibrary(
            name: "CTurboJPEG",
            pkgConfig: "libturbojpeg",
            providers: [.apt(["libturbojpeg0-dev"])]
        ),
        // The LeRobot remote-inference wire format: header, messages, tensors, images, key expressions.
        .target(
            name: "PolicyWire",
            dependencies: [
                "MessagePack",
                "CTurboJPEG",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "OrderedCollections", package: "swift-collections"),
            ],
            swiftSettings: strictSettings
        ),
        // FFmpeg 5.x: libavdevice (V4L2), libavformat (files, network streams), libavcodec, libswscale, libavutil
        // (Debian: libavdevice-dev libavformat-dev libavcodec-dev libswscale-dev libavutil-dev).
        .systemLibrary(
            name: "CFFmpeg",
            pkgConfig: "libavdevice",
            providers: [.apt(["libavdevice-dev", "libavformat-dev", "libavcodec-dev", "libswscale-dev", "libavutil-dev"])]
        ),
        // Camera capture (LeRobot's `type: opencv`): V4L2 devices, video files and network streams through FFmpeg,
        // one background reader per camera, MJPEG pass-through. Not a dependency of Rollout yet.
        .target(
            name: "Cameras",
            dependencies: [
                "CFFmpeg", "PolicyWire",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // Zenoh 1.x wire model and codecs. NIOCore only; never touches sockets.
        .target(
            name: "ZenohProtocol",
            dependencies: [.product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: strictSettings
        ),
        // Zenoh links and transports on SwiftNIO: TCP and TLS, both handshake roles, sequence numbers, batching,
        // fragmentation, lease.
        .target(
            name: "ZenohTransport",
            dependencies: [
                "ZenohProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOSSL", package: "swift-nio-ssl"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // The Zenoh session: declarations, subscribers, queryables, queries, liveliness, reconnect. Public API.
        .target(
            name: "Zenoh",
            dependencies: [
                "ZenohProtocol",
                "ZenohTransport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // Hugging Face Hub downloads into the standard cache (HF_HOME, HF_HUB_OFFLINE, HF_TOKEN, revisions).
        .target(
            name: "HubClient",
            dependencies: ["JSON"],
            swiftSettings: strictSettings
        ),
        // ONNX Runtime's C API, opened with dlopen (no header, no link-time dependency): sessions, tensors, providers.
        .target(
            name: "ONNXRuntime",
            dependencies: [.product(name: "Logging", package: "swift-log")],
            swiftSettings: strictSettings
        ),
        // Flow-matching sampling (pi0, pi05, SmolVLA): the Euler loop around a velocity network, RTC prefix guidance,
        // seeded Gaussian noise. Pure functions over [Float] buffers; no dependencies.
        .target(
            name: "FlowMatching",
            swiftSettings: strictSettings
        ),
        // What runs a policy: the policy seam, checkpoint config loading, built-in test policies.
        .target(
            name: "PolicyRuntime",
            dependencies: [
                "JSON", "PolicyWire", "ONNXRuntime", "FlowMatching", "Tokenizers", .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // Hugging Face tokenizer.json (BPE) in Swift, token for token as the Rust `tokenizers`; LeRobot's task rules.
        .target(
            name: "Tokenizers",
            dependencies: ["JSON"],
            swiftSettings: strictSettings
        ),
        // The policy server: manifest, serving modes, session validation, scheduling, the service.
        .target(
            name: "PolicyServer",
            dependencies: [
                "JSON",
                "PolicyWire",
                "PolicyRuntime",
                "HubClient",
                "Zenoh",
                "ZenohProtocol",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
                .product(name: "NIOHTTP1", package: "swift-nio"),
                .product(name: "OrderedCollections", package: "swift-collections"),
                .product(name: "Yams", package: "Yams"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        // The weightless edge engine: action queue, latency tracker, fail-safe state machine. No server, no ONNX.
        .target(
            name: "RemoteInference",
            dependencies: [
                "JSON", "PolicyWire", "Zenoh", "ZenohTransport", "ZenohProtocol", "HubClient",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "OrderedCollections", package: "swift-collections"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        // Robots (simulated arm and cameras), strategies and the control loop of lerobot-rollout.
        .target(
            name: "Rollout",
            dependencies: [
                "JSON", "RemoteInference", "PolicyWire", "Cameras",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "lerobot-policy-server",
            dependencies: [
                "PolicyServer", "Zenoh",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "lerobot-rollout",
            dependencies: [
                "Rollout",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "zenoh-swift",
            dependencies: [
                "JSON", "Zenoh", "ZenohTransport", "ZenohProtocol",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "policy-wire-bench",
            dependencies: [
                "PolicyWire",
                "MessagePack",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            path: "Benchmarks/policy-wire-bench",
            swiftSettings: strictSettings
        ),
        // Load generator for the server benchmark (scripts/bench-server): closed-loop robots over Zenoh.
        .executableTarget(
            name: "policy-server-bench",
            dependencies: [
                "JSON", "PolicyWire", "Zenoh", "ZenohTransport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "OrderedCollections", package: "swift-collections"),
            ],
            path: "Benchmarks/policy-server-bench",
            swiftSettings: strictSettings
        ),
        .executableTarget(
            name: "onnx-policy-bench",
            dependencies: ["JSON", "PolicyRuntime", "PolicyWire", "ONNXRuntime", "FlowMatching"],
            path: "Benchmarks/onnx-policy-bench",
            swiftSettings: strictSettings
        ),
        // Tokenizer load time and encode throughput (scripts/bench-tokenizers compares with Python tokenizers).
        .executableTarget(
            name: "tokenizers-bench",
            dependencies: ["JSON", "Tokenizers"],
            path: "Benchmarks/tokenizers-bench",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "JSONTests",
            dependencies: ["JSON"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "MessagePackTests",
            dependencies: ["MessagePack", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: strictSettings
        ),
        // Test-only helpers: the project's Python tools (real msgpack/numpy/Pillow, real Rust Zenoh) as processes.
        .target(
            name: "InteropSupport",
            path: "Tests/InteropSupport",
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "PolicyWireTests",
            dependencies: [
                "PolicyWire", "MessagePack", "InteropSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "OrderedCollections", package: "swift-collections"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ZenohProtocolTests",
            dependencies: ["ZenohProtocol", "InteropSupport", .product(name: "NIOCore", package: "swift-nio")],
            resources: [.copy("Fixtures")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "PolicyServerTests",
            dependencies: [
                "PolicyServer", "PolicyWire", "PolicyRuntime", "HubClient", "InteropSupport", "Zenoh", "ZenohTransport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "OrderedCollections", package: "swift-collections"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "PolicyRuntimeTests",
            dependencies: ["PolicyRuntime", "PolicyWire", "ONNXRuntime", "FlowMatching", "Tokenizers", "InteropSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "FlowMatchingTests",
            dependencies: ["FlowMatching", "InteropSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "TokenizersTests",
            dependencies: ["Tokenizers", "JSON", "InteropSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ONNXRuntimeTests",
            dependencies: ["ONNXRuntime", "InteropSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "RolloutTests",
            dependencies: [
                "Rollout", "RemoteInference", "PolicyWire", "Cameras", .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Logging", package: "swift-log"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "CamerasTests",
            dependencies: ["Cameras", "PolicyWire", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "HubClientTests",
            dependencies: ["HubClient", "InteropSupport"],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "RemoteInferenceTests",
            dependencies: ["RemoteInference", "PolicyWire", .product(name: "NIOCore", package: "swift-nio")],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "PolicyServerInteropTests",
            dependencies: [
                "PolicyServer", "PolicyWire", "Zenoh", "ZenohTransport", "InteropSupport",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "RemoteInferenceInteropTests",
            dependencies: [
                "RemoteInference", "PolicyServer", "PolicyWire", "MessagePack", "Zenoh", "ZenohTransport", "InteropSupport", "HubClient",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "OrderedCollections", package: "swift-collections"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ZenohTransportTests",
            dependencies: [
                "ZenohTransport", "ZenohProtocol", "InteropSupport",
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "NIOPosix", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
        .testTarget(
            name: "ZenohTests",
            dependencies: [
                "Zenoh", "ZenohTransport", "ZenohProtocol", "InteropSupport",
                .product(name: "NIOCore", package: "swift-nio"),
            ],
            swiftSettings: strictSettings
        ),
    ]
)
