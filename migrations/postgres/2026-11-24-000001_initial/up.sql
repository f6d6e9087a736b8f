-- Rustmail initial schema (PostgreSQL). Keep in step with migrations/sqlite/ (same version names,
-- same tables, columns and constraints). Snowflakes are BIGINT; times are UTC TIMESTAMP.

CREATE TABLE ticket_categories (
    id                  BIGSERIAL PRIMARY KEY,
    name                TEXT      NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    -- Lower-cased name, computed by the domain layer: the case-insensitive unique key.
    name_key            TEXT      NOT NULL UNIQUE,
    description         TEXT      NOT NULL DEFAULT '',
    emoji               TEXT,
    discord_category_id BIGINT    NOT NULL,
    position            INTEGER   NOT NULL DEFAULT 0,
    enabled             BOOLEAN   NOT NULL DEFAULT TRUE,
    created_at          TIMESTAMP NOT NULL
);

-- Single-row table: the category prompt settings.
CREATE TABLE category_prompt (
    id              INTEGER PRIMARY KEY CHECK (id = 1),
    enabled         BOOLEAN NOT NULL DEFAULT FALSE,
    timeout_seconds INTEGER NOT NULL DEFAULT 300 CHECK (timeout_seconds BETWEEN 10 AND 86400),
    updated_at      TIMESTAMP NOT NULL
);
INSERT INTO category_prompt (id, enabled, timeout_seconds, updated_at) VALUES (1, FALSE, 300, CURRENT_TIMESTAMP);

CREATE TABLE tickets (
    id                   BIGSERIAL PRIMARY KEY,
    user_id              BIGINT    NOT NULL,
    user_name            TEXT      NOT NULL DEFAULT '',
    guild_id             BIGINT    NOT NULL,
    channel_id           BIGINT    UNIQUE,
    category_id          BIGINT    REFERENCES ticket_categories (id) ON DELETE SET NULL,
    status               TEXT      NOT NULL CHECK (status IN ('open', 'closed')),
    opened_at            TIMESTAMP NOT NULL,
    opened_via           TEXT      NOT NULL CHECK (opened_via IN ('user_dm', 'staff_command', 'channel_created')),
    opened_by            BIGINT    NOT NULL,
    closed_at            TIMESTAMP,
    closed_by            BIGINT,
    close_kind           TEXT      CHECK (close_kind IN ('staff', 'scheduled', 'silent', 'user_left', 'force', 'channel_deleted', 'operator', 'inactivity')),
    close_reason         TEXT,
    assigned_to          BIGINT,
    label                TEXT      CHECK (label IS NULL OR length(label) BETWEEN 1 AND 60),
    next_message_number  INTEGER   NOT NULL DEFAULT 1 CHECK (next_message_number >= 1),
    last_activity_at     TIMESTAMP NOT NULL,
    first_staff_reply_at TIMESTAMP,
    CHECK ((status = 'open' AND closed_at IS NULL AND close_kind IS NULL)
        OR (status = 'closed' AND closed_at IS NOT NULL AND close_kind IS NOT NULL))
);
-- The last line of defence against duplicate tickets: one open ticket per user.
CREATE UNIQUE INDEX tickets_one_open_per_user ON tickets (user_id) WHERE status = 'open';
CREATE INDEX tickets_status_activity ON tickets (status, last_activity_at);
CREATE INDEX tickets_user_opened ON tickets (user_id, opened_at);
CREATE INDEX tickets_assigned ON tickets (assigned_to) WHERE assigned_to IS NOT NULL;

CREATE TABLE messages (
    id               BIGSERIAL PRIMARY KEY,
    ticket_id        BIGINT    NOT NULL REFERENCES tickets (id),
    direction        TEXT      NOT NULL CHECK (direction IN ('user_to_staff', 'staff_to_user', 'internal', 'system')),
    author_id        BIGINT    NOT NULL,
    author_name      TEXT      NOT NULL,
    author_role      TEXT,
    anonymous        BOOLEAN   NOT NULL DEFAULT FALSE,
    content          TEXT      NOT NULL,
    -- Staff replies get the ticket's next number ("#7 · /edit 7").
    number           INTEGER   CHECK (number IS NULL OR number >= 1),
    -- Idempotency keys: the Discord message that caused this record (a user's DM, a staff
    -- command message or interaction), and the copies the bot posted.
    source_message_id BIGINT   UNIQUE,
    dm_message_id    BIGINT    UNIQUE,
    inbox_message_id BIGINT    UNIQUE,
    relay_state      TEXT      NOT NULL CHECK (relay_state IN ('pending', 'delivered', 'failed', 'not_relayed')),
    relay_attempts   INTEGER   NOT NULL DEFAULT 0,
    relay_error      TEXT,
    next_attempt_at  TIMESTAMP,
    created_at       TIMESTAMP NOT NULL,
    edited_at        TIMESTAMP,
    deleted_at       TIMESTAMP,
    deleted_by       BIGINT,
    UNIQUE (ticket_id, number),
    CHECK (anonymous = FALSE OR direction = 'staff_to_user')
);
CREATE INDEX messages_ticket ON messages (ticket_id, id);
CREATE INDEX messages_relay_open ON messages (ticket_id, id) WHERE relay_state = 'pending';

