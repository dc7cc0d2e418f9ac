#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Checks that catch a wrong slot or signature before it can crash: a status round trip through four slots, and
/// every slot used pointing inside the library that exported `OrtGetApiBase`.
enum ORTStartupChecks {
    static func run(api: ORTAPI, entry: UnsafeRawPointer, file: String, version: String) throws(ORTError) {
        // CreateStatus → GetErrorCode → GetErrorMessage → ReleaseStatus.
        let probe = "lerobot start-up check"
        guard let status = api.createStatus(2, probe) else {  // 2 = ORT_INVALID_ARGUMENT
            throw ORTError(.startupCheckFailed, "ONNX Runtime \(version) at \(file): CreateStatus returned NULL")
        }
        let code = api.getErrorCode(status)
        let message = api.getErrorMessage(status).map { String(cString: $0) }
        api.releaseStatus(status)
        guard code == 2, message == probe else {
            throw ORTError(
                .startupCheckFailed,
                "ONNX Runtime \(version) at \(file): status round trip gave code \(code), message \(message ?? "nil")")
        }
        // Every slot used lies in the same loaded object as OrtGetApiBase.
        guard let home = objectBase(of: entry) else { return }  // dladdr unavailable: nothing more to check
        for slot in ORTAPI.slotsUsed {
            guard let pointer = api.table[slot], objectBase(of: pointer) == home else {
                throw ORTError(
                    .startupCheckFailed,
                    "ONNX Runtime \(version) at \(file): OrtApi slot \(slot) does not point into the library")
            }
        }
    }

    /// `dladdr(address).dli_fbase`, reached through `dlsym` (the Glibc module does not export `dladdr`).
    static func objectBase(of address: UnsafeRawPointer) -> UnsafeMutableRawPointer? {
        typealias Dladdr = @convention(c) (UnsafeRawPointer?, UnsafeMutableRawPointer?) -> Int32
        #if canImport(Darwin)
        let everywhere = UnsafeMutableRawPointer(bitPattern: -2)  // RTLD_DEFAULT
        #else
        let everywhere: UnsafeMutableRawPointer? = nil  // RTLD_DEFAULT
        #endif
        guard let symbol = dlsym(everywhere, "dladdr") else { return nil }
        // Dl_info { const char* dli_fname; void* dli_fbase; const char* dli_sname; void* dli_saddr; }
        let info = UnsafeMutableRawPointer.allocate(byteCount: 4 * MemoryLayout<UnsafeRawPointer>.stride, alignment: 8)
        defer { info.deallocate() }
        guard unsafeBitCast(symbol, to: Dladdr.self)(address, info) != 0 else { return nil }
        return info.load(fromByteOffset: MemoryLayout<UnsafeRawPointer>.stride, as: UnsafeMutableRawPointer?.self)
    }
}
