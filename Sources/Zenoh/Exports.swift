// `import Zenoh` is all a user of the session needs. The value types a session is configured and used with
// live below it — endpoints, TLS settings and errors in ZenohTransport, key expressions, priorities,
// congestion control and encodings in ZenohProtocol — because the transport and the codec use them too.
// With member import visibility, a typealias would not carry their members, so the two modules are
// re-exported here, once, as SwiftNIO's umbrella module re-exports its parts.
@_exported import ZenohProtocol
@_exported import ZenohTransport

/// Anything a session declared and that stops when undeclared: publishers, subscribers, queryables and
/// liveliness tokens, so that an owner can keep what it declared in one typed collection.
public protocol ZenohDeclaration: AnyObject, Sendable {
    /// Withdraws the declaration; idempotent.
    func undeclare()
}

extension ZenohPublisher: ZenohDeclaration {}
extension ZenohSubscriber: ZenohDeclaration {}
extension ZenohQueryable: ZenohDeclaration {}
extension ZenohLivelinessToken: ZenohDeclaration {}
