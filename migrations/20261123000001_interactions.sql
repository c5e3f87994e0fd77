-- Messages, comments, automations and reports, as the PRD's "Estrutura de Dados PostgreSQL".
-- instance_id is the hex ObjectId of the MongoDB instance document; user_id is the owner's.

CREATE TABLE instagram_messages (
    id           uuid PRIMARY KEY,
    instance_id  text NOT NULL,
    user_id      text NOT NULL,
    sender_id    text NOT NULL,
    recipient_id text NOT NULL,
    message_id   text NOT NULL,
    text         text,
    "timestamp"  timestamptz NOT NULL,
    replied      boolean NOT NULL DEFAULT false,
    reply_text   text,
    raw_data     jsonb NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    updated_at   timestamptz NOT NULL DEFAULT now(),
    -- Meta re-delivers webhooks: the same message stored twice must be impossible.
    CONSTRAINT instagram_messages_instance_message_key UNIQUE (instance_id, message_id)
);
CREATE INDEX instagram_messages_instance_time_idx ON instagram_messages (instance_id, "timestamp" DESC);

CREATE TABLE instagram_comments (
    id            uuid PRIMARY KEY,
    instance_id   text NOT NULL,
    user_id       text NOT NULL,
    comment_id    text NOT NULL,
    post_id       text,
    media_id      text,
    from_user_id  text NOT NULL,
    from_username text,
    text          text,
    "timestamp"   timestamptz NOT NULL,
    replied       boolean NOT NULL DEFAULT false,
    reply_text    text,
    raw_data      jsonb NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT instagram_comments_instance_comment_key UNIQUE (instance_id, comment_id)
);
CREATE INDEX instagram_comments_instance_time_idx ON instagram_comments (instance_id, "timestamp" DESC);

CREATE TABLE instagram_automations (
    id            uuid PRIMARY KEY,
    user_id       text NOT NULL,
    instance_id   text NOT NULL,
    name          text NOT NULL CHECK (char_length(btrim(name)) BETWEEN 1 AND 100),
    type          text NOT NULL CHECK (type IN ('dm', 'comment')),
    trigger_type  text NOT NULL CHECK (trigger_type IN ('keyword', 'all')),
    keywords      text[] NOT NULL DEFAULT '{}',
    response_text text NOT NULL CHECK (char_length(response_text) BETWEEN 1 AND 1000),
    response_type text NOT NULL CHECK (response_type IN ('direct', 'comment')),
    is_active     boolean NOT NULL DEFAULT true,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT instagram_automations_keywords_present
        CHECK (trigger_type = 'all' OR cardinality(keywords) > 0),
    -- A DM can only be answered by DM; a public reply exists only for comments.
    CONSTRAINT instagram_automations_response_fits_type
        CHECK (type = 'comment' OR response_type = 'direct')
);
CREATE INDEX instagram_automations_instance_active_idx
    ON instagram_automations (instance_id, type) WHERE is_active;
CREATE INDEX instagram_automations_user_idx ON instagram_automations (user_id);

CREATE TABLE instagram_reports (
    id                uuid PRIMARY KEY,
    instance_id       text NOT NULL,
    user_id           text NOT NULL,
    automation_id     uuid REFERENCES instagram_automations (id) ON DELETE SET NULL,
    interaction_type  text NOT NULL CHECK (interaction_type IN ('dm', 'comment')),
    comment_id        text,
    user_id_instagram text NOT NULL,
    media_id          text,
    username          text,
    interaction_text  text,
    response_text     text,
    status            text NOT NULL CHECK (status IN ('sent', 'failed', 'pending', 'skipped')),
    error             text,
    "timestamp"       timestamptz NOT NULL,
    created_at        timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT instagram_reports_comment_fields
        CHECK (interaction_type = 'comment' OR (comment_id IS NULL AND media_id IS NULL))
);
-- Report filters: owner or instance, then type, status, username; always ordered by time for
-- keyset pagination on ("timestamp", id).
CREATE INDEX instagram_reports_user_time_idx ON instagram_reports (user_id, "timestamp" DESC, id DESC);
CREATE INDEX instagram_reports_instance_time_idx ON instagram_reports (instance_id, "timestamp" DESC, id DESC);
CREATE INDEX instagram_reports_type_time_idx ON instagram_reports (user_id, interaction_type, "timestamp" DESC, id DESC);
CREATE INDEX instagram_reports_status_time_idx ON instagram_reports (user_id, status, "timestamp" DESC, id DESC);
CREATE INDEX instagram_reports_username_idx ON instagram_reports (lower(username), "timestamp" DESC);
