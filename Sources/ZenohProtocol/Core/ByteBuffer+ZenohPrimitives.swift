package import NIOCore

extension ByteBuffer {
    /// Reads one byte or throws `.truncated`.
    package mutating func readZenohByte(_ what: @autoclosure () -> String = "byte") throws(ZenohDecodingError) -> UInt8 {
        guard let byte = self.readInteger(as: UInt8.self) else {
            throw .truncated(what())
        }
        return byte
    }

    /// Reads `length` bytes as a zero-copy slice or throws `.truncated`.
    package mutating func readZenohSlice(length: Int, _ what: @autoclosure () -> String = "bytes")
        throws(ZenohDecodingError)
        -> ByteBuffer
    {
        guard length >= 0, let slice = self.readSlice(length: length) else {
            throw .truncated(what())
        }
        return slice
    }

    /// Reads `<u8;zN>`: a variable-length length then that many bytes, as a zero-copy slice.
    ///
    /// The length is bounded by `maximumLength` and by the readable bytes.
    package mutating func readZenohBytes(maximumLength: Int = .max) throws(ZenohDecodingError) -> ByteBuffer {
        let start = self.readerIndex
        let length = try self.readZenohVLE(as: UInt64.self)
        guard length <= UInt64(maximumLength) else {
            self.moveReaderIndex(to: start)
            throw .limit("length \(length) exceeds \(maximumLength)")
        }
        guard length <= UInt64(self.readableBytes) else {
            self.moveReaderIndex(to: start)
            throw .truncated("length-prefixed bytes (\(length) announced, \(self.readableBytes) left)")
        }
        guard let slice = self.readSlice(length: Int(length)) else {
            throw .truncated("length-prefixed bytes")
        }
        return slice
    }

    /// Writes `<u8;zN>`: a variable-length length then the readable bytes of `bytes`.
    @discardableResult
    package mutating func writeZenohBytes(_ bytes: ByteBuffer) -> Int {
        let prefix = self.writeZenohVLE(UInt64(bytes.readableBytes))
        var copy = bytes
        return prefix + self.writeBuffer(&copy)
    }

    /// Writes `<u8;zN>` from a byte collection.
    @discardableResult
    package mutating func writeZenohBytes(_ bytes: some Collection<UInt8>) -> Int {
        self.writeZenohVLE(UInt64(bytes.count)) + self.writeBytes(bytes)
    }

    /// Reads a length-prefixed UTF-8 string, bounded by `maximumLength` bytes.
    package mutating func readZenohString(maximumLength: Int = .max) throws(ZenohDecodingError) -> String {
        let slice = try self.readZenohBytes(maximumLength: maximumLength)
        return try slice.zenohUTF8String()
    }

    /// Writes a length-prefixed UTF-8 string.
    @discardableResult
    package mutating func writeZenohString(_ string: String) -> Int {
        self.writeZenohBytes(string.utf8)
    }

    /// The readable bytes as a validated UTF-8 string.
    package func zenohUTF8String() throws(ZenohDecodingError) -> String {
        guard let string = String(validating: self.readableBytesView, as: UTF8.self) else {
            throw ZenohDecodingError(code: .invalidUTF8, message: "string is not valid UTF-8")
        }
        return string
    }

    /// Throws `.trailingBytes` if bytes remain.
    package func zenohExpectEmpty(after what: @autoclosure () -> String) throws(ZenohDecodingError) {
        if self.readableBytes != 0 {
            throw .trailing(self.readableBytes, after: what())
        }
    }
}
