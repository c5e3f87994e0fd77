-- Keys for the public API (/api/v1). The caller holds `ick_<prefix>_<secret>`; the table holds the
-- prefix (shown in the UI, so a person can tell keys apart) and a SHA-256 of the whole key: keys
-- are 192 random bits, so a slow password hash would add nothing but latency to every call.
CREATE TABLE api_keys (
    id           uuid PRIMARY KEY,
    user_id      text NOT NULL,
    name         text NOT NULL,
    prefix       text NOT NULL UNIQUE,
    key_hash     bytea NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    last_used_at timestamptz,
    revoked_at   timestamptz
);
CREATE INDEX api_keys_user_idx ON api_keys (user_id, created_at DESC);
