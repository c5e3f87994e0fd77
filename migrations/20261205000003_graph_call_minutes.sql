-- Calls to Meta per minute, endpoint and outcome, summed from every process (each flushes what it
-- counted every few seconds): the admin's view of how Meta has been answering lately.
CREATE TABLE graph_call_minutes (
    minute   timestamptz NOT NULL,
    endpoint text NOT NULL,
    -- ok (2xx), refused (4xx: Meta said no), failed (5xx, time-outs, unreachable, unreadable).
    outcome  text NOT NULL,
    calls    bigint NOT NULL,
    PRIMARY KEY (minute, endpoint, outcome)
);
