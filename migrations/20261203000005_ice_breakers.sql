-- An instance's ice breakers: the questions Instagram shows a person before their first message,
-- each running a follow-up automation when tapped, as registered at Meta.
CREATE TABLE ice_breakers (
    instance_id   text PRIMARY KEY,
    questions     jsonb NOT NULL CHECK (jsonb_array_length(questions) <= 4),
    registered_at timestamptz NOT NULL DEFAULT now()
);
