public import Foundation

/// Where models come from and where they are cached, read from the environment the way Hugging Face's own
/// tools read it: `HF_ENDPOINT`, `HF_HOME` / `HF_HUB_CACHE`, `HF_TOKEN`, `HF_HUB_OFFLINE`.
public struct HubConfiguration: Sendable, Hashable {
    /// The Hub's base URL (`https://huggingface.co` unless `HF_ENDPOINT` says otherwise).
    public var endpoint: URL
    /// The `hub/` cache directory (`models--org--name/{blobs,snapshots,refs}` inside).
    public var cacheDirectory: URL
    /// Sent as `Authorization: Bearer …` when set.
    public var token: String?
    /// Use the cache only; never touch the network.
    public var isOffline: Bool

    public init(endpoint: URL, cacheDirectory: URL, token: String? = nil, isOffline: Bool = false) {
        self.endpoint = endpoint
        self.cacheDirectory = cacheDirectory
        self.token = token
        self.isOffline = isOffline
    }

    /// The configuration the environment describes.
    public static func fromEnvironment(
        _ environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> HubConfiguration {
        let endpoint = environment["HF_ENDPOINT"].flatMap { URL(string: $0) } ?? URL(string: "https://huggingface.co")!
        let home =
            environment["HF_HOME"].map { URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: environment["HOME"] ?? NSHomeDirectory()).appendingPathComponent(".cache/huggingface")
        let cache = environment["HF_HUB_CACHE"].map { URL(fileURLWithPath: $0) } ?? home.appendingPathComponent("hub")
        let token = environment["HF_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
        let offline = ["1", "true", "yes", "on"].contains((environment["HF_HUB_OFFLINE"] ?? "").lowercased())
        return HubConfiguration(endpoint: endpoint, cacheDirectory: cache, token: token, isOffline: offline)
    }

    /// `models--org--name` for `org/name`.
    static func cacheFolderName(repo: String) -> String {
        "models--" + repo.split(separator: "/").joined(separator: "--")
    }
}

/// Why a model could not be fetched. Messages name the repository, revision, file or setting at fault.
public struct HubError: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(_ message: String) { self.message = message }
    public var description: String { message }
}

/// Download progress of one file.
public struct HubProgress: Sendable, Hashable {
    public var file: String
    public var fileIndex: Int
    public var fileCount: Int
    public var bytesWritten: Int64
    /// -1 when the server did not say.
    public var bytesExpected: Int64
}
