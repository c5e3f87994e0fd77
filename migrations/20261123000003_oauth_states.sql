-- Business Login's CSRF state: random, single-use, short-lived, bound to a user and an instance.
-- Only a hash is kept, so the table cannot be replayed.
CREATE TABLE oauth_states (
    state_hash  bytea PRIMARY KEY,
    user_id     text NOT NULL,
    instance_id text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    expires_at  timestamptz NOT NULL,
    used_at     timestamptz
);
CREATE INDEX oauth_states_expiry_idx ON oauth_states (expires_at);
