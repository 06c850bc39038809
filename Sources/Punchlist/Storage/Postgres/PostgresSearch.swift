import Foundation
import Logging
import PostgresNIO

/// Full-text search on PostgreSQL, as SQLite's: its `simple` configuration keeps diacritics, and the
/// `unaccent` extension is not on every server (nor may every role create it), so Punchlist folds the
/// text itself. The documents it indexes and the words it looks for both lose their diacritics, and
/// `cafe` finds "Café" as it does on SQLite, whose FTS5 tokenizer folds them (DECISIONS.md, 22).
enum PostgresSearch {
    /// `text` without diacritics ("Crème brûlée" → "Creme brulee"); plain ASCII is returned as it is.
    static func folded(_ text: String) -> String {
        text.utf8.allSatisfy { $0 < 0x80 } ? text : text.folding(options: .diacriticInsensitive, locale: nil)
    }

    /// The tags as one folded text, the B part of a task's document.
    static func foldedTags(_ tags: [String]) -> String { folded(tags.joined(separator: " ")) }

    /// The weighted document of a task from three folded text binds: title weighs most, then tags, then description.
    static func document(title: String, tags: String, description: String) -> String {
        "setweight(to_tsvector('simple', \(title)::text), 'A') || setweight(to_tsvector('simple', \(tags)::text), 'B')"
            + " || setweight(to_tsvector('simple', \(description)::text), 'C')"
    }

    /// The schema_migrations entry of ``refoldAll(_:logger:)``.
    static let refoldedVersion = "3-folded-search"

    /// Makes the documents of tasks written before folding again, a thousand at a time. Runs once,
    /// from `migrate`, under its lock; the tasks themselves, their versions and events are untouched.
    static func refoldAll(_ connection: PostgresConnection, logger: Logger) async throws {
        var after = UUID(uuid: (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0))
        while true {
            var ids: [UUID] = [], titles: [String] = [], tags: [String] = [], descriptions: [String] = []
            let rows = try await connection.allRows(
                "SELECT id, title, tags, description FROM tasks WHERE id > \(after) ORDER BY id LIMIT 1000", logger: logger)
            for row in rows.rows {
                let (id, title, taskTags, description) = try row.decode((UUID, String, [String], String).self)
                ids.append(id)
                titles.append(folded(title))
                tags.append(foldedTags(taskTags))
                descriptions.append(folded(description))
            }
            guard let last = ids.last else { return }
            try await connection.allRows(
                """
                UPDATE tasks SET search = \(unescaped: document(title: "f.title", tags: "f.tags", description: "f.description"))
                FROM unnest(\(ids)::uuid[], \(titles)::text[], \(tags)::text[], \(descriptions)::text[]) AS f(id, title, tags, description)
                WHERE tasks.id = f.id
                """, logger: logger)
            after = last
        }
    }
}
