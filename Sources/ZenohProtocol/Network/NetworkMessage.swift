public import NIOCore

/// A network-layer message (zenoh-protocol.md section 8), carried inside Frames or Fragments.
///
/// The enum is `indirect` so that a message is one pointer wide (house style G5: small NIOAny
/// payloads); the payload structs themselves are large.
public indirect enum NetworkMessage: Hashable, Sendable {
    /// PUSH: a put or delete publication.
    case push(Push)
    /// REQUEST: a query.
    case request(Request)
    /// RESPONSE: one reply (or error) to a request.
    case response(Response)
    /// RESPONSE_FINAL: closes a request.
    case responseFinal(ResponseFinal)
    /// DECLARE: one declaration or undeclaration.
    case declare(Declare)
    /// INTEREST: asks for (current and/or future) declarations.
    case interest(Interest)
    /// Network OAM (e.g. LinkState gossip).
    case oam(OAM)

    /// The 5-bit network message ids.
    public enum ID: UInt8, Hashable, Sendable {
        /// INTEREST (0x19).
        case interest = 0x19
        /// RESPONSE_FINAL (0x1A).
        case responseFinal = 0x1A
        /// RESPONSE (0x1B).
        case response = 0x1B
        /// REQUEST (0x1C).
        case request = 0x1C
        /// PUSH (0x1D).
        case push = 0x1D
        /// DECLARE (0x1E).
        case declare = 0x1E
        /// OAM (0x1F).
        case oam = 0x1F
    }

    /// The message id of this message.
    public var id: ID {
        switch self {
        case .push: .push
        case .request: .request
        case .response: .response
        case .responseFinal: .responseFinal
        case .declare: .declare
        case .interest: .interest
        case .oam: .oam
        }
    }

    /// Decodes one network message from the front of `buffer`.
    public static func decode(from buffer: inout ByteBuffer) throws(ZenohDecodingError) -> NetworkMessage {
        let start = buffer.readerIndex
        do throws(ZenohDecodingError) {
            let header = try buffer.readZenohByte("network header")
            guard let id = ID(rawValue: header & 0x1F) else {
                throw ZenohDecodingError.unknownMessage("network", header: header)
            }
            switch id {
            case .push: return .push(try Push(header: header, from: &buffer))
            case .request: return .request(try Request(header: header, from: &buffer))
            case .response: return .response(try Response(header: header, from: &buffer))
            case .responseFinal: return .responseFinal(try ResponseFinal(header: header, from: &buffer))
            case .declare: return .declare(try Declare(header: header, from: &buffer))
            case .interest: return .interest(try Interest(header: header, from: &buffer))
            case .oam: return .oam(try OAM(header: header, from: &buffer))
            }
        } catch {
            buffer.moveReaderIndex(to: start)
            throw error
        }
    }
}

extension ByteBuffer {
    /// Writes a network message and returns the number of bytes written.
    @discardableResult
    public mutating func writeZenohNetworkMessage(_ message: NetworkMessage) -> Int {
        let start = self.writerIndex
        switch message {
        case .push(let value): value.write(to: &self)
        case .request(let value): value.write(to: &self)
        case .response(let value): value.write(to: &self)
        case .responseFinal(let value): value.write(to: &self)
        case .declare(let value): value.write(to: &self)
        case .interest(let value): value.write(to: &self)
        case .oam(let value): value.write(to: &self)
        }
        return self.writerIndex - start
    }
}
