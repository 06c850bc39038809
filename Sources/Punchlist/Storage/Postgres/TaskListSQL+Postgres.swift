import Foundation
import Logging
import PostgresNIO

extension TaskListSQL {
    /// Runs the statements until the page is full, numbering the placeholders as PostgreSQL wants.
    func fetch(_ client: PostgresClient, logger: Logger) async throws -> TaskPage {
        var rows: [(task: TaskItem, score: Double)] = []
        for statement in statements where rows.count <= query.limit {
            var bindings = PostgresBindings()
            var sql = ""
            var number = 0
            for character in statement.sql {
                guard character == "?" else {
                    sql.append(character)
                    continue
                }
                number += 1
                sql += "$\(number)"
            }
            for bind in statement.binds {
                switch bind {
                case .text(let text): bindings.append(text)
                case .integer(let value): bindings.append(value)
                case .date(let date): bindings.append(date)
                case .score(let score): bindings.append(score)
                case .texts(let texts): bindings.append(texts)
                case .uuid(let id): bindings.append(id)
                }
            }
            bindings.append(query.limit + 1 - rows.count)
            for try await row in try await client.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger) {
                rows.append((task: try PostgresStore.task(from: row), score: try row.makeRandomAccess()["score"].decode(Double.self)))
            }
        }
        return TaskPage(rows: rows, query: query)
    }
}
