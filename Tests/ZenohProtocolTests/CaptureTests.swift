import NIOCore
import Testing
import ZenohProtocol

/// Golden vectors: every batch of every capture (Rust Zenoh 1.10.2) must decode, and must
/// re-encode byte-exact.
///
/// Byte-exact re-encoding is checked for every batch of every capture, i.e. for all the message
/// kinds the captures contain: InitSyn/InitAck (with QoS, Shm, Patch extensions kept verbatim),
/// OpenSyn/OpenAck, Close, KeepAlive, Frame (with and without QoS lane), Fragment (First marker),
/// Push (Put/Del with timestamp, encoding incl. custom schema, attachment), Request (QoS, Target,
/// Timeout; Query with consolidation, parameters, body, attachment), Response (ResponderId;
/// Reply Put/Del, Err), ResponseFinal, Declare (D_KEYEXPR, D_SUBSCRIBER, D_QUERYABLE with
/// QueryableInfo, D_TOKEN, U_SUBSCRIBER, U_TOKEN with the WireExpr extension, D_FINAL, with and
/// without interest id), Interest (Final, Current, Future, CurrentFuture) and network OAM
/// (LinkState, body kept opaque).
@Suite("Captured Rust traffic")
struct CaptureTests {
    @Test("The fixtures are present and split into batches")
    func fixturesLoad() throws {
        #expect(CaptureFixtures.streams.count == 2 * CaptureFixtures.files.count)
        for stream in CaptureFixtures.streams {
            let batches = try stream.batches()
            #expect(!batches.isEmpty, "\(stream)")
            // Re-framing the batches gives back the exact stream.
            var reframed = ByteBuffer()
            for batch in batches {
                var framed = try #require(ZenohBatch.framed(batch))
                reframed.writeBuffer(&framed)
            }
            #expect(reframed == stream.bytes, "\(stream)")
        }
        #expect(CaptureFixtures.batches.count == 163)
    }

    @Test("Every batch decodes and re-encodes byte-exact", arguments: CaptureFixtures.files)
    func decodeAndReencode(file: String) throws {
        let streams = CaptureFixtures.streams.filter { $0.file == file }
        #expect(streams.count == 2)
        for stream in streams {
            for (index, batch) in try stream.batches().enumerated() {
                let messages: [TransportMessage]
                do {
                    messages = try ZenohBatch.decode(batch)
                } catch {
                    Issue.record("\(stream) batch #\(index + 1): \(error) in \(batch.hexString.prefix(200))")
                    continue
                }
                #expect(!messages.isEmpty)
                let encoded = ZenohBatch.encode(messages)
                #expect(encoded == batch, "\(stream) batch #\(index + 1) re-encodes differently")
            }
        }
    }

    @Test("The 1 MiB put reassembles from 22 fragments into one Push")
    func fragmentReassembly() throws {
        let stream = try #require(CaptureFixtures.streams.first { $0.file == "client" && $0.direction == "c2s" })
        var reassembled = ByteBuffer()
        var fragments: [TransportMessage.Fragment] = []
        for batch in try stream.batches() {
            for case .fragment(let fragment) in try ZenohBatch.decode(batch) {
                fragments.append(fragment)
                var payload = fragment.payload
                reassembled.writeBuffer(&payload)
            }
        }
        #expect(fragments.count == 22)
        #expect(fragments.first?.isFirst == true)
        #expect(fragments.dropLast().allSatisfy { $0.hasMore })
        #expect(fragments.last?.hasMore == false)
        for (previous, next) in zip(fragments, fragments.dropFirst()) {
            #expect(next.sn == previous.sn &+ 1)
        }
        #expect(reassembled.readableBytes == 1_048_591)
        let message = try NetworkMessage.decodeComplete(reassembled)
        guard case .push(let push) = message, case .put(let put) = push.body else {
            Issue.record("expected a Push(Put), got \(message.id)")
            return
        }
        #expect(push.wireExpr == WireExpr(scope: 0, suffix: "demo/big", isSenderMapping: true))
        #expect(put.payload.readableBytes == 1_048_576)
        #expect(put.payload.getInteger(at: put.payload.readerIndex + 255, as: UInt8.self) == 255)
        var encoded = ByteBuffer()
        encoded.writeZenohNetworkMessage(message)
        #expect(encoded == reassembled)
    }

    @Test("Every kind of message in the captures is reached")
    func coverage() throws {
        var seen: Set<String> = []
        func visit(_ message: NetworkMessage) {
            seen.insert("\(message.id)")
            switch message {
            case .declare(let declare): seen.insert("declare.\(declare.declaration.id)")
            case .push(let push): seen.insert("push.\(push.body.kind)")
            case .response(let response):
                switch response.body {
                case .reply(let reply): seen.insert("reply.\(reply.body.kind)")
                case .err: seen.insert("err")
                }
            case .interest(let interest): seen.insert("interest.\(interest.mode)")
            default: break
            }
        }
        for (_, _, batch) in CaptureFixtures.batches {
            for message in try ZenohBatch.decode(batch) {
                seen.insert("\(message.id)")
                if case .frame(let frame) = message {
                    frame.messages.forEach(visit)
                }
            }
        }
        let expected: Set<String> = [
            "initialize", "open", "close", "keepAlive", "frame", "fragment",
            "push", "request", "response", "responseFinal", "declare", "interest", "oam",
            "declare.keyExpr", "declare.subscriber", "declare.undeclareSubscriber", "declare.queryable",
            "declare.token", "declare.undeclareToken", "declare.final",
            "push.put", "push.del", "reply.put", "reply.del", "err",
            "interest.final", "interest.current", "interest.future", "interest.currentFuture",
        ]
        #expect(expected.subtracting(seen).isEmpty, "missing: \(expected.subtracting(seen).sorted())")
    }
}

extension NetworkMessage.Push.Body {
    var kind: String {
        switch self {
        case .put: "put"
        case .del: "del"
        }
    }
}

@Suite("LinkState gossip")
struct LinkStateTests {
    @Test("Every captured LinkState decodes and re-encodes byte-exact (reference D.19)")
    func capturedLinkStates() throws {
        var count = 0
        for (stream, _, batch) in CaptureFixtures.batches {
            for case .frame(let frame) in try ZenohBatch.decode(batch) {
                for case .oam(let oam) in frame.messages {
                    let list = try #require(try oam.linkStateList(), "\(stream)")
                    #expect(list.entries.count == 2)
                    #expect(list.entries.first?.whatAmI == .peer)
                    #expect(list.entries.first?.zid != nil)
                    guard case .zbuf(let body) = oam.body else { continue }
                    #expect(list.encoded() == body)
                    count += 1
                }
            }
        }
        #expect(count == 4)
    }

    @Test("A built list round trips, weights and gateway included")
    func roundTrip() throws {
        let zid = try #require(ZenohId(littleEndianBytes: [1, 2, 3]))
        let list = LinkStateList(entries: [
            .init(
                psid: 0, sn: 2, zid: zid, whatAmI: .router, locators: ["tcp/127.0.0.1:7447"], links: [1, 2],
                weights: [10, 20], isGateway: true),
            .init(psid: 1, sn: 0, whatAmI: .client),
        ])
        #expect(try LinkStateList.decode(list.encoded()) == list)
        #expect { try LinkStateList.decode(ByteBuffer(hex: "ff ff 03")) } throws: {
            ($0 as? ZenohDecodingError)?.code == .limitExceeded
        }
    }
}
