import Testing

@testable import ZenohTransport

/// Rust's "32-bit" resolution is a 28-bit SN space (what fits in 4 VLE bytes); the Rust router refuses an
/// OpenSyn whose initial SN exceeds `2^28 - 1` (verified against eclipse-zenoh 1.10.2).
@Suite("Sequence numbers")
struct SequenceNumberTests {
    static let mask: UInt32 = (1 << 28) - 1

    /// Feeds `sns` to `rx` and returns which were accepted.
    func accepted(_ sns: [UInt32], by rx: inout ReceiveSequence) -> [Bool] {
        sns.map { rx.accept($0) }
    }

    @Test func masksFollowRust() throws {
        #expect(SequenceNumberResolution.default32.mask == Self.mask)
        #expect(try #require(SequenceNumberResolution(resolutionByte: 0b01)).mask == (1 << 14) - 1)
        #expect(try #require(SequenceNumberResolution(resolutionByte: 0b00)).mask == 127)
        #expect(SequenceNumberResolution(resolutionByte: 0b11) == nil)
    }

    @Test func transmitWrapsAround() {
        var tx = TransmitSequence(initial: Self.mask - 1, resolution: .default32)
        let taken = (0..<4).map { _ in tx.take() }
        #expect(taken == [Self.mask - 1, Self.mask, 0, 1])
        // An initial value beyond the mask is reduced into the space.
        var big = TransmitSequence(initial: UInt32.max, resolution: .default32)
        #expect(big.take() == Self.mask)
    }

    @Test func receiveStartsBeforeInitialAndDropsDuplicates() {
        var rx = ReceiveSequence(initial: 500, resolution: .default32)
        // 500 ok, duplicate, stale, a gap is fine for frames, then the skipped one is stale.
        #expect(accepted([500, 500, 499, 502, 501], by: &rx) == [true, false, false, true, false])
    }

    @Test func receiveAcrossTheWrap() {
        var rx = ReceiveSequence(initial: Self.mask, resolution: .default32)
        #expect(accepted([Self.mask, 0, 1, Self.mask], by: &rx) == [true, true, true, false])
        var fromZero = ReceiveSequence(initial: 0, resolution: .default32)  // "last" starts at the mask
        #expect(accepted([0], by: &fromZero) == [true])
        // SNs outside the space are never accepted.
        var strict = ReceiveSequence(initial: 0, resolution: .default32)
        #expect(accepted([Self.mask + 1, 0], by: &strict) == [false, true])
    }

    @Test func acceptanceWindowIsHalfTheSpace() {
        let half: UInt32 = 1 << 27
        var rx = ReceiveSequence(initial: 11, resolution: .default32)  // last = 10
        // Exactly half the space ahead: refused; just inside: accepted; then 10 is more than half ahead: refused.
        #expect(accepted([10 + half, 10 + half - 1, 10], by: &rx) == [false, true, false])
    }

    @Test func sixteenBitResolution() throws {
        let resolution = try #require(SequenceNumberResolution(resolutionByte: 0b0101))
        #expect(resolution.bits == 16)
        var tx = TransmitSequence(initial: 0x3FFF, resolution: resolution)
        let taken = (0..<2).map { _ in tx.take() }
        #expect(taken == [0x3FFF, 0])
        var rx = ReceiveSequence(initial: 0x3FFF, resolution: resolution)
        // 0x2000 ahead is out of the window, 0x1FFF ahead is in.
        #expect(accepted([0x3FFF, 0x0000, 0x2000, 0x1FFF], by: &rx) == [true, true, false, true])
    }
}
