/// A 2-D block of actions `[rows, columns]`, row-major `Float`s: a chunk or what is left of one.
public struct ActionRows: Sendable, Hashable {
    public private(set) var values: [Float]
    public let columns: Int
    public let count: Int

    /// `values.count` must equal `rows × columns`.
    public init(values: [Float], columns: Int) {
        precondition(columns > 0 ? values.count % columns == 0 : values.isEmpty, "ragged action rows")
        self.values = values
        self.columns = columns
        self.count = columns > 0 ? values.count / columns : 0
    }

    public init(rows: [[Float]]) {
        let width = rows.first?.count ?? 0
        self.init(values: rows.flatMap { $0 }, columns: width)
    }

    /// An empty `[0, columns]` block.
    public static func empty(columns: Int) -> ActionRows { ActionRows(values: [], columns: columns) }

    public subscript(row: Int) -> ArraySlice<Float> {
        values[row * columns..<(row + 1) * columns]
    }

    /// All rows from `start` on (clamped).
    public func dropping(first start: Int) -> ActionRows {
        let k = min(max(0, start), count)
        return ActionRows(values: Array(values[(k * columns)...]), columns: columns)
    }

    /// The first `n` rows (clamped).
    public func prefix(_ n: Int) -> ActionRows {
        let k = min(max(0, n), count)
        return ActionRows(values: Array(values[..<(k * columns)]), columns: columns)
    }

    /// These rows followed by `other`'s.
    public func appending(_ other: ActionRows) -> ActionRows {
        ActionRows(values: values + other.values, columns: columns)
    }

    /// Rows as arrays (for tests and display).
    public var rows: [[Float]] { (0..<count).map { Array(self[$0]) } }
}
