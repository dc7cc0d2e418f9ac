public import NIOCore

extension TransportMessage {
    /// OPEN with A=0 (zenoh-protocol.md section 5.2): lease, initial SN, the echoed cookie.
    public struct OpenSyn: Hashable, Sendable {
        enum Flag {
            static let ack: UInt8 = 0x20
            static let leaseInSeconds: UInt8 = 0x40
            static let z: UInt8 = 0x80
        }

        /// The sender's lease in milliseconds (sent in seconds when a whole number of seconds).
        public var leaseMilliseconds: UInt64
        /// The sender's first sequence number on every channel.
        public var initialSN: UInt32
        /// The cookie received in InitAck.
        public var cookie: ByteBuffer
        /// All extensions in wire order (QoS 0x1, Shm 0x2, Auth 0x3, MultiLink 0x4, LowLatency 0x5,
        /// Compression 0x6, RemoteBound 0x7, unknown ones).
        public var extensions: [ZenohExtension]

        /// Creates an OpenSyn.
        public init(leaseMilliseconds: UInt64, initialSN: UInt32, cookie: ByteBuffer, extensions: [ZenohExtension] = []) {
            self.leaseMilliseconds = leaseMilliseconds
            self.initialSN = initialSN
            self.cookie = cookie
            self.extensions = extensions
        }

        init(header: UInt8, from buffer: inout ByteBuffer) throws(ZenohDecodingError) {
            let lease = try OpenFields.readLease(header: header, from: &buffer)
            let sn = try buffer.readZenohVLE(as: UInt32.self)
            let cookie = try buffer.readZenohBytes()
            let extensions = try OpenFields.readExtensions(header: header, from: &buffer)
            self.init(leaseMilliseconds: lease, initialSN: sn, cookie: cookie, extensions: extensions)
        }

        func write(to buffer: inout ByteBuffer) {
            OpenFields.write(
                ack: false,
                leaseMilliseconds: self.leaseMilliseconds,
                initialSN: self.initialSN,
                cookie: self.cookie,
                extensions: self.extensions,
                to: &buffer
            )
        }
    }

    /// OPEN with A=1: the acceptor's lease and initial SN.
    public struct OpenAck: Hashable, Sendable {
        /// The sender's lease in milliseconds.
        public var leaseMilliseconds: UInt64
        /// The sender's first sequence number on every channel.
        public var initialSN: UInt32
        /// All extensions in wire order.
        public var extensions: [ZenohExtension]

        /// Creates an OpenAck.
        public init(leaseMilliseconds: UInt64, initialSN: UInt32, extensions: [ZenohExtension] = []) {
            self.leaseMilliseconds = leaseMilliseconds
            self.initialSN = initialSN
            self.extensions = extensions
        }

        init(header: UInt8, from buffer: inout ByteBuffer) throws(ZenohDecodingError) {
            let lease = try OpenFields.readLease(header: header, from: &buffer)
            let sn = try buffer.readZenohVLE(as: UInt32.self)
            let extensions = try OpenFields.readExtensions(header: header, from: &buffer)
            self.init(leaseMilliseconds: lease, initialSN: sn, extensions: extensions)
        }

        func write(to buffer: inout ByteBuffer) {
            OpenFields.write(
                ack: true,
                leaseMilliseconds: self.leaseMilliseconds,
                initialSN: self.initialSN,
                cookie: nil,
                extensions: self.extensions,
                to: &buffer
            )
        }
    }
}

/// The codec pieces OpenSyn and OpenAck share.
enum OpenFields {
    static let knownExtensionIDs: ClosedRange<UInt8> = 0x1...0x7

    static func readLease(header: UInt8, from buffer: inout ByteBuffer) throws(ZenohDecodingError) -> UInt64 {
        let lease = try buffer.readZenohVLE(as: UInt64.self)
        guard header & TransportMessage.OpenSyn.Flag.leaseInSeconds != 0 else {
            return lease
        }
        let (milliseconds, overflow) = lease.multipliedReportingOverflow(by: 1000)
        guard !overflow else {
            throw .overflow("lease of \(lease) s")
        }
        return milliseconds
    }

    static func readExtensions(header: UInt8, from buffer: inout ByteBuffer) throws(ZenohDecodingError)
        -> [ZenohExtension]
    {
        var extensions = try buffer.readZenohExtensions(present: header & TransportMessage.OpenSyn.Flag.z != 0)
        for index in extensions.indices where !Self.knownExtensionIDs.contains(extensions[index].id) {
            extensions[index] = try ZenohExtension.unknown(extensions[index], in: "Open")
        }
        return extensions
    }

    static func write(
        ack: Bool,
        leaseMilliseconds: UInt64,
        initialSN: UInt32,
        cookie: ByteBuffer?,
        extensions: [ZenohExtension],
        to buffer: inout ByteBuffer
    ) {
        typealias Flag = TransportMessage.OpenSyn.Flag
        let inSeconds = leaseMilliseconds % 1000 == 0
        var header = TransportMessage.ID.open.rawValue
        if ack { header |= Flag.ack }
        if inSeconds { header |= Flag.leaseInSeconds }
        if !extensions.isEmpty { header |= Flag.z }
        buffer.writeInteger(header)
        buffer.writeZenohVLE(inSeconds ? leaseMilliseconds / 1000 : leaseMilliseconds)
        buffer.writeZenohVLE(initialSN)
        if let cookie {
            buffer.writeZenohBytes(cookie)
        }
        buffer.writeZenohExtensions(extensions)
    }
}

extension TransportMessage.OpenSyn {
    /// The lease as a `Duration`.
    public var lease: Duration { .milliseconds(Int64(clamping: self.leaseMilliseconds)) }
}

extension TransportMessage.OpenAck {
    /// The lease as a `Duration`.
    public var lease: Duration { .milliseconds(Int64(clamping: self.leaseMilliseconds)) }
}
