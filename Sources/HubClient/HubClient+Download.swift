import Foundation
import Synchronization

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

extension HubClient {
    /// Downloads one file to `blobs/<etag>` (through a `.incomplete` file) and links it from the snapshot.
    func download(
        repo: String, commit: String, file: String, into repoDirectory: URL, link: URL,
        progress: @escaping @Sendable (Int64, Int64) -> Void
    ) async throws(HubError) {
        let url = configuration.endpoint.appendingPathComponent("\(repo)/resolve/\(commit)/\(file)")
        let (temporary, response): (URL, URLResponse)
        do {
            (temporary, response) = try await ProgressDownload.run(request(url), progress: progress)
        } catch let error as HubError {
            throw error
        } catch {
            throw HubError("downloading \(file) of \(repo) failed: \(error.localizedDescription)")
        }
        defer { try? FileManager.default.removeItem(at: temporary) }
        try check(response, what: "\(repo)/\(file)")
        let headers = (response as? HTTPURLResponse)?.allHeaderFields ?? [:]
        func header(_ name: String) -> String? {
            headers.first { ($0.key as? String)?.lowercased() == name.lowercased() }?.value as? String
        }
        let etag = (header("X-Linked-Etag") ?? header("ETag") ?? UUID().uuidString)
            .replacingOccurrences(of: "\"", with: "").replacingOccurrences(of: "W/", with: "")
        let fm = FileManager.default
        let blobs = repoDirectory.appendingPathComponent("blobs")
        let blob = blobs.appendingPathComponent(etag)
        do {
            try fm.createDirectory(at: blobs, withIntermediateDirectories: true)
            try fm.createDirectory(at: link.deletingLastPathComponent(), withIntermediateDirectories: true)
            if !fm.fileExists(atPath: blob.path) {
                let incomplete = blobs.appendingPathComponent(etag + ".incomplete")
                try? fm.removeItem(at: incomplete)
                try fm.moveItem(at: temporary, to: incomplete)
                try fm.moveItem(at: incomplete, to: blob)
            }
            // Relative link, as the Hub's own cache writes it: snapshots/<commit>/<dirs…>/<file> → ../../blobs/<etag>.
            let depth = file.split(separator: "/").count + 1
            let relative = String(repeating: "../", count: depth) + "blobs/" + etag
            try? fm.removeItem(at: link)
            try fm.createSymbolicLink(atPath: link.path, withDestinationPath: relative)
        } catch {
            throw HubError("cannot write \(file) into the cache at \(repoDirectory.path): \(error.localizedDescription)")
        }
    }
}

/// A download task whose delegate reports progress and keeps the downloaded file.
private final class ProgressDownload: NSObject, URLSessionDownloadDelegate, Sendable {
    private struct State {
        var continuation: CheckedContinuation<(URL, URLResponse), any Error>?
        var kept: URL?
    }

    private let progress: @Sendable (Int64, Int64) -> Void
    private let state = Mutex(State())

    private init(progress: @escaping @Sendable (Int64, Int64) -> Void) {
        self.progress = progress
    }

    static func run(_ request: URLRequest, progress: @escaping @Sendable (Int64, Int64) -> Void) async throws
        -> (URL, URLResponse)
    {
        let delegate = ProgressDownload(progress: progress)
        let session = URLSession(configuration: .default, delegate: delegate, delegateQueue: nil)
        defer { session.finishTasksAndInvalidate() }
        return try await withCheckedThrowingContinuation { continuation in
            delegate.state.withLock { $0.continuation = continuation }
            session.downloadTask(with: request).resume()
        }
    }

    func urlSession(
        _ session: URLSession, downloadTask: URLSessionDownloadTask, didWriteData bytesWritten: Int64,
        totalBytesWritten: Int64, totalBytesExpectedToWrite: Int64
    ) {
        progress(totalBytesWritten, totalBytesExpectedToWrite)
    }

    func urlSession(_ session: URLSession, downloadTask: URLSessionDownloadTask, didFinishDownloadingTo location: URL) {
        // The system deletes `location` when this returns: keep it.
        let keep = FileManager.default.temporaryDirectory.appendingPathComponent("hub-\(UUID().uuidString)")
        try? FileManager.default.moveItem(at: location, to: keep)
        state.withLock { $0.kept = keep }
    }

    func urlSession(_ session: URLSession, task: URLSessionTask, didCompleteWithError error: (any Error)?) {
        let (continuation, file) = state.withLock { state in
            defer { state.continuation = nil }
            return (state.continuation, state.kept)
        }
        if let error {
            continuation?.resume(throwing: error)
        } else if let file, let response = task.response {
            continuation?.resume(returning: (file, response))
        } else {
            continuation?.resume(throwing: HubError("the download ended without a file"))
        }
    }
}
