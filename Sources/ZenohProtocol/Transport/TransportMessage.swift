public import NIOCore

/// A transport-layer message (zenoh-protocol.md section 5).
///
/// The enum is `indirect` so that a message is one pointer wide (house style G5).
///
/// A batch holds one or more transport messages back to back; see ``ZenohBatch``.
public indirect enum TransportMessage: Hashable, Sendable {
    /// INIT with A=0: the first handshake message of the initiator.
    case initSyn(InitSyn)
    /// INIT with A=1: the acceptor's answer, carrying its cookie.
    case initAck(InitAck)
    /// OPEN with A=0: the initiator echoes the cookie.
    case openSyn(OpenSyn)
    /// OPEN with A=1: the acceptor opens the session.
    case openAck(OpenAck)
    /// CLOSE: closes a link or the whole session.
    case close(Close)
    /// KEEP_ALIVE: sent when a link has been idle for a quarter of the lease.
    case keepAlive(KeepAlive)
    /// FRAME: a sequence-numbered group of network messages.
    case frame(Frame)
    /// FRAGMENT: a piece of a network message too large for one batch.
    case fragment(Fragment)
    /// JOIN: multicast session announcement.
    case join(Join)
    /// Transport-level OAM.
    case oam(OAM)

    /// The 5-bit transport message ids.
    public enum ID: UInt8, Hashable, Sendable {
        /// OAM (0x00).
        case oam = 0x00
        /// INIT (0x01).
        case initialize = 0x01
        /// OPEN (0x02).
        case open = 0x02
        /// CLOSE (0x03).
        case close = 0x03
        /// KEEP_ALIVE (0x04).
        case keepAlive = 0x04
        /// FRAME (0x05).
        case frame = 0x05
        /// FRAGMENT (0x06).
        case fragment = 0x06
        /// JOIN (0x07).
        case join = 0x07
    }

    /// The message id of this message.
    public var id: ID {
        switch self {
        case .initSyn, .initAck: .initialize
        case .openSyn, .openAck: .open
        case .close: .close
        case .keepAlive: .keepAlive
        case .frame: .frame
        case .fragment: .fragment
        case .join: .join
        case .oam: .oam
        }
    }

    /// Decodes one transport message from the front of `buffer`.
    ///
    /// A Fragment consumes the rest of the buffer, and a Frame consumes network messages up to
    /// the first byte that is not a network message header, so `buffer` must be a complete batch.
    public static func decode(from buffer: inout ByteBuffer) throws(ZenohDecodingError) -> TransportMessage {
        let start = buffer.readerIndex
        do throws(ZenohDecodingError) {
            let header = try buffer.readZenohByte("transport header")
            switch header & 0x1F {
            case ID.initialize.rawValue:
                if header & InitSyn.Flag.ack != 0 {
                    return .initAck(try InitAck(header: header, from: &buffer))
                }
                return .initSyn(try InitSyn(header: header, from: &buffer))
            case ID.open.rawValue:
                if header & OpenSyn.Flag.ack != 0 {
                    return .openAck(try OpenAck(header: header, from: &buffer))
                }
                return .openSyn(try OpenSyn(header: header, from: &buffer))
            case ID.close.rawValue:
                return .close(try Close(header: header, from: &buffer))
            case ID.keepAlive.rawValue:
                return .keepAlive(try KeepAlive(header: header, from: &buffer))
            case ID.frame.rawValue:
                return .frame(try Frame(header: header, from: &buffer))
            case ID.fragment.rawValue:
                return .fragment(try Fragment(header: header, from: &buffer))
            case ID.join.rawValue:
                return .join(try Join(header: header, from: &buffer))
            case ID.oam.rawValue:
                return .oam(try OAM(header: header, from: &buffer))
            default:
                throw ZenohDecodingError.unknownMessage("transport", header: header)
            }
        } catch {
            buffer.moveReaderIndex(to: start)
            throw error
        }
    }
}

extension ByteBuffer {
    /// Writes a transport message and returns the number of bytes written.
    @discardableResult
    public mutating func writeZenohTransportMessage(_ message: TransportMessage) -> Int {
        let start = self.writerIndex
        switch message {
        case .initSyn(let value): value.write(to: &self)
        case .initAck(let value): value.write(to: &self)
        case .openSyn(let value): value.write(to: &self)
        case .openAck(let value): value.write(to: &self)
        case .close(let value): value.write(to: &self)
        case .keepAlive(let value): value.write(to: &self)
        case .frame(let value): value.write(to: &self)
        case .fragment(let value): value.write(to: &self)
        case .join(let value): value.write(to: &self)
        case .oam(let value): value.write(to: &self)
        }
        return self.writerIndex - start
    }
}
