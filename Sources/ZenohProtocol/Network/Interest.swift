import NIOCore

extension NetworkMessage {
    /// INTEREST (0x19, zenoh-protocol.md section 8.6):
    /// `header (mode << 5 | Z) | interest_id | [options | [wire_expr]] if mode != final | [exts]`.
    public struct Interest: Hashable, Sendable {
        /// Which declarations are asked for: current ones, future ones, both, or none (final).
        public enum Mode: UInt8, Hashable, Sendable {
            /// Cancels a Future/CurrentFuture interest with the same id.
            case final = 0b00
            /// Matching declarations now, then D_FINAL.
            case current = 0b01
            /// Later declarations until cancelled.
            case future = 0b10
            /// Both.
            case currentFuture = 0b11
        }

        /// The options byte without the R, N and M bits (which follow ``wireExpr``).
        public struct Options: OptionSet, Hashable, Sendable {
            /// The raw bits.
            public var rawValue: UInt8

            /// Creates options from raw bits.
            public init(rawValue: UInt8) {
                self.rawValue = rawValue
            }

            /// K: key-expression declarations.
            public static let keyExprs = Options(rawValue: 0x01)
            /// S: subscribers.
            public static let subscribers = Options(rawValue: 0x02)
            /// Q: queryables.
            public static let queryables = Options(rawValue: 0x04)
            /// T: liveliness tokens.
            public static let tokens = Options(rawValue: 0x08)
            /// A: aggregate.
            public static let aggregate = Options(rawValue: 0x80)
        }

        /// The interest id chosen by the sender.
        public var interestID: UInt32
        /// The mode.
        public var mode: Mode
        /// What the interest is about (ignored for ``Mode/final``).
        public var options: Options
        /// The restricting key (R flag); nil means "all keys".
        public var wireExpr: WireExpr?
        /// QoS (ext 0x1).
        public var qos: ZenohQoS
        /// Network timestamp (ext 0x2).
        public var timestamp: ZenohTimestamp?
        /// Node id (ext 0x3, mandatory).
        public var nodeID: UInt16?
        /// Non-mandatory extensions this implementation does not know.
        public var unknownExtensions: [ZenohExtension]

        /// Creates an Interest.
        public init(
            interestID: UInt32,
            mode: Mode,
            options: Options = [],
            wireExpr: WireExpr? = nil,
            qos: ZenohQoS = .declare,
            timestamp: ZenohTimestamp? = nil,
            nodeID: UInt16? = nil,
            unknownExtensions: [ZenohExtension] = []
        ) {
            self.interestID = interestID
            self.mode = mode
            self.options = options
            self.wireExpr = wireExpr
            self.qos = qos
            self.timestamp = timestamp
            self.nodeID = nodeID
            self.unknownExtensions = unknownExtensions
        }

        init(header: UInt8, from buffer: inout ByteBuffer) throws(ZenohDecodingError) {
            self.mode = Mode(rawValue: (header >> 5) & 0b11) ?? .final
            self.interestID = try buffer.readZenohVLE(as: UInt32.self)
            self.options = []
            if self.mode != .final {
                let raw = try buffer.readZenohByte("Interest options")
                self.options = Options(rawValue: raw & 0x8F)
                if raw & 0x10 != 0 {
                    self.wireExpr = try buffer.readZenohWireExpr(
                        hasSuffix: raw & 0x20 != 0, isSenderMapping: raw & 0x40 != 0)
                }
            }
            let common = try CommonNetworkExtensions(try buffer.readZenohExtensions(present: header & 0x80 != 0))
            self.qos = common.qos
            self.timestamp = common.timestamp
            self.nodeID = common.nodeID
            self.unknownExtensions = []
            for ext in common.rest {
                self.unknownExtensions.append(try ZenohExtension.unknown(ext, in: "Interest"))
            }
        }

        func write(to buffer: inout ByteBuffer) {
            let extensions = [ZenohExtension].zenohMerged(
                NetworkExtension.make(qos: self.qos, timestamp: self.timestamp, nodeID: self.nodeID),
                self.unknownExtensions
            )
            var header = NetworkMessage.ID.interest.rawValue | self.mode.rawValue << 5
            if !extensions.isEmpty { header |= 0x80 }
            buffer.writeInteger(header)
            buffer.writeZenohVLE(self.interestID)
            if self.mode != .final {
                var raw = self.options.rawValue & 0x8F
                if let wireExpr = self.wireExpr {
                    raw |= 0x10 | (wireExpr.hasSuffix ? 0x20 : 0) | (wireExpr.isSenderMapping ? 0x40 : 0)
                }
                buffer.writeInteger(raw)
                if let wireExpr = self.wireExpr {
                    buffer.writeZenohWireExpr(wireExpr)
                }
            }
            buffer.writeZenohExtensions(extensions)
        }
    }
}
