public import NIOCore

extension TransportMessage {
    /// INIT with A=0 (zenoh-protocol.md section 5.1): version, whatami, zid, optional size
    /// parameters, extensions.
    public struct InitSyn: Hashable, Sendable {
        /// Header flags of INIT.
        enum Flag {
            static let ack: UInt8 = 0x20
            static let size: UInt8 = 0x40
            static let z: UInt8 = 0x80
        }

        /// The protocol version (``ZenohLimits/protocolVersion``).
        public var version: UInt8
        /// The role of the sender.
        public var whatAmI: WhatAmI
        /// The sender's id.
        public var zid: ZenohId
        /// Frame-SN bits (0-1) and request-id bits (2-3): 0b00 = 8, 0b01 = 16, 0b10 = 32, 0b11 = 64.
        public var resolution: UInt8
        /// The largest batch the sender accepts, including the 2-byte length prefix.
        public var batchSize: UInt16
        /// All extensions in wire order (QoS 0x1, Shm 0x2, Auth 0x3, MultiLink 0x4,
        /// LowLatency 0x5, Compression 0x6, Patch 0x7, RegionName 0x8 and unknown ones).
        public var extensions: [ZenohExtension]

        /// Creates an InitSyn.
        public init(
            version: UInt8 = ZenohLimits.protocolVersion,
            whatAmI: WhatAmI,
            zid: ZenohId,
            resolution: UInt8 = ZenohLimits.defaultResolution,
            batchSize: UInt16 = ZenohLimits.defaultBatchSize,
            extensions: [ZenohExtension] = []
        ) {
            self.version = version
            self.whatAmI = whatAmI
            self.zid = zid
            self.resolution = resolution
            self.batchSize = batchSize
            self.extensions = extensions
        }

        init(header: UInt8, from buffer: inout ByteBuffer) throws(ZenohDecodingError) {
            let common = try InitFields(header: header, from: &buffer)
            self.init(
                version: common.version,
                whatAmI: common.whatAmI,
                zid: common.zid,
                resolution: common.resolution,
                batchSize: common.batchSize
            )
            self.extensions = try InitFields.readExtensions(header: header, from: &buffer)
        }

        func write(to buffer: inout ByteBuffer) {
            InitFields.write(
                ack: false,
                version: self.version,
                whatAmI: self.whatAmI,
                zid: self.zid,
                resolution: self.resolution,
                batchSize: self.batchSize,
                cookie: nil,
                extensions: self.extensions,
                to: &buffer
            )
        }
    }

    /// INIT with A=1: like ``InitSyn`` plus the acceptor's opaque cookie (`<u8;z16>`).
    public struct InitAck: Hashable, Sendable {
        /// The protocol version.
        public var version: UInt8
        /// The role of the sender.
        public var whatAmI: WhatAmI
        /// The sender's id.
        public var zid: ZenohId
        /// The negotiated resolution byte.
        public var resolution: UInt8
        /// The negotiated batch size (including the 2-byte length prefix).
        public var batchSize: UInt16
        /// The cookie the initiator must echo in OpenSyn.
        public var cookie: ByteBuffer
        /// All extensions in wire order.
        public var extensions: [ZenohExtension]

        /// Creates an InitAck.
        public init(
            version: UInt8 = ZenohLimits.protocolVersion,
            whatAmI: WhatAmI,
            zid: ZenohId,
            resolution: UInt8 = ZenohLimits.defaultResolution,
            batchSize: UInt16 = ZenohLimits.defaultBatchSize,
            cookie: ByteBuffer,
            extensions: [ZenohExtension] = []
        ) {
            self.version = version
            self.whatAmI = whatAmI
            self.zid = zid
            self.resolution = resolution
            self.batchSize = batchSize
            self.cookie = cookie
            self.extensions = extensions
        }

        init(header: UInt8, from buffer: inout ByteBuffer) throws(ZenohDecodingError) {
            let common = try InitFields(header: header, from: &buffer)
            let cookie = try buffer.readZenohBytes(maximumLength: Int(UInt16.max))
            self.init(
                version: common.version,
                whatAmI: common.whatAmI,
                zid: common.zid,
                resolution: common.resolution,
                batchSize: common.batchSize,
                cookie: cookie
            )
            self.extensions = try InitFields.readExtensions(header: header, from: &buffer)
        }

