// lerobot-rollout: drives a robot with a remote policy (`--inference.type=remote`). Thin: parse, assemble, run.
import ArgumentParser
import Foundation
import Logging
import Rollout
import ServiceLifecycle

@main
struct RolloutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "lerobot-rollout",
        abstract: "Run a policy on a robot; the policy runs on a lerobot-policy-server (--inference.type=remote).",
        discussion: "Status goes to stderr (a live line on a terminal); the statistics are printed to stdout as JSON at exit. "
            + "Exit status: 0 done, 2 bad flags or failed pre-flight (the robot did not move), 3 the remote engine went DEAD, "
            + "4 a camera stopped (its stream ended or 10 reads failed in a row).")

    @OptionGroup var options: RolloutOptions

    mutating func run() async throws {
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = ProcessInfo.processInfo.environment["LOG_LEVEL"].flatMap(Logger.Level.init(rawValue:)) ?? .info
            return handler
        }
        let logger = Logger(label: "lerobot.rollout")
        let settings: RolloutSettings
        do {
            settings = try options.settings()
        } catch {
            fail(error.message)
        }
        let shutdown = ShutdownEvent()
        let commands = OperatorCommands()
        let status = StatusReporter(isTerminal: isatty(2) != 0) { text in FileHandle.standardError.write(Data(text.utf8)) }
        let robot: any Robot
        do {
            robot = try RobotFactory.make(settings, logger: logger)
        } catch {
            fail(error.message)
        }
        var teleop: (any Teleoperator)?
        if let teleopSettings = settings.teleop {
            do {
                teleop = try TeleopFactory.make(teleopSettings, logger: logger)
            } catch {
                fail(error.message)
            }
        }
        let keys = OperatorInput.start(settings, commands: commands, teleop: teleop, shutdown: shutdown, logger: logger)
        let runner = RolloutRunner(
            settings: settings, robot: robot, teleop: teleop, shutdown: shutdown, commands: commands, status: status, logger: logger)
        // SIGINT, SIGTERM, SIGHUP, SIGQUIT shut the group down gracefully: the loop stops at its next tick.
        let service = RolloutService(runner: runner)
        let group = ServiceGroup(
            configuration: ServiceGroupConfiguration(
                services: [.init(service: service, successTerminationBehavior: .gracefullyShutdownGroup)],
                gracefulShutdownSignals: RolloutService.signals, logger: logger))
        try await group.run()
        let report: RolloutReport
        switch service.result {
        case .success(let done):
            report = done
        case .failure(let error):
            keys?.stop()
            fail(error.message)
        case nil:
            keys?.stop()
            fail("the rollout did not run")
        }
        keys?.stop()
        print(report.json)
        if let path = settings.statsPath {
            try? (report.json + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        }
        if let camera = report.cameraError {
            FileHandle.standardError.write(Data("error: \(camera)\n".utf8))
            throw ExitCode(4)
        }
        if let reason = report.deadReason {
            FileHandle.standardError.write(Data("error: remote inference went DEAD: \(reason)\n".utf8))
            throw ExitCode(3)
        }
    }

    func fail(_ message: String) -> Never {
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
        Foundation.exit(2)
    }
}

/// The operator's input on stdin for dagger and episodic. A terminal: raw-mode keys as LeRobot users press
/// them (``KeyBindings``; the terminal is restored at exit). Anything else (a pipe): lines, dagger only —
/// `p`/space/Enter toggles pause, `c`/`tab` toggles correction, `q` stops. Headless (/dev/null, closed):
/// nothing to read.
enum OperatorInput {
    static func start(
        _ settings: RolloutSettings, commands: OperatorCommands, teleop: (any Teleoperator)?, shutdown: ShutdownEvent,
        logger: Logger
    ) -> TerminalKeys? {
        let jog = teleop as? KeyboardJog
        guard settings.strategy != .base || jog != nil else { return nil }
        let keys = TerminalKeys { key in
            switch KeyBindings.action(for: key, strategy: settings.strategy, jog: jog != nil) {
            case .dagger(let event)?: commands.push(event)
            case .episodic(let event)?: commands.push(event)
            case .jog(let joint, let direction)?: jog?.jog(joint: joint, direction: direction)
            case .upload?: logger.info("Enter (upload): this build records no dataset; nothing to push")
            case .stop?: shutdown.set()
            case nil: break
            }
        }
        if keys == nil {
            if jog != nil { logger.warning("--teleop.type=keyboard needs a terminal on stdin; its keys cannot be read") }
            if settings.strategy == .dagger { StdinCommands.start(commands, shutdown: shutdown) }
        }
        return keys
    }
}

/// Dagger's operator input from stdin lines: a line with `p`/space/Enter toggles pause, `c`/`tab` toggles
/// correction, `q` stops.
enum StdinCommands {
    static func start(_ commands: OperatorCommands, shutdown: ShutdownEvent) {
        let thread = Thread {
            while let line = readLine() {
                let command = line.trimmingCharacters(in: .whitespaces).lowercased()
                if command == "q" || command == "quit" || command == "esc" {
                    shutdown.set()
                    return
                }
                if let event = DaggerPhases.event(forCommand: line) { commands.push(event) }
            }
        }
        thread.name = "stdin-commands"
        thread.start()
    }
}
