-- The engine at scale: deliveries and pending replies are their own queues, taken in batches;
-- pace, daily caps, schedules and usernames live here so several server processes act as one;
-- what cannot be processed is kept as a dead letter instead of blocking the rest.

-- Intake queue: a row per delivery not yet taken in, deleted when it is. Batches take rows with
-- FOR UPDATE SKIP LOCKED; a delivery whose batch failed is retried alone under a lease
-- (claimed_until), and after a bounded number of attempts becomes a dead letter. The queue is its
-- own narrow table so that the delivery row (body and all) is written once and never rewritten.
CREATE TABLE intake_queue (
    delivery_id   uuid PRIMARY KEY,
    received_at   timestamptz NOT NULL,
    attempts      integer NOT NULL DEFAULT 0,
    claimed_until timestamptz,
    last_error    text
);
CREATE INDEX intake_queue_fresh_idx ON intake_queue (received_at) WHERE attempts = 0;
CREATE INDEX intake_queue_suspect_idx ON intake_queue (received_at) WHERE attempts > 0;
-- Every row is deleted within moments: vacuumed often, so scans do not wade through dead ones.
ALTER TABLE intake_queue SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 5000,
    autovacuum_vacuum_cost_delay = 0);
INSERT INTO intake_queue (delivery_id, received_at)
    SELECT id, received_at FROM webhook_deliveries WHERE processed_at IS NULL;

-- Outbound queue: a report is waiting to be sent while `pending`; `send_after` is when it may go
-- (retries and the echo grace push it later), `claimed_until` the lease of the process sending it.
ALTER TABLE instagram_reports
    ADD COLUMN send_after    timestamptz,
    ADD COLUMN claimed_until timestamptz,
    -- When the delivery carrying the event was acknowledged, and when the report reached its
    -- final status (skipped, sent, failed): receipt-to-report time is the difference.
    ADD COLUMN received_at   timestamptz,
    ADD COLUMN completed_at  timestamptz;
