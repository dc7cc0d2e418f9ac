import ZenohProtocol

/// Either side of the Init/Open handshake, so one link handler serves connected and accepted links.
enum LinkHandshake: Sendable {
    /// We connected: InitSyn → InitAck → OpenSyn → OpenAck.
    case connecting(HandshakeStateMachine)
    /// We accepted: wait for InitSyn, answer InitAck, wait for OpenSyn, answer OpenAck.
    case accepting(AcceptingHandshakeStateMachine)

    mutating func linkActive() -> HandshakeStateMachine.Action {
        self.apply({ $0.linkActive() }, { $0.linkActive() })
    }

    mutating func received(_ message: TransportMessage) -> HandshakeStateMachine.Action {
        self.apply({ $0.received(message) }, { $0.received(message) })
    }

    mutating func timedOut(after milliseconds: UInt64) -> HandshakeStateMachine.Action {
        self.apply({ $0.timedOut(after: milliseconds) }, { $0.timedOut(after: milliseconds) })
    }

    mutating func linkClosed(cause: (any Error & Sendable)? = nil) -> HandshakeStateMachine.Action {
        self.apply({ $0.linkClosed(cause: cause) }, { $0.linkClosed(cause: cause) })
    }

    private mutating func apply(
        _ connecting: (inout HandshakeStateMachine) -> HandshakeStateMachine.Action,
        _ accepting: (inout AcceptingHandshakeStateMachine) -> HandshakeStateMachine.Action
    ) -> HandshakeStateMachine.Action {
        switch self {
        case .connecting(var machine):
            let action = connecting(&machine)
            self = .connecting(machine)
            return action
        case .accepting(var machine):
            let action = accepting(&machine)
            self = .accepting(machine)
            return action
        }
    }
}
