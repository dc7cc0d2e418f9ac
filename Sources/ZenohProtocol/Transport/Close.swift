import NIOCore

extension TransportMessage {
    /// CLOSE (zenoh-protocol.md section 5.3): a reason byte; S=1 closes the whole session.
    public struct Close: Hashable, Sendable {
        /// Why a link or session was closed. Unknown codes are kept as-is.
        public struct Reason: Hashable, Sendable, CustomStringConvertible {
            /// The raw reason byte.
            public var rawValue: UInt8

            /// Creates a reason from its byte.
            public init(rawValue: UInt8) {
                self.rawValue = rawValue
            }

            /// 0: generic.
            public static let generic = Self(rawValue: 0)
            /// 1: unsupported.
            public static let unsupported = Self(rawValue: 1)
            /// 2: invalid.
            public static let invalid = Self(rawValue: 2)
            /// 3: too many sessions.
            public static let maxSessions = Self(rawValue: 3)
            /// 4: too many links.
            public static let maxLinks = Self(rawValue: 4)
            /// 5: lease expired.
            public static let expired = Self(rawValue: 5)
            /// 6: unresponsive.
            public static let unresponsive = Self(rawValue: 6)
            /// 7: connection to self.
            public static let connectionToSelf = Self(rawValue: 7)

            /// A short name for the reason.
            public var description: String {
                let names = [
                    "generic", "unsupported", "invalid", "maxSessions", "maxLinks", "expired", "unresponsive",
                    "connectionToSelf",
                ]
                return Int(self.rawValue) < names.count ? names[Int(self.rawValue)] : "unknown(\(self.rawValue))"
            }
        }

        /// The reason.
        public var reason: Reason
        /// Whether the whole session is closed (S=1) rather than only this link.
        public var isSessionWide: Bool
        /// Extensions kept from the wire (none are defined).
        public var extensions: [ZenohExtension]

        /// Creates a Close.
        public init(reason: Reason, isSessionWide: Bool = false, extensions: [ZenohExtension] = []) {
            self.reason = reason
            self.isSessionWide = isSessionWide
            self.extensions = extensions
        }

        init(header: UInt8, from buffer: inout ByteBuffer) throws(ZenohDecodingError) {
            let reason = try buffer.readZenohByte("Close reason")
            var extensions = try buffer.readZenohExtensions(present: header & 0x80 != 0)
            for index in extensions.indices {
                extensions[index] = try ZenohExtension.unknown(extensions[index], in: "Close")
            }
            self.init(reason: Reason(rawValue: reason), isSessionWide: header & 0x20 != 0, extensions: extensions)
        }

        func write(to buffer: inout ByteBuffer) {
            var header = TransportMessage.ID.close.rawValue
            if self.isSessionWide { header |= 0x20 }
            if !self.extensions.isEmpty { header |= 0x80 }
            buffer.writeInteger(header)
            buffer.writeInteger(self.reason.rawValue)
            buffer.writeZenohExtensions(self.extensions)
        }
    }
}
