import GRDB

/// The SQLite schema, one registered migration per version; later issues append, never edit.
enum SQLiteMigrations {
    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("1-accounts-tasks-events") { db in
            try db.execute(sql: """
                CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);

                CREATE TABLE users (
                    id TEXT PRIMARY KEY,
                    email TEXT UNIQUE,
                    name TEXT NOT NULL DEFAULT '',
                    password_hash TEXT,
                    external_issuer TEXT,
                    external_subject TEXT,
                    last_event_id INTEGER NOT NULL DEFAULT 0,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL,
                    UNIQUE (external_issuer, external_subject)
                );

                CREATE TABLE sessions (
                    id TEXT PRIMARY KEY,
                    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                    created_at INTEGER NOT NULL,
                    expires_at INTEGER NOT NULL,
                    revoked_at INTEGER
                );
                CREATE INDEX sessions_by_user ON sessions(user_id);

                -- seq is the rowid that the full-text index points at; id is the public UUID.
                CREATE TABLE tasks (
                    seq INTEGER PRIMARY KEY,
                    id TEXT NOT NULL UNIQUE,
                    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                    title TEXT NOT NULL,
                    title_key TEXT NOT NULL,
                    description TEXT NOT NULL DEFAULT '',
                    completed INTEGER NOT NULL DEFAULT 0,
                    priority INTEGER NOT NULL DEFAULT 0,
                    tags TEXT NOT NULL DEFAULT '[]',
                    due_at INTEGER,
                    recurrence TEXT,
                    anchor_day INTEGER,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL,
                    completed_at INTEGER,
                    version INTEGER NOT NULL DEFAULT 1
                );
                CREATE INDEX tasks_by_created ON tasks(user_id, created_at, id);
                CREATE INDEX tasks_by_updated ON tasks(user_id, updated_at, id);
                CREATE INDEX tasks_by_due ON tasks(user_id, due_at, id);
                CREATE INDEX tasks_by_priority ON tasks(user_id, priority, id);
                CREATE INDEX tasks_by_title ON tasks(user_id, title_key, id);
                CREATE INDEX tasks_open_by_due ON tasks(user_id, completed, due_at);
                -- Undated tasks come last when sorting by due date, in id order.
                CREATE INDEX tasks_undated ON tasks(user_id, id) WHERE due_at IS NULL;

                CREATE TABLE task_tags (
                    user_id TEXT NOT NULL,
                    tag TEXT NOT NULL,
                    task_id TEXT NOT NULL REFERENCES tasks(id) ON DELETE CASCADE,
                    PRIMARY KEY (user_id, tag, task_id)
                ) WITHOUT ROWID;
                CREATE INDEX task_tags_by_task ON task_tags(task_id);

                CREATE VIRTUAL TABLE tasks_search USING fts5(
                    title, description, tags, content='tasks', content_rowid='seq',
                    tokenize='unicode61 remove_diacritics 2', prefix='2 3'
                );
                CREATE TRIGGER tasks_search_insert AFTER INSERT ON tasks BEGIN
                    INSERT INTO tasks_search(rowid, title, description, tags) VALUES (new.seq, new.title, new.description, new.tags);
                END;
                CREATE TRIGGER tasks_search_delete AFTER DELETE ON tasks BEGIN
                    INSERT INTO tasks_search(tasks_search, rowid, title, description, tags)
                    VALUES ('delete', old.seq, old.title, old.description, old.tags);
                END;
                CREATE TRIGGER tasks_search_update AFTER UPDATE OF title, description, tags ON tasks BEGIN
                    INSERT INTO tasks_search(tasks_search, rowid, title, description, tags)
                    VALUES ('delete', old.seq, old.title, old.description, old.tags);
                    INSERT INTO tasks_search(rowid, title, description, tags) VALUES (new.seq, new.title, new.description, new.tags);
                END;

                -- The outbox: every change's event, written in the change's transaction.
                CREATE TABLE events (
                    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                    id INTEGER NOT NULL,
                    type TEXT NOT NULL,
                    task_id TEXT NOT NULL,
                    task TEXT,
                    at INTEGER NOT NULL,
                    PRIMARY KEY (user_id, id)
                ) WITHOUT ROWID;
                CREATE INDEX events_by_time ON events(at);
                """)
        }
        migrator.registerMigration("2-assistant") { db in
            try db.execute(sql: """
                CREATE TABLE conversations (
                    id TEXT PRIMARY KEY,
                    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                    title TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    updated_at INTEGER NOT NULL
                );
                CREATE INDEX conversations_by_user ON conversations(user_id, updated_at);

                CREATE TABLE messages (
                    conversation_id TEXT NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
                    position INTEGER NOT NULL,
                    role TEXT NOT NULL,
                    content TEXT NOT NULL,
                    actions TEXT NOT NULL DEFAULT '[]',
                    sources TEXT NOT NULL DEFAULT '[]',
                    created_at INTEGER NOT NULL,
                    PRIMARY KEY (conversation_id, position)
                ) WITHOUT ROWID;

                -- One vector per task, for the embedding model that computed it, at the task's version.
                CREATE TABLE task_embeddings (
                    task_id TEXT PRIMARY KEY REFERENCES tasks(id) ON DELETE CASCADE,
                    user_id TEXT NOT NULL,
                    model TEXT NOT NULL,
                    version INTEGER NOT NULL,
                    vector BLOB NOT NULL
                );
                CREATE INDEX task_embeddings_by_user ON task_embeddings(user_id, model);
                """)
        }
        migrator.registerMigration("3-idempotency-keys") { db in
            try db.execute(sql: """
                -- The creates sent with an Idempotency-Key, and their answers, for a day (IdempotencyKey.swift).
                CREATE TABLE idempotency_keys (
                    user_id TEXT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                    key TEXT NOT NULL,
                    fingerprint TEXT NOT NULL,
                    task_id TEXT NOT NULL,
                    response TEXT NOT NULL,
                    created_at INTEGER NOT NULL,
                    PRIMARY KEY (user_id, key)
                ) WITHOUT ROWID;
                """)
        }
        return migrator
    }
}
