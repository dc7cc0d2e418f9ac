import NIOCore
import Testing

@testable import ZenohProtocol

@Suite("Messages built by hand")
struct MessageTests {
    private let zid = ZenohId(littleEndianBytes: [0x01, 0x23, 0x45, 0x67, 0x89, 0xab, 0xcd, 0xef])!

    private func encode(_ message: TransportMessage) -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeZenohTransportMessage(message)
        return buffer
    }

    private func roundTrip(
        _ message: TransportMessage, _ hex: String, sourceLocation: SourceLocation = #_sourceLocation
    ) throws {
        #expect(self.encode(message) == ByteBuffer(hex: hex), sourceLocation: sourceLocation)
        var buffer = ByteBuffer(hex: hex)
        #expect(try TransportMessage.decode(from: &buffer) == message, sourceLocation: sourceLocation)
        #expect(buffer.readableBytes == 0, sourceLocation: sourceLocation)
    }

    @Test("Minimal client handshake (reference D.2)")
    func minimalHandshake() throws {
        try self.roundTrip(.initSyn(.init(whatAmI: .client, zid: self.zid)), "01 09 72 01 23 45 67 89 ab cd ef")
        let cookie = ByteBuffer(hex: "aa bb cc")
        try self.roundTrip(
            .initAck(.init(whatAmI: .router, zid: self.zid, batchSize: 49_152, cookie: cookie)),
            "61 09 70 01 23 45 67 89 ab cd ef 0a 00 c0 03 aa bb cc"
        )
        try self.roundTrip(
            .openSyn(.init(leaseMilliseconds: 10_000, initialSN: 9_031_255, cookie: cookie)),
            "42 0a d7 9c a7 04 03 aa bb cc"
        )
        try self.roundTrip(.openAck(.init(leaseMilliseconds: 2500, initialSN: 1)), "22 c4 13 01")
        try self.roundTrip(.close(.init(reason: .generic)), "03 00")
        try self.roundTrip(.close(.init(reason: .expired, isSessionWide: true)), "23 05")
        try self.roundTrip(.keepAlive(.init()), "04")
    }

    @Test("Init accessors and extension order (reference D.1)")
    func initExtensions() throws {
        var buffer = ByteBuffer(hex: "c1 09 72 01 23 45 67 89 ab cd ef 0a c8 ff 81 c2 02 ff 8c 27 01")
        guard case .initSyn(let syn) = try TransportMessage.decode(from: &buffer) else {
            Issue.record("not an InitSyn")
            return
        }
        #expect(syn.isQoSEnabled)
        #expect(syn.patch == 1)
        #expect(syn.batchSize == 65_480)
        #expect(syn.zid.description == "efcdab8967452301")
    }

    @Test("Frames, fragments and declarations (reference D.3, D.4, D.13)")
    func frames() throws {
        let subscriber = NetworkMessage.declare(
            .init(
                qos: .default,
                declaration: .subscriber(.init(id: 1, wireExpr: WireExpr(suffix: "fromPy/**", isSenderMapping: false))))
        )
        try self.roundTrip(
            .frame(.init(sn: 9_031_255, messages: [subscriber])),
            "25 d7 9c a7 04 1e 22 01 00 09 66 72 6f 6d 50 79 2f 2a 2a"
        )
        let keyExpr = NetworkMessage.declare(
            .init(declaration: .keyExpr(.init(id: 1, wireExpr: WireExpr(suffix: "cap/sub", isSenderMapping: false)))))
        let declared = NetworkMessage.declare(
            .init(declaration: .subscriber(.init(id: 1, wireExpr: WireExpr(scope: 1, suffix: "/**")))))
        try self.roundTrip(
            .frame(.init(sn: 52_691_711, qos: ZenohQoS(priority: .control), messages: [keyExpr, declared])),
            "a5 ff 85 90 19 31 00 9e 21 08 20 01 00 07 63 61 70 2f 73 75 62 9e 21 08 62 01 01 03 2f 2a 2a"
        )
        try self.roundTrip(
            .fragment(.init(hasMore: true, sn: 52_691_714, isFirst: true, payload: ByteBuffer(hex: "7d 00"))),
            "e6 82 86 90 19 02 7d 00"
        )
        try self.roundTrip(
            .fragment(
                .init(
                    isReliable: false, hasMore: false, sn: 3, qos: ZenohQoS(priority: .realTime), isDrop: true,
                    payload: ByteBuffer())),
            "86 03 b1 01 03"
        )
    }

    @Test("Undeclarations with and without the WireExpr extension (reference D.11, D.14)")
    func undeclarations() throws {
        let token = NetworkMessage.declare(
            .init(
                declaration: .undeclareToken(
                    .init(id: 2, wireExpr: WireExpr(scope: 0, suffix: "", isSenderMapping: false))))
        )
        var buffer = ByteBuffer()
        buffer.writeZenohNetworkMessage(token)
        #expect(buffer == ByteBuffer(hex: "9e 21 08 87 02 5f 02 00 00"))
        #expect(try NetworkMessage.decodeComplete(buffer) == token)
        let named = NetworkMessage.declare(
            .init(
                declaration: .undeclareQueryable(
                    .init(id: 9, wireExpr: WireExpr(scope: 3, suffix: "/x", isSenderMapping: true))))
        )
        buffer.clear()
        buffer.writeZenohNetworkMessage(named)
        #expect(buffer == ByteBuffer(hex: "9e 21 08 85 09 5f 04 03 03 2f 78"))
        #expect(try NetworkMessage.decodeComplete(buffer) == named)
        let subscriber = NetworkMessage.declare(.init(declaration: .undeclareSubscriber(.init(id: 1))))
        buffer.clear()
        buffer.writeZenohNetworkMessage(subscriber)
        #expect(buffer == ByteBuffer(hex: "9e 21 08 03 01"))
        let final = NetworkMessage.declare(.init(interestID: 4, declaration: .final(.init())))
        buffer.clear()
        buffer.writeZenohNetworkMessage(final)
        #expect(buffer == ByteBuffer(hex: "be 04 21 08 1a"))
        let queryable = NetworkMessage.declare(
            .init(
                declaration: .queryable(
                    .init(id: 2, wireExpr: WireExpr(scope: 2, suffix: "/**"), info: .init(isComplete: true))))
        )
        buffer.clear()
        buffer.writeZenohNetworkMessage(queryable)
        #expect(buffer == ByteBuffer(hex: "9e 21 08 e4 02 02 03 2f 2a 2a 21 01"))
        #expect(try NetworkMessage.decodeComplete(buffer) == queryable)
        let forget = NetworkMessage.declare(.init(declaration: .undeclareKeyExpr(.init(id: 5))))
        buffer.clear()
        buffer.writeZenohNetworkMessage(forget)
        #expect(buffer == ByteBuffer(hex: "9e 21 08 01 05"))
        #expect(try NetworkMessage.decodeComplete(buffer) == forget)
    }

    @Test("Data messages (reference D.5, D.7, D.12, D.16, D.17, D.18)")
    func dataMessages() throws {
        let cases: [(NetworkMessage, String)] = [
            (
                .push(
                    .init(
                        wireExpr: WireExpr(suffix: "demo/x"),
                        body: .put(
                            .init(
                                encoding: .textPlain, attachment: ByteBuffer(string: "att"),
                                payload: ByteBuffer(string: "hello"))))),
                "7d 00 06 64 65 6d 6f 2f 78 c1 08 43 03 61 74 74 05 68 65 6c 6c 6f"
            ),
            (
                .push(
                    .init(
                        wireExpr: WireExpr(suffix: "demo/x"), qos: ZenohQoS(priority: .background),
                        body: .put(
                            .init(
                                encoding: ZenohEncoding(id: 0xFFFF, schema: "my/custom"),
                                payload: ByteBuffer(string: "p1"))))),
                "fd 00 06 64 65 6d 6f 2f 78 21 07 41 ff ff 07 09 6d 79 2f 63 75 73 74 6f 6d 02 70 31"
            ),
            (
                .request(
                    .init(
                        requestID: 1, wireExpr: WireExpr(suffix: "demo/q/1"), timeoutMilliseconds: 2000,
                        query: .init(parameters: "k=v"))),
                "fc 01 00 08 64 65 6d 6f 2f 71 2f 31 a1 0d 26 d0 0f 63 03 03 6b 3d 76"
            ),
            (
                .request(
                    .init(
                        requestID: 1, wireExpr: WireExpr(suffix: "demo/q/a"), target: .all, timeoutMilliseconds: 2000,
                        query: .init(
                            consolidation: .none,
                            body: .init(encoding: .applicationJSON, payload: ByteBuffer(string: "qpayload")),
                            attachment: ByteBuffer(string: "qatt")))),
                "fc 01 00 08 64 65 6d 6f 2f 71 2f 61 a1 0d b4 01 26 d0 0f a3 01 c3 09 0a 71 70 61 79 6c 6f 61 64 45 04 71 61 74 74"
            ),
            (
                .response(
                    .init(
                        requestID: 3, wireExpr: WireExpr(suffix: "demo/q/del"),
                        responderID: EntityGlobalID(zid: self.zid, eid: 7), body: .reply(.init(body: .del(.init()))))),
                "fb 03 00 0a 64 65 6d 6f 2f 71 2f 64 65 6c a1 0d 43 0a 70 01 23 45 67 89 ab cd ef 07 04 02"
            ),
            (
                .response(
                    .init(
                        requestID: 2, wireExpr: WireExpr(suffix: "e"),
                        body: .err(.init(encoding: .textPlain, payload: ByteBuffer(string: "bad"))))),
                "fb 02 00 01 65 21 0d 45 08 03 62 61 64"
            ),
            (.responseFinal(.init(requestID: 5)), "9a 05 21 0d"),
            (
                .push(
                    .init(
                        wireExpr: WireExpr(scope: 1, suffix: "/1", isSenderMapping: false),
                        body: .put(
                            .init(
                                timestamp: ZenohTimestamp(time: 7_711_782_976_164_573_248, id: self.zid),
                                payload: ByteBuffer(string: "x"))))),
                "3d 01 02 2f 31 21 c0 e0 c6 f9 a0 b8 f0 82 6b 08 01 23 45 67 89 ab cd ef 01 78"
            ),
            (
                .push(
                    .init(
                        wireExpr: WireExpr(suffix: "k"),
                        body: .del(
                            .init(
                                sourceInfo: SourceInfo(source: EntityGlobalID(zid: self.zid, eid: 1), sn: 2),
                                attachment: ByteBuffer(string: "d"))))),
                "7d 00 01 6b 82 c1 0b 70 01 23 45 67 89 ab cd ef 01 02 42 01 64"
            ),
        ]
        for (message, hex) in cases {
            var buffer = ByteBuffer()
            buffer.writeZenohNetworkMessage(message)
            #expect(buffer.hexString == ByteBuffer(hex: hex).hexString)
            #expect(try NetworkMessage.decodeComplete(ByteBuffer(hex: hex)) == message)
        }
    }

    @Test("Interests in every mode (reference D.9, D.15, D.18)")
    func interests() throws {
        let cases: [(NetworkMessage, String)] = [
            (
                .interest(
                    .init(
                        interestID: 4, mode: .currentFuture, options: [.keyExprs, .tokens],
                        wireExpr: WireExpr(scope: 4, suffix: "/**"))), "f9 04 79 04 03 2f 2a 2a 21 08"
            ),
            (
                .interest(
                    .init(
                        interestID: 1, mode: .currentFuture, options: [.keyExprs, .subscribers],
                        wireExpr: WireExpr(scope: 1, suffix: ""))), "f9 01 53 01 21 08"
            ),
            (.interest(.init(interestID: 1, mode: .final)), "99 01 21 08"),
            (.interest(.init(interestID: 2, mode: .current, options: [.tokens], qos: .default)), "39 02 08"),
        ]
        for (message, hex) in cases {
            var buffer = ByteBuffer()
            buffer.writeZenohNetworkMessage(message)
            #expect(buffer == ByteBuffer(hex: hex))
            #expect(try NetworkMessage.decodeComplete(ByteBuffer(hex: hex)) == message)
        }
    }

    @Test("Join, transport OAM and network OAM round trip")
    func rareMessages() throws {
        let join = TransportMessage.join(
            .init(
                whatAmI: .peer, zid: self.zid, resolution: 0x0A, batchSize: 8192, leaseMilliseconds: 10_000,
                nextReliableSN: 5, nextBestEffortSN: 6, extensions: [.z64(0x7, 1)])
        )
        let oam = TransportMessage.oam(.init(oamID: 3, body: .z64(9)))
        let networkOAM = NetworkMessage.oam(
            .init(oamID: NetworkMessage.OAM.linkStateID, body: .zbuf(ByteBuffer(hex: "00"))))
        let frame = TransportMessage.frame(.init(sn: 1, messages: [networkOAM]))
        for message in [join, oam, frame] {
            let batch = ZenohBatch.encode([message])
            #expect(try ZenohBatch.decode(batch) == [message])
        }
        #expect(self.encode(oam) == ByteBuffer(hex: "20 03 09"))
        #expect(self.encode(frame) == ByteBuffer(hex: "25 01 df 01 21 08 01 00"))
    }

    @Test("ZenohId forms: 1...16 bytes, text without leading zeros, zero rejected")
    func zenohIds() throws {
        let id = try #require(
            ZenohId(
                littleEndianBytes: [
                    0xce, 0xb1, 0x46, 0x44, 0x71, 0xdf, 0x90, 0xd9, 0x9a, 0x88, 0x9e, 0x03, 0x87, 0xb7, 0xda, 0x96,
                    0x09,
                ].dropLast()))
        #expect(id.byteCount == 16)
        let short = try #require(ZenohId(littleEndianBytes: [0x01]))
        #expect(short.byteCount == 1)
        #expect(short.description == "1")
        let trimmed = try #require(ZenohId(littleEndianBytes: [0x34, 0x12, 0x00]))
        #expect(trimmed.littleEndianBytes == [0x34, 0x12])
        #expect(trimmed.description == "1234")
        #expect(ZenohId(littleEndianBytes: [0, 0]) == nil)
        #expect(ZenohId(littleEndianBytes: [UInt8](repeating: 1, count: 17)) == nil)
        let wide = try #require(ZenohId(low: 0x0123, high: 0x9))
        #expect(wide.description == "90000000000000123")
        var random = SeededGenerator(seed: 1)
        #expect(ZenohId.random(using: &random).byteCount == 16)
    }
}

