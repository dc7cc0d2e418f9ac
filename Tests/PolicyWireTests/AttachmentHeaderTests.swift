import NIOCore
import PolicyWire
import Testing

@Suite("Attachment header")
struct AttachmentHeaderTests {
    @Test("Round trip of every field, including extremes")
    func roundTrip() throws {
        let header = AttachmentHeader(
            schemaVersion: 1, messageType: .chunk, seqID: .max, episodeID: .max, clientMonoNs: -42,
            sessionEpoch: 7)
        let packed = header.packed()
        #expect(packed.readableBytes == AttachmentHeader.size)
        #expect(try AttachmentHeader(unpacking: packed) == header)
    }

    @Test("Defaults: schema 1, observation, zeros")
    func defaults() throws {
        let header = AttachmentHeader()
        #expect(header.schemaVersion == 1 && header.messageType == .observation)
        #expect(Array(header.packed().readableBytesView) == [1, 0, 1] + [UInt8](repeating: 0, count: 24))
    }

    @Test("Lengths other than 27 are refused with 'Bad header length'", arguments: [0, 1, 26, 28, 100])
    func badLength(length: Int) {
        let bytes = ByteBuffer(bytes: [UInt8](repeating: 1, count: length))
        #expect {
            try AttachmentHeader(unpacking: bytes)
        } throws: { error in
            let e = error as? PolicyWireError
            return e?.code == .badHeaderLength && e?.message.hasPrefix("Bad header length") == true
        }
    }

    @Test("Reads from a slice that does not start at index 0")
    func slice() throws {
        var buffer = ByteBuffer(bytes: [9, 9, 9])
        AttachmentHeader(messageType: .event, seqID: 5).pack(into: &buffer)
        buffer.moveReaderIndex(forwardBy: 3)
        #expect(try AttachmentHeader(unpacking: buffer).seqID == 5)
    }
}

@Suite("Dropped messages")
struct DroppedMessageTests {
    @Test("An arriving message's header is checked, and a drop names its cause")
    func checked() throws {
        let good = AttachmentHeader(seqID: 3)
        let checked = try AttachmentHeader.checked(good.packed()).get()
        #expect(checked == good)
        #expect(AttachmentHeader.checked(nil) == .failure(.noHeader))
        #expect(AttachmentHeader.checked(ByteBuffer(bytes: [1, 0, 1])) == .failure(.badHeader))
        #expect(AttachmentHeader.checked(AttachmentHeader(schemaVersion: 2).packed()) == .failure(.schemaVersion))
        // The message type is not a reason to drop: the key says what the message is.
        #expect((try? AttachmentHeader.checked(AttachmentHeader(messageType: .event).packed()).get()) != nil)
    }

    @Test("Counts by cause; only the first of each cause asks to be logged")
    func counts() {
        var counts = DropCounts()
        let first = counts.count(.noHeader)
        let second = counts.count(.noHeader)
        let otherCause = counts.count(.schemaVersion)
        #expect(first && !second && otherCause)
        #expect(counts[.noHeader] == 2 && counts[.schemaVersion] == 1 && counts[.badKey] == 0 && counts.total == 3)
    }
}
