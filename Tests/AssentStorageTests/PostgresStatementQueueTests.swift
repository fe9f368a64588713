import Foundation
import Testing

@testable import AssentStorage

/// Queued statements are grouped by SQL, keep their order within a group and become multi-row inserts
/// where the SQL is a plain `INSERT … VALUES`.
struct PostgresStatementQueueTests {
    let insert = "INSERT INTO t (a, b) VALUES (?, ?)"
    let upsert = "INSERT INTO u (id, n) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET n = excluded.n"

    @Test func onlyPlainInsertsHaveATupleToRepeat() {
        #expect(PostgresStatementQueue.valuesTuple(of: insert)! == ("INSERT INTO t (a, b) VALUES ", "(?, ?)"))
        #expect(PostgresStatementQueue.valuesTuple(of: upsert) == nil)
        #expect(PostgresStatementQueue.valuesTuple(of: "INSERT INTO t (a) VALUES (?, now())") == nil)
        #expect(PostgresStatementQueue.valuesTuple(of: "DELETE FROM t WHERE a = ?") == nil)
    }

    @Test func repeatedInsertsBecomeMultiRowInsertsInPowersOfTwoAndKeepTheirOrder() {
        var queue = PostgresStatementQueue()
        for row in 0..<100 { queue.append(insert, [.integer(Int64(row)), .null]) }
        let statements = queue.statements()
        #expect(statements.map { $0.parameters.count / 2 } == [64, 32, 4])
        #expect(statements[0].sql.hasPrefix("INSERT INTO t (a, b) VALUES (?, ?), (?, ?), "))
        #expect(statements[2].sql.components(separatedBy: "(?, ?)").count == 5)
        let firstColumn = statements.flatMap { $0.parameters }.enumerated().filter { $0.offset % 2 == 0 }.map {
            $0.element
        }
        #expect(firstColumn == (0..<100).map { SQLValue.integer(Int64($0)) })
        #expect(queue.count == 100)
    }

    @Test func groupsGoInTheOrderTheirSQLWasFirstQueuedAndUpsertsOneByOne() {
        var queue = PostgresStatementQueue()
        queue.append(upsert, [.integer(1), .integer(1)])
        queue.append(insert, [.integer(1), .text("a")])
        queue.append(upsert, [.integer(1), .integer(2)])
        queue.append(insert, [.integer(2), .text("b")])
        let statements = queue.statements()
        #expect(statements.map(\.sql) == [upsert, upsert, "INSERT INTO t (a, b) VALUES (?, ?), (?, ?)"])
        #expect(statements[1].parameters == [.integer(1), .integer(2)], "the same SQL keeps its order")
        #expect(statements[2].parameters == [.integer(1), .text("a"), .integer(2), .text("b")])
    }

    @Test func aSingleInsertIsSentAsQueued() {
        var queue = PostgresStatementQueue()
        queue.append(insert, [.integer(7), .blob([1])])
        #expect(queue.statements().map(\.sql) == [insert])
    }
}
