-- Webhook deliveries, the job queue, and the reply ledger on reports.

-- One row per accepted POST, written before the 200 goes out: acknowledged means stored.
CREATE TABLE webhook_deliveries (
    id            uuid PRIMARY KEY,
    -- The instance named in the path; NULL for the app-level callback.
    instance_name text,
    body          bytea NOT NULL,
    signature     text NOT NULL,
    received_at   timestamptz NOT NULL DEFAULT now(),
    processed_at  timestamptz,
    entries       integer,
    events        integer
);
CREATE INDEX webhook_deliveries_received_idx ON webhook_deliveries (received_at DESC);

-- The work queue: claimed with FOR UPDATE SKIP LOCKED under a lease, so a crashed worker's job is
-- taken again once its lease runs out. Finished jobs are deleted.
CREATE TABLE jobs (
    id           uuid PRIMARY KEY,
    kind         text NOT NULL CHECK (kind IN ('delivery', 'reply')),
    payload      jsonb NOT NULL,
    run_after    timestamptz NOT NULL DEFAULT now(),
    attempts     integer NOT NULL DEFAULT 0,
    locked_until timestamptz,
    last_error   text,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX jobs_due_idx ON jobs (run_after);

-- Outbound messages (echoes) are recorded too, so a conversation can be read back.
ALTER TABLE instagram_messages ADD COLUMN is_echo boolean NOT NULL DEFAULT false;

-- A report row is also the ledger of the one reply an event may get: created `pending` before the
-- call to Meta, with `send_started_at` set while the call is in flight, so a retry or a restart
-- never sends blindly a second time.
ALTER TABLE instagram_reports
    ADD COLUMN event_id        text,
    ADD COLUMN response_type   text CHECK (response_type IN ('direct', 'comment')),
    ADD COLUMN send_started_at timestamptz,
    ADD COLUMN sent_at         timestamptz,
    ADD COLUMN reply_id        text,
    ADD COLUMN attempts        integer NOT NULL DEFAULT 0,
    ADD COLUMN updated_at      timestamptz NOT NULL DEFAULT now();
UPDATE instagram_reports SET event_id = id::text WHERE event_id IS NULL;
ALTER TABLE instagram_reports ALTER COLUMN event_id SET NOT NULL;
-- One report, so at most one reply, per inbound event, however often Meta delivers it.
ALTER TABLE instagram_reports
    ADD CONSTRAINT instagram_reports_event_key UNIQUE (instance_id, interaction_type, event_id);
-- The daily cap counts today's replies per instance.
CREATE INDEX instagram_reports_instance_created_idx ON instagram_reports (instance_id, created_at)
    WHERE status IN ('sent', 'pending');
