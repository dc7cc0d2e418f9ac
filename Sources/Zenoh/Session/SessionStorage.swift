import NIOCore
import ZenohProtocol
import ZenohTransport

/// Where a subscriber's samples go: an async sequence's buffer or a callback.
enum SampleSink: Sendable {
    case buffer(EventBuffer<ZenohSample>)
    case handler(@Sendable (ZenohSample) -> Void)

    func deliver(_ sample: ZenohSample) {
        switch self {
        case .buffer(let buffer): buffer.yield(sample)
        case .handler(let handler): handler(sample)
        }
    }

    func finish() {
        if case .buffer(let buffer) = self { buffer.finish() }
    }
}

/// Where a queryable's queries go.
enum QuerySink: Sendable {
    case buffer(EventBuffer<ZenohQuery>)
    case handler(@Sendable (ZenohQuery) -> Void)

    func deliver(_ query: ZenohQuery) {
        switch self {
        case .buffer(let buffer): buffer.yield(query)
        case .handler(let handler): handler(query)
        }
    }

    func finish() {
        if case .buffer(let buffer) = self { buffer.finish() }
    }
}

/// An action with its targets looked up, ready to run outside the lock.
enum SessionEffect: Sendable {
    case send(any ZenohTransportConnection, NetworkMessage, ZenohSendOptions)
    case deliverSample(ZenohSample, [SampleSink])
    case deliverQuery(InboundQuery, [(id: UInt32, sink: QuerySink)], localZid: ZenohId?)
    case deliverReply(ZenohReply, EventBuffer<ZenohReply>)
    case finishReplies(EventBuffer<ZenohReply>, ZenohError?)
    case emit(ZenohConnectionEvent, [EventBuffer<ZenohConnectionEvent>])
    case startReconnecting
}

/// Everything the session guards with its one lock: the state machine, the transports and the sinks.
struct SessionStorage: Sendable {
    var machine: SessionStateMachine
    /// Our ZenohId (the same on every transport).
    let localZid: ZenohId
    /// The transports of the faces, by link generation.
    var connections: [UInt64: any ZenohTransportConnection] = [:]
    /// The listeners of a peer.
    var listeners: [TCPTransportListener] = []
    var subscriberSinks: [UInt32: SampleSink] = [:]
    var livelinessSinks: [UInt32: SampleSink] = [:]
    var querySinks: [UInt32: QuerySink] = [:]
    var replySinks: [PendingQueryID: EventBuffer<ZenohReply>] = [:]
    var eventSinks: [Int: EventBuffer<ZenohConnectionEvent>] = [:]
    var nextEventSinkID = 0
    /// Whether a timer task is sleeping until ``armedDeadline``.
    var armedDeadline: ContinuousClock.Instant?

    init(machine: SessionStateMachine, localZid: ZenohId) {
        self.machine = machine
        self.localZid = localZid
    }

    /// Looks up the targets of `actions` (finished pending queries lose their sink here).
    mutating func resolve(_ actions: [SessionAction]) -> [SessionEffect] {
        var effects: [SessionEffect] = []
        effects.reserveCapacity(actions.count)
        for action in actions {
            switch action {
            case .send(let message, let options, let face):
                if let connection = self.connections[face] { effects.append(.send(connection, message, options)) }
            case .deliverSample(let sample, let ids):
                effects.append(.deliverSample(sample, ids.compactMap { self.subscriberSinks[$0] }))
            case .deliverLivelinessSample(let sample, let ids):
                effects.append(.deliverSample(sample, ids.compactMap { self.livelinessSinks[$0] }))
            case .deliverQuery(let query, let ids):
                let sinks = ids.compactMap { id in self.querySinks[id].map { (id: id, sink: $0) } }
                effects.append(.deliverQuery(query, sinks, localZid: self.localZid))
            case .deliverReply(let reply, let id):
                if let sink = self.replySinks[id] { effects.append(.deliverReply(reply, sink)) }
            case .finishQuery(let id, let error):
                if let sink = self.replySinks.removeValue(forKey: id) { effects.append(.finishReplies(sink, error)) }
            case .emit(let event):
                effects.append(.emit(event, Array(self.eventSinks.values)))
            case .startReconnecting:
                effects.append(.startReconnecting)
            }
        }
        return effects
    }
}
