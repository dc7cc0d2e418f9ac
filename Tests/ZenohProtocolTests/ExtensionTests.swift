import NIOCore
import Testing

@testable import ZenohProtocol

@Suite("Extensions (TLV)")
struct ExtensionTests {
    @Test("Unit, Z64 and ZBuf round trip with the Z (more) flag")
    func roundTrip() throws {
        let extensions: [ZenohExtension] = [
            .unit(0x1),
            .z64(0x6, 2000),
            .zbuf(0xF, ByteBuffer(hex: "02 00 00"), mandatory: true),
        ]
        var buffer = ByteBuffer()
        buffer.writeZenohExtensions(extensions)
        #expect(buffer == ByteBuffer(hex: "81 a6 d0 0f 5f 03 02 00 00"))
        #expect(try buffer.readZenohExtensions(present: true) == extensions)
        #expect(buffer.readableBytes == 0)
    }

    @Test("Header bytes from the reference: 0x21, 0xA1, 0x31, 0x5F")
    func headers() throws {
        #expect(ZenohExtension.z64(0x1, 0).header == 0x21)
        #expect(ZenohExtension.z64(0x1, 0, mandatory: true).header == 0x31)
        #expect(ZenohExtension.zbuf(0xF, ByteBuffer(), mandatory: true).header == 0x5F)
        var buffer = ByteBuffer(hex: "a1 0d 26 d0 0f")
        let (first, more) = try buffer.readZenohExtension()
        #expect(first == .z64(0x1, 0x0D))
        #expect(more)
    }

    @Test("Unknown non-mandatory extensions are skipped and kept for re-encoding")
    func skipUnknown() throws {
        // PUSH N+M+Z, scope 0 "a/b", ext QoS 0x19 (more), unknown ZBuf 0x7 (TsStack), PUT "x".
        let bytes = ByteBuffer(hex: "fd 00 03 61 2f 62 a1 19 47 02 aa bb 01 01 78")
        var buffer = bytes
        let message = try NetworkMessage.decode(from: &buffer)
        #expect(buffer.readableBytes == 0)
        guard case .push(let push) = message else {
            Issue.record("not a push")
            return
        }
        #expect(push.qos == ZenohQoS(priority: .realTime, congestionControl: .block, isExpress: true))
        #expect(push.unknownExtensions == [.zbuf(0x7, ByteBuffer(hex: "aa bb"))])
        var encoded = ByteBuffer()
        encoded.writeZenohNetworkMessage(message)
        #expect(encoded == bytes)
    }

    @Test("An unknown mandatory extension makes the message undecodable")
    func unknownMandatory() throws {
        // Same Push with ext id 0x9 flagged mandatory (0x39 Z64).
        var buffer = ByteBuffer(hex: "fd 00 03 61 2f 62 b9 05 21 19 01 01 78")
        let start = buffer.readerIndex
        #expect {
            try NetworkMessage.decode(from: &buffer)
        } throws: {
            ($0 as? ZenohDecodingError)?.code == .unknownMandatoryExtension
        }
        #expect(buffer.readerIndex == start)
    }

    @Test("Known mandatory extensions are understood: Frame QoS 0x31, Target 0xB4, NodeId 0x33, WireExpr 0x5F")
    func knownMandatory() throws {
        let request = ByteBuffer(hex: "fc 01 00 01 61 a1 0d b3 07 b4 01 26 d0 0f 23 03")
        var buffer = request
        guard case .request(let decoded) = try NetworkMessage.decode(from: &buffer) else {
            Issue.record("not a request")
            return
        }
        #expect(decoded.nodeID == 7)
        #expect(decoded.target == .all)
        #expect(decoded.timeoutMilliseconds == 2000)
        var encoded = ByteBuffer()
        encoded.writeZenohNetworkMessage(.request(decoded))
        #expect(encoded == request)
    }

    @Test("The extension count is bounded")
    func bounded() {
        var buffer = ByteBuffer()
        for _ in 0..<100 { buffer.writeInteger(UInt8(0x81)) }
        buffer.writeInteger(UInt8(0x01))
        #expect { try buffer.readZenohExtensions(present: true) } throws: {
            ($0 as? ZenohDecodingError)?.code == .limitExceeded
        }
    }

    @Test("The reserved encoding 0b11 and wrong body encodings are rejected")
    func reserved() {
        var reserved = ByteBuffer(hex: "61")
        #expect { try reserved.readZenohExtension() } throws: { ($0 as? ZenohDecodingError)?.code == .invalidValue }
        // Frame whose QoS extension is Unit instead of Z64.
        var frame = ByteBuffer(hex: "a5 01 11")
        #expect { try TransportMessage.decode(from: &frame) } throws: {
            ($0 as? ZenohDecodingError)?.code == .invalidValue
        }
    }
}
