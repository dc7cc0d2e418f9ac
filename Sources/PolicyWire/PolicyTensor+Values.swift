import NIOCore

extension PolicyTensor {
    /// The elements converted to `Float`, in row-major order.
    ///
    /// float32 is copied straight out; other numeric types are converted element by element (float64 rounds,
    /// integers convert, bool becomes 0 or 1).
    public func floats() -> [Float] {
        let count = elementCount
        if dtype == .float32 {
            #if _endian(little)
            return data.withUnsafeReadableBytes { raw in
                [Float](unsafeUninitializedCapacity: count) { out, initialized in
                    UnsafeMutableRawBufferPointer(out).copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[0..<count * 4]))
                    initialized = count
                }
            }
            #endif
        }
        return (0..<count).map { Float(element(at: $0)) }
    }

    /// The elements converted to `Double`, in row-major order (exact for every float type).
    public func doubles() -> [Double] {
        (0..<elementCount).map { element(at: $0) }
    }

    /// Rows of a 2-D tensor as `Float`s; nil unless the rank is 2.
    public func floatRows() -> [[Float]]? {
        guard shape.count == 2 else { return nil }
        let flat = floats()
        let columns = shape[1]
        return (0..<shape[0]).map { r in Array(flat[r * columns..<(r + 1) * columns]) }
    }

    private func element(at index: Int) -> Double {
        let at = data.readerIndex + index * dtype.itemSize
        // `init` guarantees `data` holds elementCount × itemSize bytes, so these reads are in bounds.
        switch dtype {
        case .float16: return Double(Self.halfToFloat(data.getInteger(at: at, endianness: .little)!))
        case .float32: return Double(Float(bitPattern: data.getInteger(at: at, endianness: .little)!))
        case .float64: return Double(bitPattern: data.getInteger(at: at, endianness: .little)!)
        case .int8: return Double(data.getInteger(at: at, as: Int8.self)!)
        case .int16: return Double(data.getInteger(at: at, endianness: .little, as: Int16.self)!)
        case .int32: return Double(data.getInteger(at: at, endianness: .little, as: Int32.self)!)
        case .int64: return Double(data.getInteger(at: at, endianness: .little, as: Int64.self)!)
        case .uint8: return Double(data.getInteger(at: at, as: UInt8.self)!)
        case .uint16: return Double(data.getInteger(at: at, endianness: .little, as: UInt16.self)!)
        case .uint32: return Double(data.getInteger(at: at, endianness: .little, as: UInt32.self)!)
        case .uint64: return Double(data.getInteger(at: at, endianness: .little, as: UInt64.self)!)
        case .bool: return data.getInteger(at: at, as: UInt8.self)! != 0 ? 1 : 0
        }
    }

    /// IEEE 754 binary16 → binary32 (exact: every half is a float).
    static func halfToFloat(_ bits: UInt16) -> Float {
        let sign = UInt32(bits & 0x8000) << 16
        let exponent = Int(bits >> 10) & 0x1f
        let mantissa = UInt32(bits & 0x03ff)
        if exponent == 0 {
            // Zero or subnormal: mantissa × 2^-24.
            let magnitude = Float(mantissa) * Float(sign: .plus, exponent: -24, significand: 1)
            return sign != 0 ? -magnitude : magnitude
        }
        if exponent == 0x1f {
            return Float(bitPattern: sign | 0x7f80_0000 | (mantissa << 13))
        }
        return Float(bitPattern: sign | (UInt32(exponent + 127 - 15) << 23) | (mantissa << 13))
    }
}
