import Foundation

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Prepares the CUDA execution provider: the build must have it, the NVIDIA driver and the CUDA/cuDNN libraries of
/// the `nvidia-*` pip wheels must load (they are opened `RTLD_GLOBAL` so the provider finds them), then the provider
/// is appended with its `device_id`. Untested on this project's machines, which have no GPU.
enum ORTCUDASupport {
    /// The CUDA provider's dependencies, in load order (each may need the ones before it).
    static let requiredLibraries = ["libcudart.so", "libcublasLt.so", "libcublas.so", "libcurand.so", "libcufft.so", "libcudnn.so"]

    static func append(to options: OpaquePointer, library: ORTLibrary, deviceID: Int) throws(ORTError) {
        let api = library.api
        guard library.hasCUDA else {
            // Ask anyway, to quote the runtime's own answer ("CUDA execution provider is not enabled ...").
            var probe: OpaquePointer?
            var said = "it lists only \(library.availableProviders.joined(separator: ", "))"
            do {
                try api.check(api.createCUDAProviderOptions(&probe), "CreateCUDAProviderOptions")
                api.releaseCUDAProviderOptions(probe)
            } catch {
                said += "; it says: \(error.message)"
            }
            throw ORTError(
                .providerUnavailable,
                "model.device asks for CUDA but ONNX Runtime \(library.version) at \(library.path) has no "
                    + "CUDAExecutionProvider (\(said)). Install the onnxruntime-gpu wheel with its [cuda,cudnn] extras and "
                    + "point \(ORTLibraryLocator.environmentKey) at its libonnxruntime.so, or use model.device=cpu")
        }
        try loadDependencies(library: library)
        var cudaOptions: OpaquePointer?
        try api.check(api.createCUDAProviderOptions(&cudaOptions), "CreateCUDAProviderOptions")
        defer { api.releaseCUDAProviderOptions(cudaOptions) }
        let key = strdup("device_id")
        let value = strdup(String(deviceID))
        defer {
            free(key)
            free(value)
        }
        var keys: [UnsafePointer<CChar>?] = [UnsafePointer(key)]
        var values: [UnsafePointer<CChar>?] = [UnsafePointer(value)]
        try api.check(api.updateCUDAProviderOptions(cudaOptions, &keys, &values, 1), "CUDA provider option device_id=\(deviceID)")
        try api.check(api.appendCUDAProviderV2(options, cudaOptions), "appending the CUDA execution provider")
    }

    /// Opens the NVIDIA driver and the CUDA libraries globally; the error names every one that is missing.
    static func loadDependencies(library: ORTLibrary) throws(ORTError) {
        guard dlopen("libcuda.so.1", RTLD_NOW | RTLD_GLOBAL) != nil else {
            let reason = dlerror().map { String(cString: $0) } ?? ""
            throw ORTError(.providerUnavailable, "CUDA: the NVIDIA driver library libcuda.so.1 cannot be loaded (\(reason))")
        }
        let directories = wheelLibraryDirectories(near: library.path)
        var missing: [String] = []
        for name in requiredLibraries {
            var loaded = false
            for directory in directories {
                let files = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
                if let file = files.filter({ $0.hasPrefix(name + ".") }).sorted().first,
                    dlopen(directory + "/" + file, RTLD_NOW | RTLD_GLOBAL) != nil
                {
                    loaded = true
                    break
                }
            }
            if !loaded {
                loaded = ["13", "12"].contains { dlopen("\(name).\($0)", RTLD_NOW | RTLD_GLOBAL) != nil }
            }
            if !loaded { missing.append(name) }
        }
        guard missing.isEmpty else {
            throw ORTError(
                .providerUnavailable,
                "CUDA: cannot load \(missing.joined(separator: ", ")) (searched \(directories.joined(separator: ", ")) "
                    + "and the system library path); install onnxruntime-gpu[cuda,cudnn] in the same environment")
        }
    }

    /// `site-packages/nvidia/*/lib` (and `nvidia/cu13/lib`) next to a wheel's `onnxruntime/capi/` library.
    static func wheelLibraryDirectories(near libraryPath: String) -> [String] {
        let sitePackages = URL(fileURLWithPath: libraryPath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent("nvidia")
        let packages = (try? FileManager.default.contentsOfDirectory(atPath: sitePackages.path)) ?? []
        return packages.sorted().map { sitePackages.appendingPathComponent($0).appendingPathComponent("lib").path }
            .filter { FileManager.default.fileExists(atPath: $0) }
    }
}
