import Foundation
import Logging
import PostgresNIO

extension TaskListSQL {
    /// Runs the statements until the page is full, numbering the placeholders as PostgreSQL wants.
    func fetch(_ client: PostgresClient, prepared: PreparedQueries, logger: Logger) async throws -> TaskPage {
        var rows: [(task: TaskItem, score: Double)] = []
        for statement in statements where rows.count <= query.limit {
            let limit = query.limit + 1 - rows.count
            if statement.sql == FirstTaskPage.template {
                // The default order is not relevance, so the rows carry no score.
                for row in try await prepared.rows(FirstTaskPage.self, [PostgresData(uuid: userID), PostgresData(int: limit)], on: client) {
                    rows.append(try Self.taskAndScore(from: row, userID: userID, scored: false, binaryResults: true))
                }
            } else {
                var (sql, bindings) = statement.postgresQuery
                bindings.append(limit)
                let result = try await client.allRows(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger)
                for row in result { rows.append(try Self.taskAndScore(from: row, userID: userID, scored: readsScore)) }
            }
        }
        return TaskPage(rows: rows, query: query)
    }

    /// A task of `userID` and, when the statement selects one after the task's columns
    /// (``readsScore``), its search score; 0 otherwise. `binaryResults`: see ``TaskCells``.
    static func taskAndScore(from row: PostgresRow, userID: UUID, scored: Bool, binaryResults: Bool = false) throws -> (task: TaskItem, score: Double) {
        var cells = TaskCells(row.makeIterator(), binaryResults: binaryResults)
        return (task: try cells.task(userID: userID), score: scored ? try cells.double() : 0)
    }
}

extension PostgresStore {
    /// The plan PostgreSQL would use for a list statement (for tests and docs).
    func explain(_ statement: TaskListSQL.Statement, limit: Int, on connection: PostgresConnection) async throws -> String {
        var (sql, bindings) = statement.postgresQuery
        bindings.append(limit)
        var lines: [String] = []
        for row in try await connection.allRows(PostgresQuery(unsafeSQL: "EXPLAIN " + sql, binds: bindings), logger: logger) {
            lines.append(try row.decode(String.self))
        }
        return lines.joined(separator: "\n")
    }
}

extension TaskListSQL.Statement {
    /// The statement with `$n` placeholders and its bindings, as PostgreSQL wants them.
    var postgresQuery: (String, PostgresBindings) {
        var bindings = PostgresBindings()
        // Byte by byte: `?` is ASCII, so it is never part of another character's UTF-8. (Walking
        // the text's characters was 2% of the list route's CPU.)
        var sql: [UInt8] = []
        sql.reserveCapacity(self.sql.utf8.count + 2 * binds.count)
        var number = 0
        for byte in self.sql.utf8 {
            guard byte == UInt8(ascii: "?") else {
                sql.append(byte)
                continue
            }
            number += 1
            sql.append(UInt8(ascii: "$"))
            sql.append(contentsOf: String(number).utf8)
        }
        for bind in binds {
            switch bind {
            case .text(let text): bindings.append(text)
            case .integer(let value): bindings.append(value)
            case .date(let date): bindings.append(date)
            case .score(let score): bindings.append(score)
            case .texts(let texts): bindings.append(texts)
            case .uuid(let id): bindings.append(id)
            }
        }
        return (String(decoding: sql, as: UTF8.self), bindings)
    }
}
