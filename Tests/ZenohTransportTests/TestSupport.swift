import NIOCore
import ZenohProtocol

@testable import ZenohTransport

/// Shared builders for the pure tests.
enum Fixtures {
    static let localZid = ZenohId(low: 0x1122_3344, high: 0)!
    static let remoteZid = ZenohId(low: 0xAABB_CCDD, high: 0x01)!
    static let endpoint = ZenohEndpoint(linkProtocol: .tcp, host: "127.0.0.1", port: 7447)

    static func parameters(
        batchSize: Int = 65_535, localSN: UInt32 = 100, remoteSN: UInt32 = 500,
        localLease: UInt64 = 10_000, remoteLease: UInt64 = 10_000, qos: Bool = false, patch: UInt64 = 0
    ) -> TransportParameters {
        TransportParameters(
            localZid: localZid, remoteZid: remoteZid, remoteWhatAmI: .router, batchSize: batchSize,
            resolution: .default32, localLeaseMilliseconds: localLease, remoteLeaseMilliseconds: remoteLease,
            localInitialSN: localSN, remoteInitialSN: remoteSN, patch: patch, maximumMessageSize: 1 << 30,
            isQoSEnabled: qos)
    }

    static func push(_ key: String, payload: [UInt8], attachment: [UInt8]? = nil) -> NetworkMessage {
        .push(
            .init(
                wireExpr: WireExpr(suffix: key),
                body: .put(.init(attachment: attachment.map { ByteBuffer(bytes: $0) }, payload: ByteBuffer(bytes: payload)))))
    }

    static func serialized(_ message: NetworkMessage) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeZenohNetworkMessage(message)
        return buffer
    }

    /// Strips and checks the 2-byte little-endian length prefix.
    static func content(of batch: OutboundBatch) -> ByteBuffer? {
        var bytes = batch.contiguous
        guard let length = bytes.readInteger(endianness: .little, as: UInt16.self),
            Int(length) == bytes.readableBytes
        else { return nil }
        return bytes
    }

    static func decode(_ batch: OutboundBatch) throws -> [TransportMessage] {
        guard let content = content(of: batch) else { throw TestFailure("bad length prefix") }
        return try ZenohBatch.decode(content)
    }

    static func framedBatch(_ messages: [TransportMessage]) -> ByteBuffer {
        ZenohBatch.encode(messages)
    }

    static let t0 = NIODeadline.uptimeNanoseconds(1_000_000_000)

    static func at(ms: Int64) -> NIODeadline { t0 + .milliseconds(ms) }
}

struct TestFailure: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}

extension NetworkMessage {
    /// The Put of a Push, if this is one.
    var put: ZenohMessage.Put? {
        guard case .push(let push) = self, case .put(let put) = push.body else { return nil }
        return put
    }
}