-- Extra Discord copies of one record (long text split in parts); part 0 is on the message row.
CREATE TABLE message_parts (
    id                 BIGSERIAL PRIMARY KEY,
    message_id         BIGINT  NOT NULL REFERENCES messages (id),
    side               TEXT    NOT NULL CHECK (side IN ('dm', 'inbox')),
    part               INTEGER NOT NULL CHECK (part >= 1),
    discord_message_id BIGINT  NOT NULL UNIQUE,
    UNIQUE (message_id, side, part)
);

CREATE TABLE message_revisions (
    id               BIGSERIAL PRIMARY KEY,
    message_id       BIGINT    NOT NULL REFERENCES messages (id),
    previous_content TEXT      NOT NULL,
    edited_by        BIGINT    NOT NULL,
    edited_at        TIMESTAMP NOT NULL
);
CREATE INDEX message_revisions_message ON message_revisions (message_id, id);

CREATE TABLE attachments (
    id                    BIGSERIAL PRIMARY KEY,
    message_id            BIGINT    NOT NULL REFERENCES messages (id),
    discord_attachment_id BIGINT,
    filename              TEXT      NOT NULL,
    content_type          TEXT,
    size_bytes            BIGINT    NOT NULL CHECK (size_bytes >= 0),
    url                   TEXT      NOT NULL,
    -- The bytes, kept so transcripts survive Discord's expiring CDN links (NULL above the cap).
    data                  BYTEA,
    sha256                TEXT,
    created_at            TIMESTAMP NOT NULL
);
CREATE INDEX attachments_message ON attachments (message_id);

