-- What the app tells a user about their instances (token expiring, connection lost, first
-- connection, daily cap reached, an automation failing): shown under the bell, and e-mailed
-- once. `dedupe_key` names the occurrence (this instance's token of this day, this automation on
-- this day...), so however many processes notice it, and however often, it is told once.
CREATE TABLE notifications (
    id            uuid PRIMARY KEY,
    user_id       text NOT NULL,
    kind          text NOT NULL,
    instance_id   text,
    instance_name text NOT NULL DEFAULT '',
    -- What the text needs beyond the instance: days left, an automation's name.
    detail        text,
    dedupe_key    text NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT now(),
    read_at       timestamptz,
    -- pending (to send), sending (leased until email_next_at), sent, off (preference), failed.
    email_status  text NOT NULL DEFAULT 'pending',
    email_attempts integer NOT NULL DEFAULT 0,
    email_next_at timestamptz NOT NULL DEFAULT now(),
    email_error   text,
    UNIQUE (user_id, dedupe_key)
);
CREATE INDEX notifications_user_idx ON notifications (user_id, created_at DESC, id DESC);
CREATE INDEX notifications_unread_idx ON notifications (user_id) WHERE read_at IS NULL;
CREATE INDEX notifications_mail_idx ON notifications (email_next_at) WHERE email_status IN ('pending', 'sending');

-- Per user: the kinds not to e-mail (every kind is e-mailed by default), and the language of
-- the e-mail (the one the user last saved the preferences in).
CREATE TABLE notification_prefs (
    user_id    text PRIMARY KEY,
    email_off  text[] NOT NULL DEFAULT '{}',
    locale     text NOT NULL DEFAULT 'pt-BR',
    updated_at timestamptz NOT NULL DEFAULT now()
);
