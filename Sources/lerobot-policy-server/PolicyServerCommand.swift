// lerobot-policy-server: serves one policy to LeRobot robots over Zenoh. Thin: parse, load, assemble, run.
import Foundation
import Logging
import PolicyServer
import ServiceLifecycle
import UnixSignals
import Zenoh

@main
struct PolicyServerCommand {
    static func main() async {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
            return handler
        }
        let logger = Logger(label: "lerobot.policy_server")
        do {
            try await run(arguments: Array(CommandLine.arguments.dropFirst()), logger: logger)
        } catch let error as PolicyServerError {
            FileHandle.standardError.write(Data("error: \(error.message)\n".utf8))
            exit(2)
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            exit(1)
        }
    }

    static func run(arguments: [String], logger: Logger) async throws {
        let commandLine = try ServerCommandLine.parse(arguments)
        if commandLine.wantsHelp {
            print(ServerCommandLine.helpText)
            return
        }
        var yaml: String?
        if let path = commandLine.manifestPath {
            do {
                yaml = try String(contentsOfFile: path, encoding: .utf8)
            } catch {
                throw PolicyServerError(.manifestInvalid, "cannot read --manifest \(path): \(error.localizedDescription)")
            }
        }
        let manifest = try ServerManifest(yaml: yaml, overrides: commandLine.overridePairs)
        let server = try await ServerStartup.load(manifest, progress: { logger.info("\($0)") }, logger: logger)
        let runner = try InferenceRunner(
            policy: server.policy,
            settings: .init(
                servingMode: server.servingMode, rtcExecutionHorizon: manifest.rtc.executionHorizon, defaultTask: manifest.defaultTask))
        try ServerStartup.warmUp(server, runner: runner)

        let zenoh = try await ZenohSession.open(
            configuration: try manifest.zenoh.sessionConfiguration(), logger: Logger(label: "zenoh"))
        for endpoint in zenoh.listeningEndpoints {
            logger.info("Listening for robots", metadata: ["endpoint": "\(endpoint)"])
        }
        let metrics = ServerMetrics(maxSessions: server.maxSessions)
        var capture: DebugCapture?
        if let directory = manifest.debug.captureDir {
            let captureLogger = logger
            capture = try DebugCapture(directory: directory, capacity: manifest.debug.captureMax) { message in
                captureLogger.warning("\(message)")
            }
            logger.info("Debug capture on", metadata: ["dir": "\(directory)", "max": "\(manifest.debug.captureMax)"])
        }
        let readyLine = server.readyLine
        let service = PolicyService(
            server: server, zenoh: zenoh, runner: runner, metrics: metrics, logger: logger,
            auditLogger: Logger(label: "lerobot.policy_server.audit"), capture: capture,
            onStarted: { FileHandle.standardOutput.write(Data((readyLine + "\n").utf8)) })
        // Graceful shutdown runs in reverse order: the policy service drains first, the health port closes last.
        var services: [any Service] = []
        if manifest.healthPort != 0 {
            services.append(
                try await HealthServer.start(port: manifest.healthPort, metrics: metrics, isWorkerAlive: { service.isWorkerAlive }))
        }
        services.append(service)
        let group = ServiceGroup(
            services: services, gracefulShutdownSignals: [.sigterm, .sigint], cancellationSignals: [], logger: logger)
        try await group.run()
        await zenoh.close()
        logger.info("Stopped")
    }
}
