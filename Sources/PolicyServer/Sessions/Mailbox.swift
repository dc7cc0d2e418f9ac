/// A one-slot, newest-wins mailbox: a deposit over a full slot replaces it and counts as superseded.
///
/// No observation queue exists anywhere: overload lengthens cycles, it never builds a backlog.
public struct Mailbox<Item: Sendable>: Sendable {
    public private(set) var item: Item?
    /// Deposits that replaced an untaken item, over the mailbox's life.
    public private(set) var supersededTotal: Int = 0
    /// Deposits that replaced an untaken item since the last ``takeForReply()``.
    public private(set) var supersededSinceReply: Int = 0

    public init() {}

    /// Puts `item` in the slot; returns true when it replaced one that was never taken.
    @discardableResult
    public mutating func deposit(_ item: Item) -> Bool {
        let superseded = self.item != nil
        if superseded {
            supersededTotal += 1
            supersededSinceReply += 1
        }
        self.item = item
        return superseded
    }

    public var isFull: Bool { item != nil }

    /// Empties the slot; returns its item and the superseded count since the previous take (then reset).
    public mutating func takeForReply() -> (item: Item, superseded: Int)? {
        guard let item else { return nil }
        self.item = nil
        let superseded = supersededSinceReply
        supersededSinceReply = 0
        return (item, superseded)
    }
}
