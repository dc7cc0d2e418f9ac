/// An ONNX Runtime handle that may cross threads (what it points at is only touched through the C API).
private struct SendableHandle: @unchecked Sendable {
    let pointer: OpaquePointer
}

extension ORTSession {
    /// Runs the model on `inputs` (by input name; every model input is required) and returns `outputs` (all model
    /// outputs when nil) by name. Inputs are passed without a copy; outputs keep ONNX Runtime's buffers.
    public func run(_ inputs: [String: ORTTensor], outputs requested: [String]? = nil) throws(ORTError) -> [String: ORTTensor] {
        let api = library.api
        for name in inputs.keys where !inputNames.contains(name) {
            throw ORTError(
                .invalidArgument, "\(modelPath) has no input named '\(name)' (inputs: \(inputNames.joined(separator: ", ")))")
        }
        var inputValues: [OpaquePointer?] = []
        var inputNameList: [UnsafePointer<CChar>?] = []
        defer { for value in inputValues { api.releaseValue(value) } }
        for (index, name) in inputNames.enumerated() {
            guard let tensor = inputs[name] else {
                throw ORTError(.invalidArgument, "\(modelPath): input '\(name)' was not given")
            }
            var value: OpaquePointer?
            let shape = tensor.shape.map { Int64($0) }
            try api.check(
                api.createTensorWithData(
                    library.cpuMemoryInfo, tensor.data, tensor.byteCount, shape, shape.count, tensor.elementType.rawValue, &value),
                "input '\(name)' \(tensor.elementType) \(tensor.shape)")
            inputValues.append(value)
            inputNameList.append(UnsafePointer(inputNamePointers[index]))
        }
        let wanted = requested ?? outputNames
        var outputNameList: [UnsafePointer<CChar>?] = []
        for name in wanted {
            guard let index = outputNames.firstIndex(of: name) else {
                throw ORTError(
                    .invalidArgument, "\(modelPath) has no output named '\(name)' (outputs: \(outputNames.joined(separator: ", ")))")
            }
            outputNameList.append(UnsafePointer(outputNamePointers[index]))
        }
        var outputValues = [OpaquePointer?](repeating: nil, count: wanted.count)
        let status = api.run(handle, nil, inputNameList, inputValues, inputValues.count, outputNameList, wanted.count, &outputValues)
        withExtendedLifetime(inputs) {}  // the input buffers stay alive until the run has returned
        try api.check(status, "running \(modelPath)")
        var result: [String: ORTTensor] = [:]
        var pending = outputValues
        defer { for case let value? in pending { api.releaseValue(value) } }
        for (index, name) in wanted.enumerated() {
            guard let value = outputValues[index] else { throw ORTError(.runtime, "\(modelPath): output '\(name)' is NULL") }
            let (tensor, ownsValue) = try wrap(value, name: name)
            if ownsValue { pending[index] = nil }
            result[name] = tensor
        }
        return result
    }

    private func wrap(_ value: OpaquePointer, name: String) throws(ORTError) -> (ORTTensor, ownsValue: Bool) {
        let api = library.api
        var info: OpaquePointer?
        try api.check(api.getTensorTypeAndShape(value, &info), "output '\(name)' type and shape")
        defer { api.releaseTensorTypeAndShapeInfo(info) }
        var rawType: Int32 = 0
        try api.check(api.getTensorElementType(info, &rawType), "output '\(name)' element type")
        guard let type = ORTElementType(rawValue: rawType) else {
            throw ORTError(.invalidArgument, "\(modelPath): output '\(name)' has element type \(rawType), which this binding does not read")
        }
        var rank = 0
        try api.check(api.getDimensionsCount(info, &rank), "output '\(name)' rank")
        var dims = [Int64](repeating: 0, count: rank)
        try api.check(api.getDimensions(info, &dims, rank), "output '\(name)' dimensions")
        var data: UnsafeMutableRawPointer?
        try api.check(api.getTensorMutableData(value, &data), "output '\(name)' data")
        let owned = SendableHandle(pointer: value)
        let release = api.releaseValue
        let shape = dims.map { Int($0) }
        guard let data else {
            return (try ORTTensor(zeros: type, shape: shape), false)  // an empty tensor may have no buffer
        }
        return (try ORTTensor(wrapping: data, elementType: type, shape: shape) { _ in release(owned.pointer) }, true)
    }
}
