import MessagePack
import NIOCore
import PolicyWire
import Testing

@Suite("Tensors")
struct TensorTests {
    @Test("float32 round trip through the wire map")
    func roundTrip() throws {
        let tensor = try PolicyTensor(float32Rows: [[1, 2, 3], [4, 5, 6]])
        var buffer = ByteBuffer()
        tensor.encode(into: &buffer)
        let decoded = try PolicyTensor(messagePack: MessagePackDecoder().decode(buffer))
        #expect(decoded == tensor)
        #expect(decoded.floatRows() == [[1, 2, 3], [4, 5, 6]])
    }

    @Test("Data length must match shape × item size")
    func lengthChecked() {
        #expect(throws: PolicyWireError.self) {
            try PolicyTensor(dtype: .float32, shape: [2, 3], data: ByteBuffer(bytes: [UInt8](repeating: 0, count: 23)))
        }
        #expect(throws: PolicyWireError.self) {
            try PolicyTensor(dtype: .float64, shape: [Int.max, 2], data: ByteBuffer())
        }
        #expect(throws: PolicyWireError.self) {
            try PolicyTensor(dtype: .uint8, shape: [-1], data: ByteBuffer())
        }
    }

    @Test("Object dtypes are refused by name", arguments: ["|O", "O", "<O8"])
    func objectDtype(dtype: String) throws {
        let map: MessagePackValue = .map([
            MessagePackPair("dtype", .string(dtype)), MessagePackPair("shape", [1]),
            MessagePackPair("data", .binary(ByteBuffer(bytes: [0, 0, 0, 0, 0, 0, 0, 0]))),
        ])
        #expect {
            try PolicyTensor(messagePack: map)
        } throws: { error in
            (error as? PolicyWireError)?.message.contains("object dtype") == true
        }
    }

    @Test("Every accepted dtype string parses, with its item size")
    func dtypes() throws {
        for dtype in PolicyTensor.DType.allCases {
            let map: MessagePackValue = .map([
                MessagePackPair("dtype", .string(dtype.wireName)), MessagePackPair("shape", [2]),
                MessagePackPair("data", .binary(ByteBuffer(bytes: [UInt8](repeating: 0, count: 2 * dtype.itemSize)))),
            ])
            #expect(try PolicyTensor(messagePack: map).dtype == dtype)
        }
        let unknown: MessagePackValue = .map([MessagePackPair("dtype", "<c16"), MessagePackPair("shape", [])])
        #expect(throws: PolicyWireError.self) { try PolicyTensor(messagePack: unknown) }
    }

    @Test("float16 conversion covers normals, subnormals, zero, infinity")
    func half() throws {
        // 1.0, -2.0, 65504, smallest subnormal, -0.0, +inf
        let bits: [UInt16] = [0x3c00, 0xc000, 0x7bff, 0x0001, 0x8000, 0x7c00]
        var data = ByteBuffer()
        for b in bits { data.writeInteger(b, endianness: .little) }
        let tensor = try PolicyTensor(dtype: .float16, shape: [6], data: data)
        let values = tensor.floats()
        #expect(Array(values[0..<3]) == [1.0, -2.0, 65504])
        #expect(values[3] == Float(sign: .plus, exponent: -24, significand: 1))
        #expect(values[4] == 0 && values[4].sign == .minus)
        #expect(values[5] == .infinity)
    }
}
