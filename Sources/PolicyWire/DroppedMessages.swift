public import NIOCore

/// Why a message that arrived was dropped instead of handled. Both sides count every drop by cause (the
/// server on `/metrics`, the robot in its stats) and log the first of each cause, so nothing vanishes
/// silently.
public enum DropCause: String, Error, CaseIterable, Sendable, Hashable, Comparable {
    /// A data message without the 27-byte attachment header.
    case noHeader = "no_header"
    /// An attachment that is not a valid header (wrong size).
    case badHeader = "bad_header"
    /// A header from another schema version.
    case schemaVersion = "schema_version"
    /// A key expression that does not name a client of this service.
    case badKey = "bad_key"
    /// A chunk whose body does not decode or has the wrong width.
    case malformedBody = "malformed_body"
    /// A chunk finished for a session that closed while it was computed.
    case sessionClosed = "session_closed"

    public static func < (lhs: Self, rhs: Self) -> Bool { lhs.rawValue < rhs.rawValue }

    /// What the server can drop (an observation); `malformedBody` is the robot's (a chunk).
    public static let server: [DropCause] = [.noHeader, .badHeader, .schemaVersion, .badKey, .sessionClosed]

    /// What the log line says.
    public var explanation: String {
        switch self {
        case .noHeader: "no attachment header"
        case .badHeader: "the attachment is not a valid header"
        case .schemaVersion: "the header's schema version is not \(AttachmentHeader.currentSchemaVersion)"
        case .badKey: "the key does not name a client of this service"
        case .malformedBody: "the body does not decode or has the wrong width"
        case .sessionClosed: "its session closed while it was computed"
        }
    }
}

/// Counts drops by cause; pure. ``count(_:)`` says whether this is the first of its cause, which is the
/// one to log.
public struct DropCounts: Sendable, Hashable {
    public private(set) var byCause: [DropCause: Int] = [:]

    public init() {}

    /// Counts one drop; true the first time `cause` is seen.
    @discardableResult
    public mutating func count(_ cause: DropCause) -> Bool {
        byCause[cause, default: 0] += 1
        return byCause[cause] == 1
    }

    public var total: Int { byCause.values.reduce(0, +) }

    public subscript(cause: DropCause) -> Int { byCause[cause] ?? 0 }
}

extension AttachmentHeader {
    /// The header of an arriving data message, or why the message must be dropped. The message type is not
    /// checked: the key already says what the message is, and LeRobot's peers do not check it either.
    public static func checked(_ attachment: ByteBuffer?) -> Result<AttachmentHeader, DropCause> {
        guard let attachment else { return .failure(.noHeader) }
        guard let header = try? AttachmentHeader(unpacking: attachment) else { return .failure(.badHeader) }
        guard header.schemaVersion == currentSchemaVersion else { return .failure(.schemaVersion) }
        return .success(header)
    }
}
