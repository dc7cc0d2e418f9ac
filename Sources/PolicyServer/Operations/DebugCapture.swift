public import Foundation
public import NIOCore
import Synchronization

/// The debug capture ring (`debug.capture_dir`, `debug.capture_max`): the raw body of every served
/// observation as `req_NNNNN.bin` and of its chunk as `rep_NNNNN.bin`, numbered in serving order, keeping the
/// newest `capture_max` pairs, so that a request can be replayed byte for byte.
///
/// Files are written on a background queue: the inference worker never waits for the disk. A failed write is
/// logged once and capture goes on.
public final class DebugCapture: Sendable {
    public let directory: URL
    public let capacity: Int
    private let queue = DispatchQueue(label: "lerobot.policy_server.capture")
    private let counter = SendableCounter()
    private let onError: @Sendable (String) -> Void

    /// Creates the directory when missing; throws if it cannot be created or is not a directory.
    public init(directory: String, capacity: Int, onError: @escaping @Sendable (String) -> Void = { _ in }) throws(PolicyServerError) {
        let url = URL(fileURLWithPath: directory, isDirectory: true)
        do {
            try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        } catch {
            throw PolicyServerError(.manifestInvalid, "debug.capture_dir '\(directory)' cannot be created: \(error.localizedDescription)")
        }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw PolicyServerError(.manifestInvalid, "debug.capture_dir '\(directory)' is not a directory")
        }
        guard FileManager.default.isWritableFile(atPath: url.path) else {
            throw PolicyServerError(.manifestInvalid, "debug.capture_dir '\(directory)' is not writable")
        }
        self.directory = url
        self.capacity = max(1, capacity)
        self.onError = onError
    }

    /// Records one served request and its reply (nil when serving failed). Returns the sequence number used.
    @discardableResult
    public func record(request: ByteBuffer, reply: ByteBuffer?) -> Int {
        let sequence = self.counter.next()
        let requestBytes = Data(request.readableBytesView)
        let replyBytes = reply.map { Data($0.readableBytesView) }
        self.queue.async { [self] in
            self.write(requestBytes, name: Self.name("req", sequence))
            if let replyBytes { self.write(replyBytes, name: Self.name("rep", sequence)) }
            let evicted = sequence - self.capacity
            if evicted >= 0 {
                for kind in ["req", "rep"] {
                    try? FileManager.default.removeItem(at: self.directory.appendingPathComponent(Self.name(kind, evicted)))
                }
            }
        }
        return sequence
    }

    /// Waits until every recorded pair is on disk (tests, drain).
    public func flush() {
        self.queue.sync {}
    }

    static func name(_ kind: String, _ sequence: Int) -> String {
        let digits = String(sequence)
        return kind + "_" + String(repeating: "0", count: max(0, 5 - digits.count)) + digits + ".bin"
    }

    private func write(_ data: Data, name: String) {
        do {
            try data.write(to: self.directory.appendingPathComponent(name))
        } catch {
            self.onError("debug capture: cannot write \(name) in \(self.directory.path): \(error.localizedDescription)")
        }
    }
}

/// A thread-safe increasing counter.
final class SendableCounter: Sendable {
    private let value = Mutex(0)
    func next() -> Int {
        self.value.withLock { value in
            defer { value += 1 }
            return value
        }
    }
}