        func write(to buffer: inout ByteBuffer) {
            InitFields.write(
                ack: true,
                version: self.version,
                whatAmI: self.whatAmI,
                zid: self.zid,
                resolution: self.resolution,
                batchSize: self.batchSize,
                cookie: self.cookie,
                extensions: self.extensions,
                to: &buffer
            )
        }
    }
}

/// The fields InitSyn and InitAck share, and their codec.
struct InitFields {
    var version: UInt8
    var whatAmI: WhatAmI
    var zid: ZenohId
    var resolution: UInt8 = ZenohLimits.defaultResolution
    var batchSize: UInt16 = ZenohLimits.defaultBatchSize

    /// Init extension ids this implementation recognises (all non-mandatory).
    static let knownExtensionIDs: ClosedRange<UInt8> = 0x1...0x8

    init(header: UInt8, from buffer: inout ByteBuffer) throws(ZenohDecodingError) {
        self.version = try buffer.readZenohByte("Init version")
        let flags = try buffer.readZenohByte("Init flags")
        guard let whatAmI = WhatAmI(code: flags & 0b11) else {
            throw .invalid("Init whatami code \(flags & 0b11)")
        }
        self.whatAmI = whatAmI
        self.zid = try buffer.readZenohId(length: Int(flags >> 4) + 1)
        if header & TransportMessage.InitSyn.Flag.size != 0 {
            self.resolution = try buffer.readZenohByte("Init resolution")
            guard let size = buffer.readInteger(endianness: .little, as: UInt16.self) else {
                throw .truncated("Init batch size")
            }
            self.batchSize = size
        }
    }

    static func readExtensions(header: UInt8, from buffer: inout ByteBuffer) throws(ZenohDecodingError)
        -> [ZenohExtension]
    {
        var extensions = try buffer.readZenohExtensions(present: header & TransportMessage.InitSyn.Flag.z != 0)
        for index in extensions.indices where !Self.knownExtensionIDs.contains(extensions[index].id) {
            extensions[index] = try ZenohExtension.unknown(extensions[index], in: "Init")
        }
        return extensions
    }

    static func write(
        ack: Bool,
        version: UInt8,
        whatAmI: WhatAmI,
        zid: ZenohId,
        resolution: UInt8,
        batchSize: UInt16,
        cookie: ByteBuffer?,
        extensions: [ZenohExtension],
        to buffer: inout ByteBuffer
    ) {
        typealias Flag = TransportMessage.InitSyn.Flag
        let hasSize = resolution != ZenohLimits.defaultResolution || batchSize != ZenohLimits.defaultBatchSize
        var header = TransportMessage.ID.initialize.rawValue
        if ack { header |= Flag.ack }
        if hasSize { header |= Flag.size }
        if !extensions.isEmpty { header |= Flag.z }
        buffer.writeInteger(header)
        buffer.writeInteger(version)
        buffer.writeInteger(UInt8(truncatingIfNeeded: (zid.byteCount - 1) << 4) | whatAmI.code)
        buffer.writeZenohId(zid)
        if hasSize {
            buffer.writeInteger(resolution)
            buffer.writeInteger(batchSize, endianness: .little)
        }
        if let cookie {
            buffer.writeZenohBytes(cookie)
        }
        buffer.writeZenohExtensions(extensions)
    }
}

extension Array where Element == ZenohExtension {
    /// The first extension with `id`, if any.
    public func first(id: UInt8) -> ZenohExtension? {
        self.first { $0.id == id }
    }
}

extension TransportMessage.InitSyn {
    /// Whether the QoS extension (0x1) is present: 8 priority lanes are offered.
    public var isQoSEnabled: Bool { self.extensions.first(id: 0x1) != nil }
    /// The Patch extension value (0x7); 0 when absent.
    public var patch: UInt64 { self.extensions.first(id: 0x7)?.z64Value ?? 0 }
}

extension TransportMessage.InitAck {
    /// Whether the QoS extension (0x1) is present.
    public var isQoSEnabled: Bool { self.extensions.first(id: 0x1) != nil }
    /// The Patch extension value (0x7); 0 when absent.
    public var patch: UInt64 { self.extensions.first(id: 0x7)?.z64Value ?? 0 }
}
