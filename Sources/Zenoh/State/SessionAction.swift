import NIOCore
import ZenohProtocol
import ZenohTransport

/// What the session facade must do after the state machine handled an event (house style G6).
///
/// Entities are named by id; the facade owns the sinks (buffers, callbacks) behind the ids.
enum SessionAction: Sendable, Equatable {
    /// Send a network message on the current transport.
    case send(NetworkMessage, ZenohSendOptions)
    /// Hand a publication to these local subscribers (entity ids).
    case deliverSample(ZenohSample, subscriberIDs: [UInt32])
    /// Hand a liveliness change to these liveliness subscribers (interest ids).
    case deliverLivelinessSample(ZenohSample, subscriberIDs: [UInt32])
    /// Hand a query to these local queryables (entity ids); each must eventually call `queryFinished`.
    case deliverQuery(InboundQuery, queryableIDs: [UInt32])
    /// Hand a reply to a pending get.
    case deliverReply(ZenohReply, to: PendingQueryID)
    /// End a pending get's replies, normally (nil) or with an error.
    case finishQuery(PendingQueryID, error: ZenohError?)
    /// Tell the application about the link.
    case emit(ZenohConnectionEvent)
    /// Start the reconnect loop.
    case startReconnecting
}

/// A pending `get` (by request id) or liveliness `get` (by interest id).
enum PendingQueryID: Hashable, Sendable {
    case get(UInt32)
    case liveliness(UInt32)
}

/// A Request received from the router, as delivered to local queryables.
struct InboundQuery: Sendable, Equatable {
    /// The transport generation the request arrived on; its final goes back on the same one only.
    var generation: UInt64
    var requestID: UInt32
    var key: KeyExpr
    var parameters: String
    var body: ZenohMessage.Query.Body?
    var attachment: ByteBuffer?
}

/// The Declare and Interest messages the session sends.
enum SessionMessages {
    static func wire(_ key: KeyExpr) -> WireExpr {
        WireExpr(scope: 0, suffix: key.description, isSenderMapping: true)
    }

    static func declare(_ declaration: Declaration, interestID: UInt32? = nil) -> SessionAction {
        .send(.declare(.init(interestID: interestID, qos: .declare, declaration: declaration)), .control)
    }

    static func subscriber(_ id: UInt32, _ key: KeyExpr, interestID: UInt32? = nil) -> SessionAction {
        declare(.subscriber(EntityDeclaration(id: id, wireExpr: wire(key))), interestID: interestID)
    }

    static func queryable(_ id: UInt32, _ key: KeyExpr, complete: Bool, interestID: UInt32? = nil) -> SessionAction {
        let info = QueryableDeclaration.Info(isComplete: complete)
        return declare(.queryable(QueryableDeclaration(id: id, wireExpr: wire(key), info: info)), interestID: interestID)
    }

    static func token(_ id: UInt32, _ key: KeyExpr, interestID: UInt32? = nil) -> SessionAction {
        declare(.token(EntityDeclaration(id: id, wireExpr: wire(key))), interestID: interestID)
    }

    /// The empty WireExpr extension Rust puts on undeclarations (`5f 02 00 00`).
    static let emptyUndeclareExpr = WireExpr(scope: 0, suffix: "", isSenderMapping: true)

    static func livelinessInterest(_ id: UInt32, _ key: KeyExpr, mode: NetworkMessage.Interest.Mode) -> SessionAction {
        .send(.interest(.init(interestID: id, mode: mode, options: [.keyExprs, .tokens], wireExpr: wire(key))), .control)
    }

    static func finalInterest(_ id: UInt32) -> SessionAction {
        .send(.interest(.init(interestID: id, mode: .final)), .control)
    }

    static func responseFinal(_ requestID: UInt32) -> SessionAction {
        .send(.responseFinal(.init(requestID: requestID, qos: .request)), .request)
    }
}
