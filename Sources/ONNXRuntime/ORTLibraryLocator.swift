public import Foundation

/// Finds `libonnxruntime` when no path is configured.
///
/// Order: `LEROBOT_ONNXRUNTIME_LIB`; the `onnxruntime` wheel of the active virtualenv (`VIRTUAL_ENV`); a `.venv`
/// in the working directory, the executable's directory or any of their parents (the project's `.venv`, which
/// `scripts/bootstrap` fills); then `/usr/local/lib`, `/usr/lib`, `/opt/onnxruntime/lib`.
public enum ORTLibraryLocator {
    /// The environment variable naming the library file.
    public static let environmentKey = "LEROBOT_ONNXRUNTIME_LIB"

    public static func locate(environment: [String: String] = ProcessInfo.processInfo.environment) throws(ORTError)
        -> String
    {
        if let explicit = environment[environmentKey], !explicit.isEmpty {
            guard FileManager.default.fileExists(atPath: explicit) else {
                throw ORTError(.libraryNotFound, "\(environmentKey)=\(explicit): no such file")
            }
            return explicit
        }
        var searched: [String] = []
        for directory in candidateDirectories(environment: environment) {
            searched.append(directory)
            if let file = library(in: directory) { return file }
        }
        throw ORTError(
            .libraryNotFound,
            "no libonnxruntime found (searched \(searched.joined(separator: ", "))); install the onnxruntime wheel "
                + "(./scripts/bootstrap puts it in .venv) or set \(environmentKey) to the library file")
    }

    static func candidateDirectories(environment: [String: String]) -> [String] {
        var venvs: [String] = []
        if let active = environment["VIRTUAL_ENV"], !active.isEmpty { venvs.append(active) }
        var roots = [FileManager.default.currentDirectoryPath]
        if let executable = Bundle.main.executableURL?.deletingLastPathComponent().path { roots.append(executable) }
        for root in roots {
            var url = URL(fileURLWithPath: root).standardizedFileURL
            while true {
                venvs.append(url.appendingPathComponent(".venv").path)
                let parent = url.deletingLastPathComponent()
                if parent.path == url.path { break }
                url = parent
            }
        }
        var directories: [String] = []
        for venv in venvs {
            let lib = URL(fileURLWithPath: venv).appendingPathComponent("lib")
            let pythons = (try? FileManager.default.contentsOfDirectory(atPath: lib.path))?.filter { $0.hasPrefix("python") }
            for python in (pythons ?? []).sorted() {
                directories.append(lib.appendingPathComponent("\(python)/site-packages/onnxruntime/capi").path)
            }
        }
        directories += ["/usr/local/lib", "/usr/lib", "/usr/lib/x86_64-linux-gnu", "/usr/lib/aarch64-linux-gnu", "/opt/onnxruntime/lib"]
        var seen = Set<String>()
        return directories.filter { seen.insert($0).inserted }
    }

    /// `libonnxruntime.so` or the highest versioned `libonnxruntime.so.X.Y.Z` in `directory`.
    static func library(in directory: String) -> String? {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: directory) else { return nil }
        #if canImport(Darwin)
        let stem = "libonnxruntime"
        let matches = names.filter { $0.hasPrefix(stem) && $0.hasSuffix(".dylib") }
        #else
        let stem = "libonnxruntime.so"
        let matches = names.filter { $0 == stem || $0.hasPrefix(stem + ".") }
        #endif
        guard let best = matches.sorted(by: { $0.count != $1.count ? $0.count > $1.count : $0 > $1 }).first else {
            return nil
        }
        return URL(fileURLWithPath: directory).appendingPathComponent(best).path
    }
}
