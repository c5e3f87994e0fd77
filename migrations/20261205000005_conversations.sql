-- The inbox: one conversation per person and instance, kept by a statement-level trigger on the
-- messages intake writes (their DMs, and the account's own sends as echoes), so listing an
-- instance's conversations reads this table, not every message. `person_id` is the person's IGSID:
-- the sender of what they wrote, the recipient of an echo.
CREATE TABLE instagram_conversations (
    instance_id      text NOT NULL,
    person_id        text NOT NULL,
    user_id          text NOT NULL,
    last_at          timestamptz NOT NULL,
    last_text        text,
    last_from_person boolean NOT NULL,
    -- Their latest message: Meta's 24-hour window to answer runs from it.
    last_inbound_at  timestamptz,
    unread           integer NOT NULL DEFAULT 0,
    -- A person of the account answered by hand: the automations leave the conversation alone
    -- until then.
    paused_until     timestamptz,
    PRIMARY KEY (instance_id, person_id)
);
CREATE INDEX instagram_conversations_recent_idx ON instagram_conversations (instance_id, last_at DESC, person_id);
CREATE INDEX instagram_messages_person_time_idx ON instagram_messages
    (instance_id, (CASE WHEN is_echo THEN recipient_id ELSE sender_id END), "timestamp" DESC);

CREATE FUNCTION instagram_conversations_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO instagram_conversations AS c
        (instance_id, person_id, user_id, last_at, last_text, last_from_person, last_inbound_at, unread)
    SELECT instance_id, person, user_id, latest_at, latest_text, latest_from_person, inbound_at, inbound
    FROM (
        SELECT DISTINCT ON (instance_id, person) instance_id, person, user_id,
            "timestamp" AS latest_at, text AS latest_text, NOT is_echo AS latest_from_person,
            max(CASE WHEN is_echo THEN NULL ELSE "timestamp" END) OVER w AS inbound_at,
            sum(CASE WHEN is_echo THEN 0 ELSE 1 END) OVER w AS inbound
        FROM (SELECT *, CASE WHEN is_echo THEN recipient_id ELSE sender_id END AS person FROM added) a
        WINDOW w AS (PARTITION BY instance_id, person)
        ORDER BY instance_id, person, "timestamp" DESC
    ) latest
    -- One lock order for every statement: no deadlock between concurrent intake runs.
    ORDER BY instance_id, person
    ON CONFLICT (instance_id, person_id) DO UPDATE SET
        last_text = CASE WHEN EXCLUDED.last_at >= c.last_at THEN EXCLUDED.last_text ELSE c.last_text END,
        last_from_person = CASE WHEN EXCLUDED.last_at >= c.last_at THEN EXCLUDED.last_from_person
                                ELSE c.last_from_person END,
        last_at = GREATEST(c.last_at, EXCLUDED.last_at),
        last_inbound_at = GREATEST(c.last_inbound_at, EXCLUDED.last_inbound_at),
        unread = c.unread + EXCLUDED.unread;
    RETURN NULL;
END $$;

CREATE TRIGGER instagram_conversations_add AFTER INSERT ON instagram_messages
    REFERENCING NEW TABLE AS added FOR EACH STATEMENT EXECUTE FUNCTION instagram_conversations_add();

-- The conversations of the messages already stored, read.
INSERT INTO instagram_conversations (instance_id, person_id, user_id, last_at, last_text, last_from_person, last_inbound_at)
SELECT DISTINCT ON (instance_id, person) instance_id, person, user_id, "timestamp", text, NOT is_echo,
    max(CASE WHEN is_echo THEN NULL ELSE "timestamp" END) OVER (PARTITION BY instance_id, person)
FROM (SELECT *, CASE WHEN is_echo THEN recipient_id ELSE sender_id END AS person FROM instagram_messages) m
ORDER BY instance_id, person, "timestamp" DESC;
