public import NIOCore

/// The body of a LINKSTATE network OAM (id 0x0001, zenoh-protocol.md section 8.7): the gossip
/// peers and routers exchange about their neighbourhood.
///
/// Layout: VLE count, then per entry `options | psid | sn | [zid <u8;z8>] if P |
/// [whatami byte (1/2/4)] if W | [locators: count + strings] if L | links: count + psids |
/// [one VLE u16 weight per link] if H`.
public struct LinkStateList: Hashable, Sendable {
    /// One node's link state.
    public struct Entry: Hashable, Sendable {
        /// The options bits: 0x01 P (zid), 0x02 W (whatami), 0x04 L (locators), 0x08 H (weights),
        /// 0x10 G (gateway). P, W, L and H follow the optional fields below when encoding.
        public var options: UInt64
        /// The sender-local index of the node.
        public var psid: UInt64
        /// The sequence number of this link state.
        public var sn: UInt64
        /// The node's id (P).
        public var zid: ZenohId?
        /// The node's role (W).
        public var whatAmI: WhatAmI?
        /// The node's locators (L).
        public var locators: [String]?
        /// The psids of the node's neighbours.
        public var links: [UInt64]
        /// One weight per link (H).
        public var weights: [UInt16]?

        /// Creates an entry; `options` gets the P, W, L and H bits of the fields given.
        public init(
            psid: UInt64,
            sn: UInt64,
            zid: ZenohId? = nil,
            whatAmI: WhatAmI? = nil,
            locators: [String]? = nil,
            links: [UInt64] = [],
            weights: [UInt16]? = nil,
            isGateway: Bool = false
        ) {
            self.options =
                (zid != nil ? 0x01 : 0) | (whatAmI != nil ? 0x02 : 0) | (locators != nil ? 0x04 : 0)
                | (weights != nil ? 0x08 : 0) | (isGateway ? 0x10 : 0)
            self.psid = psid
            self.sn = sn
            self.zid = zid
            self.whatAmI = whatAmI
            self.locators = locators
            self.links = links
            self.weights = weights
        }

        /// The G bit.
        public var isGateway: Bool { self.options & 0x10 != 0 }
    }

    /// The entries.
    public var entries: [Entry]

    /// Creates a list.
    public init(entries: [Entry]) {
        self.entries = entries
    }

    /// Decodes a LinkState list from an OAM ZBuf body; the whole body must be consumed.
    public static func decode(_ body: ByteBuffer) throws(ZenohDecodingError) -> LinkStateList {
        var buffer = body
        let count = try buffer.readZenohBoundedCount("link states")
        var entries: [Entry] = []
        for _ in 0..<count {
            entries.append(try Self.readEntry(from: &buffer))
        }
        try buffer.zenohExpectEmpty(after: "LinkState list")
        return LinkStateList(entries: entries)
    }

    private static func readEntry(from buffer: inout ByteBuffer) throws(ZenohDecodingError) -> Entry {
        let options = try buffer.readZenohVLE(as: UInt64.self)
        var entry = Entry(psid: try buffer.readZenohVLE(as: UInt64.self), sn: try buffer.readZenohVLE(as: UInt64.self))
        entry.options = options
        if options & 0x01 != 0 {
            entry.zid = try buffer.readZenohLengthPrefixedId()
        }
        if options & 0x02 != 0 {
            let bit = try buffer.readZenohByte("LinkState whatami")
            guard let whatAmI = WhatAmI(bit: bit) else {
                throw .invalid("LinkState whatami 0x\(hex(bit))")
            }
            entry.whatAmI = whatAmI
        }
        if options & 0x04 != 0 {
            var locators: [String] = []
            for _ in 0..<(try buffer.readZenohBoundedCount("locators")) {
                locators.append(try buffer.readZenohString(maximumLength: Int(UInt16.max)))
            }
            entry.locators = locators
        }
        let linkCount = try buffer.readZenohBoundedCount("links")
        for _ in 0..<linkCount {
            entry.links.append(try buffer.readZenohVLE(as: UInt64.self))
        }
        if options & 0x08 != 0 {
            var weights: [UInt16] = []
            for _ in 0..<linkCount {
                weights.append(try buffer.readZenohVLE(as: UInt16.self))
            }
            entry.weights = weights
        }
        return entry
    }

    /// The encoded list, ready to be an OAM ZBuf body.
    public func encoded() -> ByteBuffer {
        var buffer = ByteBuffer()
        buffer.writeZenohVLE(UInt64(self.entries.count))
        for entry in self.entries {
            buffer.writeZenohVLE(entry.options)
            buffer.writeZenohVLE(entry.psid)
            buffer.writeZenohVLE(entry.sn)
            if entry.options & 0x01 != 0, let zid = entry.zid { buffer.writeZenohLengthPrefixedId(zid) }
            if entry.options & 0x02 != 0, let whatAmI = entry.whatAmI { buffer.writeInteger(whatAmI.bit) }
            if entry.options & 0x04 != 0, let locators = entry.locators {
                buffer.writeZenohVLE(UInt64(locators.count))
                for locator in locators { buffer.writeZenohString(locator) }
            }
            buffer.writeZenohVLE(UInt64(entry.links.count))
            for link in entry.links { buffer.writeZenohVLE(link) }
            if entry.options & 0x08 != 0, let weights = entry.weights {
                for weight in weights { buffer.writeZenohVLE(weight) }
            }
        }
        return buffer
    }
}

extension ByteBuffer {
    /// Reads a VLE element count, bounded by the readable bytes (every element takes >= 1 byte).
    mutating func readZenohBoundedCount(_ what: String) throws(ZenohDecodingError) -> Int {
        let count = try self.readZenohVLE(as: UInt64.self)
        guard count <= UInt64(self.readableBytes) else {
            throw .limit("\(count) \(what) announced, \(self.readableBytes) bytes left")
        }
        return Int(count)
    }
}

extension NetworkMessage.OAM {
    /// The LinkState list, if this is a LINKSTATE OAM with a ZBuf body.
    public func linkStateList() throws(ZenohDecodingError) -> LinkStateList? {
        guard self.oamID == Self.linkStateID, case .zbuf(let body) = self.body else {
            return nil
        }
        return try LinkStateList.decode(body)
    }
}
