import Foundation
public import ServiceLifecycle
import Synchronization
public import UnixSignals

/// One rollout as a service, for the executable's `ServiceGroup`: it runs the rollout once and returns. A
/// graceful shutdown (``signals``) sets the shutdown event, so the loop ends at its next tick and the rollout
/// tears down as on `q`; a second signal exits at once with status 1, as LeRobot's rollout does.
public final class RolloutService: Service, Sendable {
    /// SIGINT, SIGTERM, SIGHUP and SIGQUIT: the group's graceful-shutdown signals.
    public static let signals: [UnixSignal] = [.sigint, .sigterm, .sighup, .sigquit]

    let runner: RolloutRunner
    private let outcome = Mutex<Result<RolloutReport, RolloutError>?>(nil)

    public init(runner: RolloutRunner) {
        self.runner = runner
    }

    /// What the rollout came to: its report, or the error that stopped it before the robot moved. Nil until
    /// ``run()`` returns.
    public var result: Result<RolloutReport, RolloutError>? { outcome.withLock { $0 } }

    public func run() async throws {
        let runner = self.runner
        let result = await withGracefulShutdownHandler {
            do {
                return Result<RolloutReport, RolloutError>.success(try await runner.run())
            } catch let error as RolloutError {
                return .failure(error)
            } catch {
                return .failure(RolloutError(.invalidOption, "\(error)"))
            }
        } onGracefulShutdown: {
            runner.shutdown.set()
            Task {
                for await _ in await UnixSignalsSequence(trapping: Self.signals) { Foundation.exit(1) }
            }
        }
        outcome.withLock { $0 = result }
    }
}
