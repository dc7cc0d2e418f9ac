import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A loaded ONNX Runtime shared library: its C API table, one process-wide environment and a CPU memory info.
///
/// The library is opened with `dlopen` (no link-time dependency: the build never needs ONNX Runtime) and stays
/// loaded for the life of the process. ``load(path:)`` runs the start-up checks before anything else uses it.
public final class ORTLibrary: Sendable {
    /// The `OrtApi` version requested from `GetApi`. Every slot used exists from this version on; an older
    /// runtime answers NULL, which becomes ``ORTError/Code/libraryInvalid``.
    public static let apiVersion: UInt32 = 13

    /// The resolved path of the loaded file.
    public let path: String
    /// `GetVersionString()`, e.g. `1.32.0`.
    public let version: String
    /// Execution providers compiled into this build (`CPUExecutionProvider`, `CUDAExecutionProvider`, ...).
    public let availableProviders: [String]

    let api: ORTAPI
    // nonisolated(unsafe): C handles set once at load and only passed to ONNX Runtime, which is thread-safe on them.
    nonisolated(unsafe) let env: OpaquePointer
    nonisolated(unsafe) let cpuMemoryInfo: OpaquePointer
    nonisolated(unsafe) let defaultAllocator: OpaquePointer

    private static let loaded = Mutex<[String: ORTLibrary]>([:])

    /// Loads (once per file) and checks the library at `path`, or the first one ``ORTLibraryLocator`` finds when
    /// `path` is nil.
    public static func load(path: String? = nil) throws(ORTError) -> ORTLibrary {
        let file: String
        if let path { file = path } else { file = try ORTLibraryLocator.locate() }
        let key = URL(fileURLWithPath: file).resolvingSymlinksInPath().path
        if let library = loaded.withLock({ $0[key] }) { return library }
        let library = try ORTLibrary(opening: file, apiVersion: apiVersion)
        return loaded.withLock { cache in
            if let first = cache[key] { return first }
            cache[key] = library
            return library
        }
    }

    /// Opens `file` and asks for C API `apiVersion` (tests ask for a future version to see the "too old" error).
    init(opening file: String, apiVersion: UInt32) throws(ORTError) {
        guard FileManager.default.fileExists(atPath: file) else {
            throw ORTError(.libraryNotFound, "ONNX Runtime library not found at \(file)")
        }
        guard let handle = dlopen(file, RTLD_NOW | RTLD_LOCAL) else {
            let reason = dlerror().map { String(cString: $0) } ?? "unknown dlopen error"
            throw ORTError(.libraryInvalid, "cannot load ONNX Runtime library \(file): \(reason)")
        }
        guard let entry = dlsym(handle, "OrtGetApiBase") else {
            throw ORTError(.libraryInvalid, "\(file) is not ONNX Runtime: it does not export OrtGetApiBase")
        }
        // OrtApiBase { const OrtApi* (*GetApi)(uint32_t); const char* (*GetVersionString)(void); }
        typealias GetApiBase = @convention(c) () -> UnsafePointer<UnsafeRawPointer?>?
        typealias GetApi = @convention(c) (UInt32) -> UnsafePointer<UnsafeRawPointer?>?
        typealias GetVersionString = @convention(c) () -> UnsafePointer<CChar>?
        guard let base = unsafeBitCast(entry, to: GetApiBase.self)(), let getApiPointer = base[0],
            let versionPointer = base[1]
        else {
            throw ORTError(.libraryInvalid, "\(file): OrtGetApiBase returned an incomplete table")
        }
        let version = unsafeBitCast(versionPointer, to: GetVersionString.self)().map { String(cString: $0) } ?? "?"
        guard let table = unsafeBitCast(getApiPointer, to: GetApi.self)(apiVersion) else {
            throw ORTError(
                .libraryInvalid,
                "ONNX Runtime \(version) at \(file) does not provide C API version \(apiVersion) "
                    + "(it is too old: 1.\(apiVersion) or newer is needed)")
        }
        guard let api = ORTAPI(table: table) else {
            throw ORTError(.libraryInvalid, "ONNX Runtime \(version) at \(file) lacks a C API function this binding uses")
        }
        try ORTStartupChecks.run(api: api, entry: UnsafeRawPointer(entry), file: file, version: version)
        self.path = file
        self.version = version
        self.api = api

        var providers: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?
        var providerCount: Int32 = 0
        try api.check(api.getAvailableProviders(&providers, &providerCount), "GetAvailableProviders")
        self.availableProviders = (0..<Int(providerCount)).compactMap { providers?[$0].map { String(cString: $0) } }
        try api.check(api.releaseAvailableProviders(providers, providerCount), "ReleaseAvailableProviders")

        var env: OpaquePointer?
        try api.check(api.createEnv(3, "lerobot-policy-server", &env), "CreateEnv")  // 3 = ORT_LOGGING_LEVEL_ERROR
        var memoryInfo: OpaquePointer?
        try api.check(api.createCpuMemoryInfo(1, 0, &memoryInfo), "CreateCpuMemoryInfo")  // arena, default memory
        var allocator: OpaquePointer?
        try api.check(api.getAllocatorWithDefaultOptions(&allocator), "GetAllocatorWithDefaultOptions")
        guard let env, let memoryInfo, let allocator else {
            throw ORTError(.startupCheckFailed, "ONNX Runtime \(version) at \(file) returned a NULL environment")
        }
        self.env = env
        self.cpuMemoryInfo = memoryInfo
        self.defaultAllocator = allocator
    }

    /// Whether this build has the CUDA execution provider.
    public var hasCUDA: Bool { availableProviders.contains("CUDAExecutionProvider") }
}
