import NIOCore
import ZenohProtocol
import ZenohTransport

/// What the session facade must do after the state machine handled an event (house style G6).
///
/// Entities are named by id; the facade owns the sinks (buffers, callbacks) behind the ids.
enum SessionAction: Sendable, Equatable {
    /// Send a network message on the transport of this face (a link's generation number).
    case send(NetworkMessage, ZenohSendOptions, face: UInt64)
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

/// A Request received from a remote, as delivered to local queryables.
struct InboundQuery: Sendable, Equatable {
    /// The face (link generation) the request arrived on; its replies and final go back on it only.
    var generation: UInt64
    var requestID: UInt32
    var key: KeyExpr
    var parameters: String
    var body: ZenohMessage.Query.Body?
    var attachment: ByteBuffer?
}

/// A network message with the way it is sent, before a face is chosen.
struct OutboundMessage: Sendable, Equatable {
    var message: NetworkMessage
    var options: ZenohSendOptions

    /// The action sending it to `face`.
    func to(_ face: UInt64) -> SessionAction { .send(self.message, self.options, face: face) }
}

/// The Declare and Interest messages the session sends.
enum SessionMessages {
    static func wire(_ key: KeyExpr) -> WireExpr {
        WireExpr(scope: 0, suffix: key.description, isSenderMapping: true)
    }

    static func declare(_ declaration: Declaration, interestID: UInt32? = nil) -> OutboundMessage {
        OutboundMessage(message: .declare(.init(interestID: interestID, qos: .declare, declaration: declaration)), options: .control)
    }

    static func subscriber(_ id: UInt32, _ key: KeyExpr, interestID: UInt32? = nil) -> OutboundMessage {
        declare(.subscriber(EntityDeclaration(id: id, wireExpr: wire(key))), interestID: interestID)
    }

    static func queryable(_ id: UInt32, _ key: KeyExpr, complete: Bool, interestID: UInt32? = nil) -> OutboundMessage {
        let info = QueryableDeclaration.Info(isComplete: complete)
        return declare(.queryable(QueryableDeclaration(id: id, wireExpr: wire(key), info: info)), interestID: interestID)
    }

    static func token(_ id: UInt32, _ key: KeyExpr, interestID: UInt32? = nil) -> OutboundMessage {
        declare(.token(EntityDeclaration(id: id, wireExpr: wire(key))), interestID: interestID)
    }

    /// The empty WireExpr extension Rust puts on undeclarations (`5f 02 00 00`).
    static let emptyUndeclareExpr = WireExpr(scope: 0, suffix: "", isSenderMapping: true)

    static func livelinessInterest(_ id: UInt32, _ key: KeyExpr, mode: NetworkMessage.Interest.Mode) -> OutboundMessage {
        OutboundMessage(
            message: .interest(.init(interestID: id, mode: mode, options: [.keyExprs, .tokens], wireExpr: wire(key))),
            options: .control)
    }

    static func finalInterest(_ id: UInt32) -> OutboundMessage {
        OutboundMessage(message: .interest(.init(interestID: id, mode: .final)), options: .control)
    }

    static func responseFinal(_ requestID: UInt32) -> OutboundMessage {
        OutboundMessage(message: .responseFinal(.init(requestID: requestID, qos: .request)), options: .request)
    }
}
