import NIOCore
import Testing
import ZenohProtocol
import ZenohTransport

@testable import Zenoh

/// Fixtures shared by the pure state-machine tests.
enum Fixture {
    static let localZid = ZenohId(low: 0x1111, high: 0)!
    static let routerZid = ZenohId(low: 0x2222, high: 0)!

    static func info(port: Int = 7447) -> ZenohTransportInfo {
        ZenohTransportInfo(
            localZid: localZid, remoteZid: routerZid, remoteWhatAmI: .router, batchSize: 65_535,
            remoteLeaseMilliseconds: 10_000, isQoSEnabled: false,
            endpoint: ZenohEndpoint(linkProtocol: .tcp, host: "127.0.0.1", port: port))
    }

    static func key(_ text: String) -> KeyExpr {
        // Test literals are valid by construction.
        try! KeyExpr(text)
    }

    static func wire(_ text: String, scope: UInt16 = 0, senderMapping: Bool = true) -> WireExpr {
        WireExpr(scope: scope, suffix: text, isSenderMapping: senderMapping)
    }

    /// A machine whose first transport (generation 1) is up.
    static func connected(reconnects: Bool = true) -> SessionStateMachine {
        var machine = SessionStateMachine(reconnectsAutomatically: reconnects)
        let generation = machine.connectAttemptStarted()
        #expect(generation == 1)
        _ = machine.connectionEstablished(generation: 1, info: info())
        return machine
    }

    static func push(_ key: String, payload: String = "v", scope: UInt16 = 0, senderMapping: Bool = true) -> NetworkMessage {
        .push(
            .init(wireExpr: wire(key, scope: scope, senderMapping: senderMapping), body: .put(.init(payload: ByteBuffer(string: payload)))))
    }

    static func declare(_ declaration: Declaration, interestID: UInt32? = nil) -> NetworkMessage {
        .declare(.init(interestID: interestID, declaration: declaration))
    }

    static func request(_ id: UInt32, _ key: String, parameters: String = "") -> NetworkMessage {
        .request(.init(requestID: id, wireExpr: wire(key), query: .init(parameters: parameters)))
    }
}

extension [SessionAction] {
    /// The network messages among the actions.
    var sentMessages: [NetworkMessage] {
        self.compactMap { if case .send(let message, _, _) = $0 { message } else { nil } }
    }

    /// The declarations among the sent messages, with their interest ids.
    var declarations: [(Declaration, UInt32?)] {
        self.sentMessages.compactMap { if case .declare(let d) = $0 { (d.declaration, d.interestID) } else { nil } }
    }
}
