-- Who did what to which instance, and when: admin actions, connections, token refreshes.
CREATE TABLE audit_log (
    id          uuid PRIMARY KEY,
    at          timestamptz NOT NULL DEFAULT now(),
    -- NULL for the system (the token refresh job).
    actor_id    text,
    actor_email text,
    action      text NOT NULL,
    target_id   text NOT NULL,
    target_name text,
    details     text
);
CREATE INDEX audit_log_at_idx ON audit_log (at DESC);
CREATE INDEX audit_log_target_idx ON audit_log (target_id, at DESC);
