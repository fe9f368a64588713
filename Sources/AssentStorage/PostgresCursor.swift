/// A ``Statement`` on PostgreSQL: the parameters bound so far and, once stepped, the result's rows.
///
/// The statement runs at its first `step()` (all its rows arrive then) and each further step moves to
/// the next row; `reset()` forgets rows and parameters, as an SQLite statement's reset and
/// clear-bindings do.
final class PostgresCursor {
    private let connection: PostgresConnection
    private let sql: String
    private var parameters: [SQLValue] = []
    private var rows: PostgresRows?
    private var row = -1
    /// Rows the statement changed (INSERT, UPDATE, DELETE), once run.
    private(set) var changes = 0

    init(connection: PostgresConnection, sql: String) {
        self.connection = connection
        self.sql = sql
    }

    func reset() {
        parameters.removeAll(keepingCapacity: true)
        rows = nil
        row = -1
    }

    func bind(_ value: SQLValue, at index: Int32) {
        let position = Int(index) - 1
        while parameters.count <= position { parameters.append(.null) }
        parameters[position] = value
    }

    func step() throws -> Bool {
        if rows == nil {
            let result = try connection.query(sql, parameters)
            rows = result
            changes = result.changes
        }
        row += 1
        return row < rows!.count
    }

    var columnCount: Int32 { Int32(rows?.columnCount ?? 0) }

    func isNull(_ column: Int32) -> Bool { rows?.isNull(row, Int(column)) ?? true }

    func integer(_ column: Int32) -> Int64 { rows?.integer(row, Int(column)) ?? 0 }

    func text(_ column: Int32) -> String { rows?.text(row, Int(column)) ?? "" }

    func blob(_ column: Int32) -> [UInt8] { rows?.blob(row, Int(column)) ?? [] }

    func value(_ column: Int32) -> SQLValue {
        guard let rows, !rows.isNull(row, Int(column)) else { return .null }
        switch rows.type(of: Int(column)) {
        case 16, 20, 21, 23: return .integer(rows.integer(row, Int(column)))  // bool, int8, int2, int4
        case 17: return .blob(rows.blob(row, Int(column)))  // bytea
        default: return .text(rows.text(row, Int(column)))
        }
    }
}
