import NIOCore

extension TransportMessage {
    /// JOIN (multicast only): a periodic session announcement.
    ///
    /// Layout: `header (T seconds, S size, Z) | version | flags (zid_len-1 << 4 | whatami) | zid |
    /// [resolution u8, batch size u16 LE] if S | lease | next reliable SN | next best-effort SN |
    /// [exts: QoS 0x1 (ZBuf of 8 SN pairs), Shm 0x2, Patch 0x7]`.
    public struct Join: Hashable, Sendable {
        /// The protocol version.
        public var version: UInt8
        /// The role of the sender.
        public var whatAmI: WhatAmI
        /// The sender's id.
        public var zid: ZenohId
        /// The resolution byte, present with the S flag.
        public var resolution: UInt8?
        /// The batch size, present with the S flag.
        public var batchSize: UInt16?
        /// The sender's lease in milliseconds.
        public var leaseMilliseconds: UInt64
        /// The next SN the sender uses on its reliable channel.
        public var nextReliableSN: UInt32
        /// The next SN the sender uses on its best-effort channel.
        public var nextBestEffortSN: UInt32
        /// All extensions in wire order.
        public var extensions: [ZenohExtension]

        /// Creates a Join.
        public init(
            version: UInt8 = ZenohLimits.protocolVersion,
            whatAmI: WhatAmI,
            zid: ZenohId,
            resolution: UInt8? = nil,
            batchSize: UInt16? = nil,
            leaseMilliseconds: UInt64,
            nextReliableSN: UInt32,
            nextBestEffortSN: UInt32,
            extensions: [ZenohExtension] = []
        ) {
            self.version = version
            self.whatAmI = whatAmI
            self.zid = zid
            self.resolution = resolution
            self.batchSize = batchSize
            self.leaseMilliseconds = leaseMilliseconds
            self.nextReliableSN = nextReliableSN
            self.nextBestEffortSN = nextBestEffortSN
            self.extensions = extensions
        }

        init(header: UInt8, from buffer: inout ByteBuffer) throws(ZenohDecodingError) {
            self.version = try buffer.readZenohByte("Join version")
            let flags = try buffer.readZenohByte("Join flags")
            guard let whatAmI = WhatAmI(code: flags & 0b11) else {
                throw .invalid("Join whatami code \(flags & 0b11)")
            }
            self.whatAmI = whatAmI
            self.zid = try buffer.readZenohId(length: Int(flags >> 4) + 1)
            if header & 0x40 != 0 {
                self.resolution = try buffer.readZenohByte("Join resolution")
                guard let size = buffer.readInteger(endianness: .little, as: UInt16.self) else {
                    throw .truncated("Join batch size")
                }
                self.batchSize = size
            }
            // The T flag (0x20) means "lease in seconds", as in Open.
            self.leaseMilliseconds = try OpenFields.readLease(header: header & 0x20 != 0 ? 0x40 : 0, from: &buffer)
            self.nextReliableSN = try buffer.readZenohVLE(as: UInt32.self)
            self.nextBestEffortSN = try buffer.readZenohVLE(as: UInt32.self)
            self.extensions = try buffer.readZenohExtensions(present: header & 0x80 != 0)
            for index in self.extensions.indices where ![0x1, 0x2, 0x7].contains(self.extensions[index].id) {
                self.extensions[index] = try ZenohExtension.unknown(self.extensions[index], in: "Join")
            }
        }

        func write(to buffer: inout ByteBuffer) {
            let inSeconds = self.leaseMilliseconds % 1000 == 0
            let hasSize = self.resolution != nil || self.batchSize != nil
            var header = TransportMessage.ID.join.rawValue
            if inSeconds { header |= 0x20 }
            if hasSize { header |= 0x40 }
            if !self.extensions.isEmpty { header |= 0x80 }
            buffer.writeInteger(header)
            buffer.writeInteger(self.version)
            buffer.writeInteger(UInt8(truncatingIfNeeded: (self.zid.byteCount - 1) << 4) | self.whatAmI.code)
            buffer.writeZenohId(self.zid)
            if hasSize {
                buffer.writeInteger(self.resolution ?? ZenohLimits.defaultResolution)
                buffer.writeInteger(self.batchSize ?? ZenohLimits.defaultBatchSize, endianness: .little)
            }
            buffer.writeZenohVLE(inSeconds ? self.leaseMilliseconds / 1000 : self.leaseMilliseconds)
            buffer.writeZenohVLE(self.nextReliableSN)
            buffer.writeZenohVLE(self.nextBestEffortSN)
            buffer.writeZenohExtensions(self.extensions)
        }
    }
}