@Suite("Encodings")
struct EncodingTests {
    @Test(
        "MIME strings map to the wire forms of the reference",
        arguments: [
            ("text/plain", "08"), ("application/json", "0a"),
            ("text/plain;charset=utf-8", "09 0d 63 68 61 72 73 65 74 3d 75 74 66 2d 38"),
            ("my/custom", "ff ff 07 09 6d 79 2f 63 75 73 74 6f 6d"), ("zenoh/bytes", "00"), ("video/vp9", "68"),
        ]
    )
    func mime(string: String, hex: String) throws {
        let encoding = ZenohEncoding(mime: string)
        #expect(encoding.mime == string)
        var buffer = ByteBuffer()
        buffer.writeZenohEncoding(encoding)
        #expect(buffer == ByteBuffer(hex: hex))
        #expect(try buffer.readZenohEncoding() == encoding)
    }

    @Test("Ids above 16 bits and long schemas are rejected")
    func bounds() {
        var big = ByteBuffer()
        big.writeZenohVLE(UInt32(0x1_0000) << 1)
        #expect { try big.readZenohEncoding() } throws: { ($0 as? ZenohDecodingError)?.code == .overflow }
        var long = ByteBuffer()
        long.writeZenohVLE(UInt32(1))
        long.writeZenohBytes([UInt8](repeating: 0x61, count: 256))
        #expect { try long.readZenohEncoding() } throws: { ($0 as? ZenohDecodingError)?.code == .limitExceeded }
    }
}
