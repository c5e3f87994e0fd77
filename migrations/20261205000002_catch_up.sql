-- When the service was last seen running (the catch-up job writes it every minute, whichever
-- process runs the job): a gap longer than Meta keeps trying means webhooks may have been lost,
-- and the next run reads what the accounts received meanwhile.
CREATE TABLE service_heartbeat (
    id      integer PRIMARY KEY CHECK (id = 1),
    seen_at timestamptz NOT NULL
);
