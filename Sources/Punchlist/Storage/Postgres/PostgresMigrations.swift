/// The PostgreSQL schema, one entry per version; later issues append, never edit.
/// Version 3 is taken by a step written in Swift (``PostgresSearch/refoldAll(_:logger:)``): the next one here is 4.
enum PostgresMigrations {
    static let all: [(version: String, sql: String)] = [
        (
            "1-accounts-tasks-events",
            """
            CREATE TABLE meta (key text PRIMARY KEY, value text NOT NULL);

            CREATE TABLE users (
                id uuid PRIMARY KEY,
                email text UNIQUE,
                name text NOT NULL DEFAULT '',
                password_hash text,
                external_issuer text,
                external_subject text,
                last_event_id bigint NOT NULL DEFAULT 0,
                created_at timestamptz NOT NULL,
                updated_at timestamptz NOT NULL,
                UNIQUE (external_issuer, external_subject)
            );

            CREATE TABLE sessions (
                id uuid PRIMARY KEY,
                user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                created_at timestamptz NOT NULL,
                expires_at timestamptz NOT NULL,
                revoked_at timestamptz
            );
            CREATE INDEX sessions_by_user ON sessions(user_id);

            CREATE TABLE tasks (
                id uuid PRIMARY KEY,
                user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                title text NOT NULL,
                title_key text COLLATE "C" NOT NULL,
                description text NOT NULL DEFAULT '',
                completed boolean NOT NULL DEFAULT false,
                priority smallint NOT NULL DEFAULT 0,
                tags text[] NOT NULL DEFAULT '{}',
                due_at timestamptz,
                recurrence text,
                anchor_day smallint,
                created_at timestamptz NOT NULL,
                updated_at timestamptz NOT NULL,
                completed_at timestamptz,
                version integer NOT NULL DEFAULT 1,
                search tsvector NOT NULL
            );
            CREATE INDEX tasks_by_created ON tasks(user_id, created_at, id);
            CREATE INDEX tasks_by_updated ON tasks(user_id, updated_at, id);
            CREATE INDEX tasks_by_due ON tasks(user_id, due_at, id);
            CREATE INDEX tasks_by_priority ON tasks(user_id, priority, id);
            CREATE INDEX tasks_by_title ON tasks(user_id, title_key, id);
            CREATE INDEX tasks_open_by_due ON tasks(user_id, completed, due_at);
            -- Undated tasks come last when sorting by due date, in id order.
            CREATE INDEX tasks_undated ON tasks(user_id, id) WHERE due_at IS NULL;
            CREATE INDEX tasks_by_tags ON tasks USING gin (tags);
            CREATE INDEX tasks_by_words ON tasks USING gin (search);

            -- The outbox: every change's event, written in the change's transaction.
            CREATE TABLE events (
                user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                id bigint NOT NULL,
                type text NOT NULL,
                task_id uuid NOT NULL,
                task text,
                at timestamptz NOT NULL,
                PRIMARY KEY (user_id, id)
            );
            CREATE INDEX events_by_time ON events(at);
            """
        ),
        (
            "2-assistant",
            """
            CREATE TABLE conversations (
                id uuid PRIMARY KEY,
                user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                title text NOT NULL,
                created_at timestamptz NOT NULL,
                updated_at timestamptz NOT NULL
            );
            CREATE INDEX conversations_by_user ON conversations(user_id, updated_at);

            CREATE TABLE messages (
                conversation_id uuid NOT NULL REFERENCES conversations(id) ON DELETE CASCADE,
                position integer NOT NULL,
                role text NOT NULL,
                content text NOT NULL,
                actions text NOT NULL DEFAULT '[]',
                sources uuid[] NOT NULL DEFAULT '{}',
                created_at timestamptz NOT NULL,
                PRIMARY KEY (conversation_id, position)
            );

            -- One vector per task, for the embedding model that computed it, at the task's version.
            CREATE TABLE task_embeddings (
                task_id uuid PRIMARY KEY REFERENCES tasks(id) ON DELETE CASCADE,
                user_id uuid NOT NULL,
                model text NOT NULL,
                version integer NOT NULL,
                vector bytea NOT NULL
            );
            CREATE INDEX task_embeddings_by_user ON task_embeddings(user_id, model);
            """
        ),
        (
            "3-idempotency-keys",
            """
            -- The creates sent with an Idempotency-Key, and their answers, for a day (IdempotencyKey.swift).
            CREATE TABLE idempotency_keys (
                user_id uuid NOT NULL REFERENCES users(id) ON DELETE CASCADE,
                key text NOT NULL,
                fingerprint text NOT NULL,
                task_id uuid NOT NULL,
                response text NOT NULL,
                created_at timestamptz NOT NULL,
                PRIMARY KEY (user_id, key)
            );
            """
        ),
    ]
}
