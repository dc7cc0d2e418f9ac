/// The slots of ONNX Runtime's `OrtApi` function table this binding calls, typed.
///
/// `OrtApi` is an array of C function pointers that ONNX Runtime never reorders; each function is called by its
/// slot index with the signature of the public C API (Linux x86_64 / arm64: C enums are `Int32`, `size_t` is
/// `Int`). Handles are opaque. Functions that can fail return an `OrtStatus*`, NULL on success.
// @unchecked: an immutable table of C function pointers.
struct ORTAPI: @unchecked Sendable {
    typealias Handle = OpaquePointer
    typealias Status = OpaquePointer?
    typealias Out = UnsafeMutablePointer<OpaquePointer?>?
    typealias CString = UnsafePointer<CChar>?
    typealias CStrings = UnsafePointer<UnsafePointer<CChar>?>?

    /// The slot indices used, for the start-up check that each lies inside the loaded library.
    static let slotsUsed: [Int] = [
        0, 1, 2, 3, 7, 9, 10, 23, 24, 25, 30, 31, 36, 37, 49, 51, 60, 61, 62, 65, 69, 76, 78, 92, 93, 94, 95, 96,
        99, 100, 125, 126, 130, 204, 205, 206, 208,
    ]

    let table: UnsafePointer<UnsafeRawPointer?>

    let createStatus: @convention(c) (Int32, CString) -> Status
    let getErrorCode: @convention(c) (Handle?) -> Int32
    let getErrorMessage: @convention(c) (Handle?) -> CString
    let createEnv: @convention(c) (Int32, CString, Out) -> Status
    let createSession: @convention(c) (Handle?, CString, Handle?, Out) -> Status
    let run: @convention(c) (Handle?, Handle?, CStrings, UnsafePointer<OpaquePointer?>?, Int, CStrings, Int, Out) -> Status
    let createSessionOptions: @convention(c) (Out) -> Status
    let setGraphOptimizationLevel: @convention(c) (Handle?, Int32) -> Status
    let setIntraOpNumThreads: @convention(c) (Handle?, Int32) -> Status
    let setInterOpNumThreads: @convention(c) (Handle?, Int32) -> Status
    let sessionGetInputCount: @convention(c) (Handle?, UnsafeMutablePointer<Int>?) -> Status
    let sessionGetOutputCount: @convention(c) (Handle?, UnsafeMutablePointer<Int>?) -> Status
    let sessionGetInputName: @convention(c) (Handle?, Int, Handle?, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Status
    let sessionGetOutputName: @convention(c) (Handle?, Int, Handle?, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?) -> Status
    let createTensorWithData: @convention(c) (Handle?, UnsafeMutableRawPointer?, Int, UnsafePointer<Int64>?, Int, Int32, Out) -> Status
    let getTensorMutableData: @convention(c) (Handle?, UnsafeMutablePointer<UnsafeMutableRawPointer?>?) -> Status
    let getTensorElementType: @convention(c) (Handle?, UnsafeMutablePointer<Int32>?) -> Status
    let getDimensionsCount: @convention(c) (Handle?, UnsafeMutablePointer<Int>?) -> Status
    let getDimensions: @convention(c) (Handle?, UnsafeMutablePointer<Int64>?, Int) -> Status
    let getTensorTypeAndShape: @convention(c) (Handle?, Out) -> Status
    let createCpuMemoryInfo: @convention(c) (Int32, Int32, Out) -> Status
    let allocatorFree: @convention(c) (Handle?, UnsafeMutableRawPointer?) -> Status
    let getAllocatorWithDefaultOptions: @convention(c) (Out) -> Status
    let releaseEnv: @convention(c) (Handle?) -> Void
    let releaseStatus: @convention(c) (Handle?) -> Void
    let releaseMemoryInfo: @convention(c) (Handle?) -> Void
    let releaseSession: @convention(c) (Handle?) -> Void
    let releaseValue: @convention(c) (Handle?) -> Void
    let releaseTensorTypeAndShapeInfo: @convention(c) (Handle?) -> Void
    let releaseSessionOptions: @convention(c) (Handle?) -> Void
    let getAvailableProviders:
        @convention(c) (UnsafeMutablePointer<UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?>?, UnsafeMutablePointer<Int32>?)
            -> Status
    let releaseAvailableProviders: @convention(c) (UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>?, Int32) -> Status
    let addSessionConfigEntry: @convention(c) (Handle?, CString, CString) -> Status
    let appendCUDAProviderV2: @convention(c) (Handle?, Handle?) -> Status
    let createCUDAProviderOptions: @convention(c) (Out) -> Status
    let updateCUDAProviderOptions: @convention(c) (Handle?, CStrings, CStrings, Int) -> Status
    let releaseCUDAProviderOptions: @convention(c) (Handle?) -> Void

    /// Types the table; `nil` when a slot used is NULL (a runtime too old for one of them).
    init?(table: UnsafePointer<UnsafeRawPointer?>) {
        for slot in Self.slotsUsed where table[slot] == nil { return nil }
        self.table = table
        func f<F>(_ slot: Int, _: F.Type = F.self) -> F { unsafeBitCast(table[slot]!, to: F.self) }
        createStatus = f(0)
        getErrorCode = f(1)
        getErrorMessage = f(2)
        createEnv = f(3)
        createSession = f(7)
        run = f(9)
        createSessionOptions = f(10)
        setGraphOptimizationLevel = f(23)
        setIntraOpNumThreads = f(24)
        setInterOpNumThreads = f(25)
        sessionGetInputCount = f(30)
        sessionGetOutputCount = f(31)
        sessionGetInputName = f(36)
        sessionGetOutputName = f(37)
        createTensorWithData = f(49)
        getTensorMutableData = f(51)
        getTensorElementType = f(60)
        getDimensionsCount = f(61)
        getDimensions = f(62)
        getTensorTypeAndShape = f(65)
        createCpuMemoryInfo = f(69)
        allocatorFree = f(76)
        getAllocatorWithDefaultOptions = f(78)
        releaseEnv = f(92)
        releaseStatus = f(93)
        releaseMemoryInfo = f(94)
        releaseSession = f(95)
        releaseValue = f(96)
        releaseTensorTypeAndShapeInfo = f(99)
        releaseSessionOptions = f(100)
        getAvailableProviders = f(125)
        releaseAvailableProviders = f(126)
        addSessionConfigEntry = f(130)
        appendCUDAProviderV2 = f(204)
        createCUDAProviderOptions = f(205)
        updateCUDAProviderOptions = f(206)
        releaseCUDAProviderOptions = f(208)
    }

    /// Turns a returned status into a thrown error (releasing the status); `context` says what was being done.
    func check(_ status: Status, _ context: @autoclosure () -> String) throws(ORTError) {
        guard let status else { return }
        let code = getErrorCode(status)
        let message = getErrorMessage(status).map { String(cString: $0) } ?? "(no message)"
        releaseStatus(status)
        throw ORTError(.runtime, "\(context()): ONNX Runtime error \(code): \(message)", runtimeCode: code)
    }
}
