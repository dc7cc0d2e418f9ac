/// A byte link to a servo bus (a serial port at 1 Mbaud, or a simulated bus in tests).
public protocol SerialLink: AnyObject {
    func write(_ bytes: [UInt8]) throws(RolloutError)
    /// Exactly `count` bytes, or a timeout error after `timeout` seconds.
    func read(count: Int, timeout: Double) throws(RolloutError) -> [UInt8]
    /// Discards unread input.
    func discardInput()
    func close()
}

/// The Feetech bus operations LeRobot uses: ping, read, write (with status), sync read, sync write.
public final class FeetechBus {
    public let link: any SerialLink
    public let baudRate: Double
    /// The fixed part of the per-packet timeout (LeRobot: 50 ms).
    public let latencyMargin: Double

    public init(link: any SerialLink, baudRate: Double = 1_000_000, latencyMargin: Double = 0.05) {
        self.link = link
        self.baudRate = baudRate
        self.latencyMargin = latencyMargin
    }

    /// LeRobot's per-packet timeout: `tx_time_per_byte · (n + 3) + 50 ms`, `tx_time_per_byte = 10 000 / baud` ms.
    func timeout(expecting bytes: Int) -> Double {
        10 / baudRate * Double(bytes + 3) + latencyMargin
    }

    /// Reads one status packet of `dataLength` parameter bytes.
    func readStatus(dataLength: Int) throws(RolloutError) -> FeetechPacket.Status {
        let count = 6 + dataLength
        let bytes = try link.read(count: count, timeout: timeout(expecting: count))
        return try FeetechPacket.status(bytes)
    }

    /// Pings `id`; true when it answers.
    public func ping(_ id: UInt8) -> Bool {
        link.discardInput()
        guard (try? link.write(FeetechPacket.instruction(.ping, id: id))) != nil else { return false }
        return (try? readStatus(dataLength: 0))?.id == id
    }

    /// Reads `length` bytes at `address` of motor `id` (little-endian value).
    public func read(_ id: UInt8, address: UInt8, length: Int) throws(RolloutError) -> Int {
        link.discardInput()
        try link.write(FeetechPacket.instruction(.read, id: id, parameters: [address, UInt8(length)]))
        let status = try readStatus(dataLength: length)
        try check(status, id: id, what: "read of register \(address)")
        return Self.littleEndian(status.parameters)
    }

    /// Writes `value` (`length` bytes, little-endian) at `address` of motor `id`, and checks the status reply.
    public func write(_ id: UInt8, address: UInt8, length: Int, value: Int) throws(RolloutError) {
        link.discardInput()
        try link.write(FeetechPacket.instruction(.write, id: id, parameters: [address] + Self.bytes(value, length)))
        try check(try readStatus(dataLength: 0), id: id, what: "write of register \(address)")
    }

    /// One SYNC READ: the value at `address` of every motor in `ids`, in that order (error bytes ignored).
    public func syncRead(_ ids: [UInt8], address: UInt8, length: Int) throws(RolloutError) -> [Int] {
        link.discardInput()
        try link.write(
            FeetechPacket.instruction(
                .syncRead, id: FeetechPacket.broadcastID, parameters: [address, UInt8(length)] + ids))
        var values: [Int] = []
        for id in ids {
            let status = try readStatus(dataLength: length)
            guard status.id == id else {
                throw RolloutError(.robot, "Feetech: sync read expected motor \(id), got \(status.id)")
            }
            values.append(Self.littleEndian(status.parameters))
        }
        return values
    }

    /// One SYNC WRITE (no reply).
    public func syncWrite(_ values: [(id: UInt8, value: Int)], address: UInt8, length: Int) throws(RolloutError) {
        var parameters: [UInt8] = [address, UInt8(length)]
        for (id, value) in values { parameters += [id] + Self.bytes(value, length) }
        try link.write(FeetechPacket.instruction(.syncWrite, id: FeetechPacket.broadcastID, parameters: parameters))
    }

    private func check(_ status: FeetechPacket.Status, id: UInt8, what: String) throws(RolloutError) {
        guard status.id == id else { throw RolloutError(.robot, "Feetech: \(what) answered by motor \(status.id), not \(id)") }
        guard status.error == 0 else {
            throw RolloutError(.robot, "Feetech: motor \(id) reports \(FeetechPacket.errorDescription(status.error)) on \(what)")
        }
    }

    static func bytes(_ value: Int, _ length: Int) -> [UInt8] {
        (0..<length).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
    }

    static func littleEndian(_ bytes: [UInt8]) -> Int {
        bytes.enumerated().reduce(0) { $0 | (Int($1.element) << (8 * $1.offset)) }
    }
}