UPDATE instagram_reports SET received_at = created_at;
UPDATE instagram_reports SET completed_at = updated_at WHERE status <> 'pending';
UPDATE instagram_reports SET send_after = now() WHERE status = 'pending';
CREATE INDEX instagram_reports_outbox_idx ON instagram_reports (instance_id, send_after) WHERE status = 'pending';
-- Room on each page, so the updates that change no indexed column (a send starting, a message
-- marked replied) stay on their page (HOT) instead of rewriting every index entry.
ALTER TABLE instagram_reports SET (fillfactor = 80);
ALTER TABLE instagram_messages SET (fillfactor = 85);
ALTER TABLE instagram_comments SET (fillfactor = 85);
-- The echo of a DM we sent names its report (the Send API's `metadata`): kept on the echo's row,
-- it settles a reply whose answer was lost, without racing the answer for the report.
ALTER TABLE instagram_messages ADD COLUMN reply_report_id uuid;
UPDATE instagram_messages SET reply_report_id = substring(raw_data->'message'->>'metadata' FROM 4)::uuid
    WHERE is_echo AND raw_data->'message'->>'metadata' ~ '^ic:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$';
CREATE INDEX instagram_messages_reply_report_idx ON instagram_messages (reply_report_id) WHERE reply_report_id IS NOT NULL;
-- The daily cap is a counter now (daily_reply_counts), not a count over today's rows.
DROP INDEX instagram_reports_instance_created_idx;

-- Per Instagram account (one per instance): Meta's sending limits as GCRA "theoretical arrival
-- times" (NULL: nothing sent yet), shared by every process, and when the account may next have
-- a reply due.
CREATE TABLE outbound_accounts (
    instance_id           text PRIMARY KEY,
    next_send_at          timestamptz,
    next_private_reply_at timestamptz,
    -- NULL: nothing known to be waiting.
    wake_at               timestamptz
);
CREATE INDEX outbound_accounts_wake_idx ON outbound_accounts (wake_at) WHERE wake_at IS NOT NULL;
-- A few rows updated thousands of times a minute.
ALTER TABLE outbound_accounts SET (autovacuum_vacuum_scale_factor = 0, autovacuum_vacuum_threshold = 2000,
    autovacuum_vacuum_cost_delay = 0);
INSERT INTO outbound_accounts (instance_id, wake_at)
    SELECT DISTINCT instance_id, now() FROM instagram_reports WHERE status = 'pending';

-- Replies sent or under way per instance and UTC day: what the daily cap is checked against.
CREATE TABLE daily_reply_counts (
    instance_id text NOT NULL,
    day         date NOT NULL,
    replies     integer NOT NULL CHECK (replies >= 0),
    PRIMARY KEY (instance_id, day)
) WITH (fillfactor = 50);
INSERT INTO daily_reply_counts (instance_id, day, replies)
    SELECT instance_id, (created_at AT TIME ZONE 'UTC')::date, count(*)
    FROM instagram_reports WHERE status IN ('sent', 'pending')
    GROUP BY 1, 2;

-- The people who wrote to each account, with their @username once the profile API gave it
-- (DMs do not carry it). Asked once per person, not once per message.
CREATE TABLE instagram_people (
    instance_id     text NOT NULL,
    igsid           text NOT NULL,
    username        text,
    looked_up_at    timestamptz,
    lookup_attempts integer NOT NULL DEFAULT 0,
    next_lookup_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (instance_id, igsid)
);
CREATE INDEX instagram_people_lookup_idx ON instagram_people (next_lookup_at) WHERE username IS NULL;
-- A DM report written before its sender's username was known gets it once the profile API answers.
CREATE INDEX instagram_reports_username_missing_idx ON instagram_reports (instance_id, user_id_instagram)
    WHERE username IS NULL;
INSERT INTO instagram_people (instance_id, igsid, username, looked_up_at)
    SELECT DISTINCT ON (instance_id, user_id_instagram) instance_id, user_id_instagram, username, now()
    FROM instagram_reports WHERE username IS NOT NULL
    ORDER BY instance_id, user_id_instagram, created_at DESC;

-- What could not be processed, kept for admins: an event refused or failing on its own, a
-- delivery whose processing kept failing, a reply whose retries ran out. Nothing acknowledged
-- disappears silently; a retryable one can be run again once its cause is fixed.
CREATE TABLE dead_letters (
    id              uuid PRIMARY KEY,
    kind            text NOT NULL CHECK (kind IN ('event', 'delivery', 'reply')),
    delivery_id     uuid REFERENCES webhook_deliveries (id) ON DELETE CASCADE,
    -- Position of the event in the delivery: entry, then item within the entry.
    entry_index     integer,
    item_index      integer,
    report_id       uuid REFERENCES instagram_reports (id) ON DELETE CASCADE,
    account_id      text,
    instance_id     text,
    summary         text NOT NULL,
    reason          text NOT NULL,
    detail          text,
    retryable       boolean NOT NULL,
    attempts        integer NOT NULL DEFAULT 1,
    first_failed_at timestamptz NOT NULL DEFAULT now(),
    last_failed_at  timestamptz NOT NULL DEFAULT now(),
    resolved_at     timestamptz,
    resolved_by     text
);
CREATE UNIQUE INDEX dead_letters_event_key ON dead_letters (delivery_id, entry_index, item_index) WHERE kind = 'event';
CREATE UNIQUE INDEX dead_letters_delivery_key ON dead_letters (delivery_id) WHERE kind = 'delivery';
CREATE UNIQUE INDEX dead_letters_reply_key ON dead_letters (report_id) WHERE kind = 'reply';
CREATE INDEX dead_letters_open_idx ON dead_letters (last_failed_at DESC) WHERE resolved_at IS NULL;

-- Scheduled jobs (token refresh, sweeps): whichever process claims a due row runs the job, so
-- each runs once per period however many processes there are.
CREATE TABLE scheduled_jobs (
    name             text PRIMARY KEY,
    next_run_at      timestamptz NOT NULL,
    runs             bigint NOT NULL DEFAULT 0,
    last_started_at  timestamptz,
    last_finished_at timestamptz,
    last_runner      text,
    last_error       text
);

-- The old one-row-per-event job queue. Its delivery jobs are in intake_queue already (their
-- deliveries were not processed); a reply job whose event has no report yet re-queues its
-- delivery, and intake writes every missing report.
INSERT INTO intake_queue (delivery_id, received_at)
    SELECT d.id, d.received_at FROM webhook_deliveries d
    JOIN jobs j ON j.kind = 'reply' AND position(convert_to(j.payload->>'event_id', 'UTF8') IN d.body) > 0
    WHERE NOT EXISTS (SELECT 1 FROM instagram_reports r
                      WHERE r.instance_id = j.payload->>'instance_id'
                        AND r.interaction_type = j.payload->>'kind'
                        AND r.event_id = j.payload->>'event_id')
    ON CONFLICT DO NOTHING;
DROP TABLE jobs;
-- A delivery is written once, on receipt: being out of intake_queue is what "processed" means.
ALTER TABLE webhook_deliveries DROP COLUMN processed_at, DROP COLUMN entries, DROP COLUMN events;
