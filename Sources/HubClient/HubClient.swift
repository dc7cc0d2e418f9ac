public import Foundation
import JSON

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// Fetches a model repository snapshot from the Hugging Face Hub into the standard cache layout
/// (`models--org--name/blobs/<etag>`, `snapshots/<commit>/<file>` → symlink to the blob, `refs/<revision>`),
/// so Python tools and this one share downloads.
public struct HubClient: Sendable {
    public var configuration: HubConfiguration

    public init(configuration: HubConfiguration = .fromEnvironment()) {
        self.configuration = configuration
    }

    /// The local snapshot directory of `repo` at `revision` holding at least the files matching `patterns`
    /// (`*` wildcards; nil = every file). Downloads what is missing unless offline.
    public func snapshot(
        repo: String, revision: String = "main", matching patterns: [String]? = nil,
        progress: (@Sendable (HubProgress) -> Void)? = nil
    ) async throws(HubError) -> URL {
        guard Self.isValidRepoID(repo) else {
            throw HubError("'\(repo)' is neither an existing local directory nor a Hub repo id (org/name)")
        }
        let repoDirectory = configuration.cacheDirectory.appendingPathComponent(HubConfiguration.cacheFolderName(repo: repo))
        if configuration.isOffline {
            return try cachedSnapshot(repo: repo, revision: revision, repoDirectory: repoDirectory)
        }
        let info = try await fetchInfo(repo: repo, revision: revision)
        let files = info.files.filter { file in patterns.map { $0.contains { Self.glob($0, matches: file) } } ?? true }
        let snapshot = repoDirectory.appendingPathComponent("snapshots/\(info.commit)", isDirectory: true)
        let fm = FileManager.default
        for (index, file) in files.enumerated() {
            let target = snapshot.appendingPathComponent(file)
            if fm.fileExists(atPath: target.path) { continue }
            try await download(
                repo: repo, commit: info.commit, file: file, into: repoDirectory, link: target,
                progress: { written, expected in
                    progress?(
                        HubProgress(
                            file: file, fileIndex: index + 1, fileCount: files.count,
                            bytesWritten: written, bytesExpected: expected))
                })
        }
        if revision != info.commit {
            let refs = repoDirectory.appendingPathComponent("refs")
            try? fm.createDirectory(at: refs, withIntermediateDirectories: true)
            try? info.commit.write(to: refs.appendingPathComponent(revision), atomically: true, encoding: .utf8)
        }
        try? fm.createDirectory(at: snapshot, withIntermediateDirectories: true)
        return snapshot
    }

    private func cachedSnapshot(repo: String, revision: String, repoDirectory: URL) throws(HubError) -> URL {
        var commit = revision
        if !Self.isCommitHash(revision) {
            let ref = repoDirectory.appendingPathComponent("refs/\(revision)")
            guard let text = try? String(contentsOf: ref, encoding: .utf8) else {
                throw HubError(
                    "HF_HUB_OFFLINE is set and \(repo)@\(revision) is not in the cache (\(repoDirectory.path))")
            }
            commit = text.trimmingCharacters(in: .whitespacesAndNewlines)
        }
        let snapshot = repoDirectory.appendingPathComponent("snapshots/\(commit)", isDirectory: true)
        guard FileManager.default.fileExists(atPath: snapshot.path) else {
            throw HubError("HF_HUB_OFFLINE is set and \(repo)@\(revision) is not in the cache (\(snapshot.path))")
        }
        return snapshot
    }

    struct RepoInfo: Sendable {
        var commit: String
        var files: [String]
    }

    func request(_ url: URL) -> URLRequest {
        var request = URLRequest(url: url)
        request.timeoutInterval = 60
        if let token = configuration.token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        return request
    }

    private func fetchInfo(repo: String, revision: String) async throws(HubError) -> RepoInfo {
        let url = configuration.endpoint.appendingPathComponent("api/models/\(repo)/revision/\(Self.escape(revision))")
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await URLSession.shared.data(for: request(url))
        } catch {
            throw HubError("cannot reach the Hub at \(configuration.endpoint.absoluteString): \(error.localizedDescription)")
        }
        try check(response, what: "\(repo)@\(revision)")
        guard let object = try? JSONValue(parsing: [UInt8](data)), let sha = object["sha"]?.string, Self.isCommitHash(sha) else {
            throw HubError("the Hub's answer for \(repo)@\(revision) has no commit sha")
        }
        let siblings = object["siblings"]?.array ?? []
        return RepoInfo(commit: sha, files: siblings.compactMap { $0["rfilename"]?.string })
    }

    func check(_ response: URLResponse, what: String) throws(HubError) {
        guard let http = response as? HTTPURLResponse else { return }
        switch http.statusCode {
        case 200..<300: return
        case 401, 403: throw HubError("access to \(what) was denied (HTTP \(http.statusCode)); set HF_TOKEN for private or gated repos")
        case 404: throw HubError("\(what) was not found on \(configuration.endpoint.absoluteString) (HTTP 404)")
        default: throw HubError("the Hub answered HTTP \(http.statusCode) for \(what)")
        }
    }

    static func isValidRepoID(_ repo: String) -> Bool {
        let parts = repo.split(separator: "/", omittingEmptySubsequences: false)
        guard (1...2).contains(parts.count) else { return false }
        return parts.allSatisfy { part in
            !part.isEmpty && !part.hasPrefix(".") && part.allSatisfy { $0.isLetter || $0.isNumber || "-_.".contains($0) }
        }
    }

    static func isCommitHash(_ s: String) -> Bool {
        s.count == 40 && s.allSatisfy { $0.isHexDigit }
    }

    static func escape(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? s
    }

    /// `*` matches any run of characters (including `/`); everything else literally.
    static func glob(_ pattern: String, matches name: String) -> Bool {
        let parts = pattern.split(separator: "*", omittingEmptySubsequences: false).map(String.init)
        guard parts.count > 1 else { return pattern == name }
        var rest = Substring(name)
        guard rest.hasPrefix(parts[0]) else { return false }
        rest = rest.dropFirst(parts[0].count)
        for (i, part) in parts.enumerated().dropFirst() {
            if i == parts.count - 1 { return part.isEmpty || rest.hasSuffix(part) }
            guard let range = rest.range(of: part) else { return false }
            rest = rest[range.upperBound...]
        }
        return true
    }
}
