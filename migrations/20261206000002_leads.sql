-- Leads for Clerky's CRM (seed 05): per instance an outbound webhook; a person's first DM or
-- comment after it is set becomes a `lead.created` event, each later one a `lead.updated` of the
-- same lead. Events are written by statement-level triggers on what intake stores, in the same
-- transaction, so an acknowledged message that is stored always has its event, and a message
-- stored twice (Meta re-delivers) never has two: (instance_id, source_id) is unique.
CREATE TABLE lead_webhooks (
    instance_id   text PRIMARY KEY,
    user_id       text NOT NULL,
    url           text NOT NULL,
    -- The account's Instagram id: its own comments (public replies coming back) are no lead.
    account_id    text NOT NULL,
    -- The signing secret, sealed as the Instagram tokens are (AES-256-GCM, the instance id bound).
    secret_sealed text NOT NULL,
    updated_at    timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE instagram_leads (
    instance_id text NOT NULL,
    person_id   text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (instance_id, person_id)
);

CREATE TABLE lead_events (
    id              uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    instance_id     text NOT NULL,
    user_id         text NOT NULL,
    person_id       text NOT NULL,
    kind            text NOT NULL,       -- lead.created | lead.updated
    channel         text NOT NULL,       -- dm | comment
    source_id       text NOT NULL,       -- the message's mid or the comment's id
    username        text,
    text            text,
    media_id        text,
    occurred_at     timestamptz NOT NULL,
    status          text NOT NULL DEFAULT 'pending', -- pending | delivered | failed
    attempts        integer NOT NULL DEFAULT 0,
    next_attempt_at timestamptz NOT NULL DEFAULT now(),
    lease_until     timestamptz,
    -- Retried with backoff until then (24 hours; a replay starts another 24).
    give_up_at      timestamptz NOT NULL DEFAULT clock_timestamp() + interval '24 hours',
    last_status     integer,
    last_error      text,
    -- The JSON sent, fixed at the first attempt so every retry carries the same signed bytes.
    body            text,
    created_at      timestamptz NOT NULL DEFAULT clock_timestamp(),
    delivered_at    timestamptz,
    CONSTRAINT lead_events_source_key UNIQUE (instance_id, source_id)
);
CREATE INDEX lead_events_due_idx ON lead_events (next_attempt_at) WHERE status = 'pending';
CREATE INDEX lead_events_log_idx ON lead_events (instance_id, created_at DESC);
CREATE INDEX lead_events_person_idx ON lead_events (instance_id, person_id, created_at) WHERE status = 'pending';

-- `incoming`: (instance_id, user_id, person_id, channel, source_id, username, text, media_id, at).
CREATE FUNCTION lead_events_add(incoming jsonb) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    WITH rows AS (
        SELECT r.* FROM jsonb_to_recordset(incoming) AS r(instance_id text, user_id text, person_id text,
            channel text, source_id text, username text, text text, media_id text, at timestamptz)
        JOIN lead_webhooks w ON w.instance_id = r.instance_id
    ), fresh AS (
        INSERT INTO instagram_leads (instance_id, person_id)
        SELECT DISTINCT instance_id, person_id FROM rows ORDER BY instance_id, person_id
        ON CONFLICT DO NOTHING RETURNING instance_id, person_id
    ), ordered AS (
        SELECT rows.*, row_number() OVER (PARTITION BY rows.instance_id, rows.person_id ORDER BY rows.at, rows.source_id) AS n
        FROM rows
    )
    INSERT INTO lead_events (instance_id, user_id, person_id, kind, channel, source_id, username, text, media_id, occurred_at, created_at)
    SELECT o.instance_id, o.user_id, o.person_id,
           CASE WHEN o.n = 1 AND f.person_id IS NOT NULL THEN 'lead.created' ELSE 'lead.updated' END,
           o.channel, o.source_id, o.username, o.text, o.media_id, o.at,
           -- The created event first, then the rest in the order they happened.
           clock_timestamp() + (o.n * interval '1 microsecond')
    FROM ordered o LEFT JOIN fresh f ON f.instance_id = o.instance_id AND f.person_id = o.person_id
    ON CONFLICT (instance_id, source_id) DO NOTHING;
END $$;

CREATE FUNCTION lead_events_from_messages() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM lead_webhooks) THEN
        PERFORM lead_events_add((SELECT jsonb_agg(jsonb_build_object(
            'instance_id', a.instance_id, 'user_id', a.user_id, 'person_id', a.sender_id, 'channel', 'dm',
            'source_id', a.message_id, 'username', p.username, 'text', a.text, 'media_id', NULL, 'at', a."timestamp"))
            FROM added a LEFT JOIN instagram_people p ON p.instance_id = a.instance_id AND p.igsid = a.sender_id
            WHERE NOT a.is_echo));
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION lead_events_from_comments() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM lead_webhooks) THEN
        PERFORM lead_events_add((SELECT jsonb_agg(jsonb_build_object(
            'instance_id', a.instance_id, 'user_id', a.user_id, 'person_id', a.from_user_id, 'channel', 'comment',
            'source_id', a.comment_id, 'username', a.from_username, 'text', a.text, 'media_id', a.media_id,
            'at', a."timestamp"))
            FROM added a JOIN lead_webhooks w ON w.instance_id = a.instance_id AND w.account_id <> a.from_user_id));
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER lead_events_from_messages AFTER INSERT ON instagram_messages
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION lead_events_from_messages();
CREATE TRIGGER lead_events_from_comments AFTER INSERT ON instagram_comments
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION lead_events_from_comments();
