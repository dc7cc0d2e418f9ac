import ArgumentParser
import Foundation
import JSON
import Zenoh

struct Liveliness: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Liveliness tokens, subscribers and queries.", subcommands: [Token.self, LSub.self, LGet.self])

    struct Token: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "token", abstract: "Declare a token until interrupted.")
        @OptionGroup var connection: ConnectionOptions
        @Option(name: [.short, .long]) var key: String = "group1/zenoh-swift"
        @Option(help: "Seconds to keep the token (default: until interrupted).") var duration: Double?

        func run() async throws {
            let session = try await connection.open()
            let token = try session.liveliness.declareToken(key)
            print("READY")
            fflush(nil)
            await waitForInterrupt(seconds: duration)
            token.undeclare()
            await session.close()
        }
    }

    struct LSub: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "sub", abstract: "Print token appearances (PUT) and disappearances (DELETE).")
        @OptionGroup var connection: ConnectionOptions
        @Option(name: [.short, .long]) var key: String = "group1/**"
        @Flag(help: "Also report tokens alive before the subscription.") var history = false
        @Option(help: "Exit after this many events (0 = until interrupted).") var count: Int = 0

        func run() async throws {
            let session = try await connection.open()
            let subscriber = try session.liveliness.declareSubscriber(key, history: history)
            print("READY")
            fflush(nil)
            var seen = 0
            for await sample in subscriber {
                Output.sample(sample)
                seen += 1
                if count > 0 && seen >= count { break }
            }
            await session.close()
        }
    }

    struct LGet: AsyncParsableCommand {
        static let configuration = CommandConfiguration(commandName: "get", abstract: "List the tokens alive now.")
        @OptionGroup var connection: ConnectionOptions
        @Option(name: [.short, .long]) var key: String = "group1/**"
        @Option(help: "Seconds to wait.") var timeout: Double = 10

        func run() async throws {
            let session = try await connection.open()
            for try await reply in try session.liveliness.get(key, timeout: .milliseconds(Int(timeout * 1000))) {
                if let sample = reply.sample { Output.sample(sample, extra: [("reply", "ok")]) }
            }
            print("DONE")
            await session.close()
        }
    }
}

struct Info: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print this session's and the remote's identity.")
    @OptionGroup var connection: ConnectionOptions

    func run() async throws {
        let session = try await connection.open()
        if let info = session.transportInfo {
            print("zid: \(info.localZid)")
            print("remote: \(info.remoteZid) (\(info.remoteWhatAmI)) at \(info.endpoint)")
            print("batch size: \(info.batchSize) bytes, remote lease: \(info.remoteLeaseMilliseconds) ms, QoS: \(info.isQoSEnabled)")
        }
        await session.close()
    }
}