-- The activity log of a ticket: opened, assigned, staff added, moved, close scheduled, ...
CREATE TABLE ticket_events (
    id         BIGSERIAL PRIMARY KEY,
    ticket_id  BIGINT    NOT NULL REFERENCES tickets (id),
    kind       TEXT      NOT NULL,
    actor_id   BIGINT,
    detail     TEXT      NOT NULL DEFAULT '',
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX ticket_events_ticket ON ticket_events (ticket_id, id);

CREATE TABLE ticket_staff_access (
    id         BIGSERIAL PRIMARY KEY,
    ticket_id  BIGINT    NOT NULL REFERENCES tickets (id),
    staff_id   BIGINT    NOT NULL,
    added_by   BIGINT    NOT NULL,
    added_at   TIMESTAMP NOT NULL,
    removed_at TIMESTAMP,
    removed_by BIGINT
);
CREATE UNIQUE INDEX ticket_staff_access_active ON ticket_staff_access (ticket_id, staff_id) WHERE removed_at IS NULL;

CREATE TABLE alerts (
    id           BIGSERIAL PRIMARY KEY,
    ticket_id    BIGINT    NOT NULL REFERENCES tickets (id),
    staff_id     BIGINT    NOT NULL,
    created_at   TIMESTAMP NOT NULL,
    fired_at     TIMESTAMP,
    cancelled_at TIMESTAMP
);
CREATE UNIQUE INDEX alerts_active ON alerts (ticket_id, staff_id) WHERE fired_at IS NULL AND cancelled_at IS NULL;

CREATE TABLE scheduled_jobs (
    id               BIGSERIAL PRIMARY KEY,
    kind             TEXT      NOT NULL CHECK (kind IN ('close', 'inactivity_close', 'reminder', 'category_timeout', 'side_effect')),
    ticket_id        BIGINT    REFERENCES tickets (id),
    payload          TEXT      NOT NULL DEFAULT '{}',
    due_at           TIMESTAMP NOT NULL,
    created_at       TIMESTAMP NOT NULL,
    created_by       BIGINT,
    cancelled_at     TIMESTAMP,
    cancelled_by     BIGINT,
    done_at          TIMESTAMP,
    claimed_by       TEXT,
    lease_expires_at TIMESTAMP,
    attempts         INTEGER   NOT NULL DEFAULT 0,
    last_error       TEXT,
    -- Optional dedupe key for side effects ("welcome:42"): the same effect is never queued twice.
    idempotency_key  TEXT      UNIQUE
);
CREATE INDEX scheduled_jobs_due ON scheduled_jobs (due_at) WHERE done_at IS NULL AND cancelled_at IS NULL;
-- Re-scheduling replaces: at most one live close (and one inactivity close) per ticket.
CREATE UNIQUE INDEX scheduled_jobs_one_close ON scheduled_jobs (ticket_id, kind)
    WHERE done_at IS NULL AND cancelled_at IS NULL AND kind IN ('close', 'inactivity_close', 'category_timeout');

CREATE TABLE reminders (
    id           BIGSERIAL PRIMARY KEY,
    ticket_id    BIGINT    NOT NULL REFERENCES tickets (id),
    staff_id     BIGINT    NOT NULL,
    channel_id   BIGINT    NOT NULL,
    content      TEXT      NOT NULL,
    due_at       TIMESTAMP NOT NULL,
    job_id       BIGINT    REFERENCES scheduled_jobs (id),
    created_at   TIMESTAMP NOT NULL,
    fired_at     TIMESTAMP,
    cancelled_at TIMESTAMP
);
CREATE INDEX reminders_ticket ON reminders (ticket_id);

CREATE TABLE category_selections (
    ticket_id          BIGINT    PRIMARY KEY REFERENCES tickets (id),
    prompt_message_id  BIGINT,
    created_at         TIMESTAMP NOT NULL,
    expires_at         TIMESTAMP NOT NULL,
    resolved_at        TIMESTAMP,
    chosen_category_id BIGINT    REFERENCES ticket_categories (id) ON DELETE SET NULL
);

CREATE TABLE operator_actions (
    id               BIGSERIAL PRIMARY KEY,
    kind             TEXT      NOT NULL CHECK (kind IN ('close', 'force_close', 'cancel_close', 'move', 'message', 'recover')),
    ticket_id        BIGINT    REFERENCES tickets (id),
    payload          TEXT      NOT NULL DEFAULT '{}',
    requested_at     TIMESTAMP NOT NULL,
    requested_by     TEXT      NOT NULL,
    claimed_by       TEXT,
    claimed_at       TIMESTAMP,
    lease_expires_at TIMESTAMP,
    completed_at     TIMESTAMP,
    outcome          TEXT      CHECK (outcome IN ('ok', 'error')),
    result           TEXT,
    CHECK ((completed_at IS NULL AND outcome IS NULL) OR (completed_at IS NOT NULL AND outcome IS NOT NULL))
);
CREATE INDEX operator_actions_open ON operator_actions (id) WHERE completed_at IS NULL;

CREATE TABLE bot_instances (
    id                TEXT      PRIMARY KEY,
    hostname          TEXT      NOT NULL,
    pid               INTEGER   NOT NULL,
    version           TEXT      NOT NULL,
    started_at        TIMESTAMP NOT NULL,
    last_heartbeat_at TIMESTAMP NOT NULL,
    stopped_at        TIMESTAMP
);

CREATE TABLE dm_channels (
    user_id              BIGINT    PRIMARY KEY,
    channel_id           BIGINT    NOT NULL UNIQUE,
    last_seen_message_id BIGINT,
    updated_at           TIMESTAMP NOT NULL
);

CREATE TABLE blocked_users (
    id           BIGSERIAL PRIMARY KEY,
    user_id      BIGINT    NOT NULL,
    reason       TEXT      NOT NULL DEFAULT '',
    blocked_by   BIGINT    NOT NULL,
    blocked_at   TIMESTAMP NOT NULL,
    expires_at   TIMESTAMP,
    unblocked_at TIMESTAMP,
    unblocked_by BIGINT
);
CREATE UNIQUE INDEX blocked_users_active ON blocked_users (user_id) WHERE unblocked_at IS NULL;

CREATE TABLE snippets (
    id         BIGSERIAL PRIMARY KEY,
    name       TEXT      NOT NULL CHECK (length(name) BETWEEN 1 AND 50),
    name_key   TEXT      NOT NULL UNIQUE,
    content    TEXT      NOT NULL CHECK (length(content) BETWEEN 1 AND 4000),
    created_by BIGINT    NOT NULL,
    created_at TIMESTAMP NOT NULL,
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE user_notes (
    id          BIGSERIAL PRIMARY KEY,
    user_id     BIGINT    NOT NULL,
    content     TEXT      NOT NULL CHECK (length(content) BETWEEN 1 AND 1000),
    author_id   BIGINT    NOT NULL,
    author_name TEXT      NOT NULL,
    created_at  TIMESTAMP NOT NULL,
    deleted_at  TIMESTAMP
);
CREATE INDEX user_notes_user ON user_notes (user_id, id);
