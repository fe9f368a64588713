internal import CLibPQ
internal import Foundation

/// Statements queued on a ``PostgresConnection`` to be sent together, grouped by SQL in the order
/// each SQL was first queued; rows of the same SQL keep their order.
///
/// A plain `INSERT … VALUES (?, …)` queued many times goes to the server as multi-row inserts of up to
/// 64 rows each (in sizes that are powers of two, so few distinct statements are prepared); every
/// other statement is sent once per queued row.
struct PostgresStatementQueue {
    private var groups: [(sql: String, rows: [[SQLValue]])] = []
    private var groupBySQL: [String: Int] = [:]
    /// The number of rows queued.
    private(set) var count = 0
    /// The bytes of the parameters queued, roughly.
    private(set) var bytes = 0

    /// The most rows one multi-row insert carries.
    static let rowsPerInsert = 64

    /// Whether nothing is queued.
    var isEmpty: Bool { count == 0 }

    /// Queues `sql` with `parameters`.
    mutating func append(_ sql: String, _ parameters: [SQLValue]) {
        if let group = groupBySQL[sql] {
            groups[group].rows.append(parameters)
        } else {
            groupBySQL[sql] = groups.count
            groups.append((sql, [parameters]))
        }
        count += 1
        bytes += parameters.reduce(16) { total, value in
            switch value {
            case .null, .integer: total + 8
            case .text(let text): total + text.utf8.count
            case .blob(let blob): total + blob.count
            }
        }
    }

    /// The statements to send, in order: each group's rows, several to a statement where the SQL allows.
    func statements() -> [(sql: String, parameters: [SQLValue])] {
        var statements: [(sql: String, parameters: [SQLValue])] = []
        for (sql, rows) in groups {
            guard rows.count > 1, let (head, tuple) = Self.valuesTuple(of: sql) else {
                statements += rows.map { (sql, $0) }
                continue
            }
            var start = 0
            while start < rows.count {
                var size = Self.rowsPerInsert
                while size > rows.count - start { size /= 2 }
                let part = rows[start..<start + size]
                start += size
                let tuples = Array(repeating: tuple, count: size).joined(separator: ", ")
                statements.append((size == 1 ? sql : head + tuples, part.flatMap { $0 }))
            }
        }
        return statements
    }

    /// For `INSERT … VALUES (?, …, ?)` without an `ON CONFLICT` clause: the SQL up to its tuple, and
    /// the tuple. Nil for any other statement.
    static func valuesTuple(of sql: String) -> (head: String, tuple: String)? {
        guard sql.hasPrefix("INSERT "), !sql.contains("ON CONFLICT"),
            let values = sql.range(of: " VALUES (", options: .backwards)
        else { return nil }
        let tuple = sql[sql.index(before: values.upperBound)...]
        guard tuple.last == ")", tuple.dropFirst().dropLast().allSatisfy({ "?, ".contains($0) }) else { return nil }
        return (String(sql[..<tuple.startIndex]), String(tuple))
    }
}
