/// Decoder bounds and protocol constants (zenoh-protocol.md sections 1-4).
public enum ZenohLimits {
    /// The protocol version byte carried by Init and Join (`0x09`).
    public static let protocolVersion: UInt8 = 0x09
    /// The largest batch a stream link can carry: the 2-byte length prefix is a `u16`.
    public static let maximumBatchLength = Int(UInt16.max)
    /// The longest variable-length integer: 9 bytes hold any `u64` (the 9th byte carries 8 bits).
    public static let maximumVLELength = 9
    /// The most extensions accepted on one message.
    public static let maximumExtensionCount = 64
    /// The longest key expression or wire-expression suffix accepted (`<u8;z16>`).
    public static let maximumKeyExprLength = Int(UInt16.max)
    /// The longest `<u8;z32>` field (payloads, ZBuf extensions), clamped to the platform's `Int`.
    public static let maximumZBufLength = Int(clamping: UInt32.max)
    /// The longest encoding schema (`<u8;z8>`).
    public static let maximumSchemaLength = Int(UInt8.max)
    /// The longest ZenohId in bytes.
    public static let maximumZenohIdLength = 16
    /// The most network messages accepted in one Frame.
    public static let maximumMessagesPerFrame = 65_536
    /// The default resolution byte: 32-bit frame sequence numbers and request ids.
    public static let defaultResolution: UInt8 = 0x0A
    /// The default batch size advertised in Init when the S flag is absent.
    public static let defaultBatchSize: UInt16 = .max
}
