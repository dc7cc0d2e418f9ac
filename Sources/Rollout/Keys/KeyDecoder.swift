/// A key as a terminal in non-canonical mode delivers it: one byte for most keys, an escape sequence for the
/// arrows (`ESC [ C` or, in application cursor mode, `ESC O C`).
public enum Key: Sendable, Hashable {
    case space, tab, enter, escape
    case up, down, right, left
    /// A printable ASCII character (`q`, `a`, …), lower-cased.
    case character(Character)
}

/// Bytes from a raw-mode terminal → keys. Pure and incremental: an escape sequence split across reads is
/// completed by the next ``feed(_:)``; a lone ESC stays pending until ``flush()`` (the reader calls it when no
/// byte followed within its escape timeout), because ESC is also the first byte of every arrow.
public struct KeyDecoder: Sendable {
    private var pending: [UInt8] = []

    public init() {}

    /// Whether a lone ESC (or an unfinished sequence) waits for more bytes.
    public var hasPending: Bool { !pending.isEmpty }

    public mutating func feed(_ bytes: [UInt8]) -> [Key] {
        var keys: [Key] = []
        for byte in bytes {
            pending.append(byte)
            while let decoded = Self.decode(pending) {
                pending.removeFirst(decoded.consumed)
                if let key = decoded.key { keys.append(key) }
                if pending.isEmpty { break }
            }
        }
        return keys
    }

    /// The pending bytes taken as typed: a lone ESC is the Escape key; an unfinished sequence is dropped.
    public mutating func flush() -> [Key] {
        defer { pending.removeAll() }
        return pending == [0x1B] ? [.escape] : []
    }

    /// `nil`: the bytes so far are the start of a sequence, more are needed. Otherwise the key (nil for
    /// bytes that mean nothing here) and how many leading bytes it used.
    static func decode(_ bytes: [UInt8]) -> (key: Key?, consumed: Int)? {
        guard let first = bytes.first else { return nil }
        guard first == 0x1B else { return (single(first), 1) }
        guard bytes.count >= 2 else { return nil }
        switch bytes[1] {
        case UInt8(ascii: "["), UInt8(ascii: "O"):
            guard bytes.count >= 3 else { return nil }
            let last = bytes[bytes.count - 1]
            // CSI: parameter bytes 0x30–0x3F, then one final byte 0x40–0x7E (`ESC [ 1 ; 5 C` is Ctrl-→).
            if bytes[1] == UInt8(ascii: "["), (0x30...0x3F).contains(last) {
                return bytes.count > 16 ? (nil, bytes.count) : nil
            }
            return (arrow(last), bytes.count)
        case 0x1B:
            // ESC ESC: the first was a lone Escape; the second may start a sequence.
            return (.escape, 1)
        default:
            // Alt+key (ESC x): not a key we use.
            return (nil, 2)
        }
    }

    static func arrow(_ final: UInt8) -> Key? {
        switch final {
        case UInt8(ascii: "A"): .up
        case UInt8(ascii: "B"): .down
        case UInt8(ascii: "C"): .right
        case UInt8(ascii: "D"): .left
        default: nil
        }
    }

    static func single(_ byte: UInt8) -> Key? {
        switch byte {
        case 0x20: .space
        case 0x09: .tab
        case 0x0A, 0x0D: .enter
        case 0x21...0x7E: .character(Character(Unicode.Scalar(byte)).lowercased().first!)
        default: nil
        }
    }
}
