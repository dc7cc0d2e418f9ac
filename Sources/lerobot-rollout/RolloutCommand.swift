// lerobot-rollout: drives a robot with a remote policy (`--inference.type=remote`). Thin: parse, assemble, run.
import ArgumentParser
import Dispatch
import Foundation
import Logging
import Rollout

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
        Signals.install(shutdown)
        let commands = OperatorCommands()
        if settings.strategy == .dagger { StdinCommands.start(commands, shutdown: shutdown) }
        let status = StatusReporter(isTerminal: isatty(2) != 0) { text in FileHandle.standardError.write(Data(text.utf8)) }
        let robot: any Robot
        do {
            robot = try RobotFactory.make(settings, logger: logger)
        } catch {
            fail(error.message)
        }
        let runner = RolloutRunner(
            settings: settings, robot: robot, shutdown: shutdown, commands: commands, status: status, logger: logger)
        let report: RolloutReport
        do {
            report = try await runner.run()
        } catch let error as RolloutError {
            fail(error.message)
        }
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

/// SIGINT/SIGTERM/SIGHUP/SIGQUIT set the shutdown event; a second signal exits at once with status 1.
enum Signals {
    nonisolated(unsafe) static var sources: [any DispatchSourceSignal] = []

    static func install(_ shutdown: ShutdownEvent) {
        let queue = DispatchQueue(label: "signals")
        for number in [SIGINT, SIGTERM, SIGHUP, SIGQUIT] {
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: queue)
            source.setEventHandler {
                if shutdown.isSet { Foundation.exit(1) }
                shutdown.set()
            }
            source.resume()
            sources.append(source)
        }
    }
}

/// Dagger's operator input from stdin: a line with `p`/space/Enter toggles pause, `c`/`tab` toggles
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
