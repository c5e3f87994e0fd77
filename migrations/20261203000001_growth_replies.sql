-- Growth tools, first part: a comment automation answers publicly (one of several variants, so
-- Instagram does not flag identical replies as spam) and/or privately by DM; keywords match in
-- one of three ways and can be excluded; an automation answers a person at most once, or once
-- per N hours, and never more than a loop allows.

ALTER TABLE instagram_automations
    ADD COLUMN public_replies   text[] NOT NULL DEFAULT '{}',
    -- The DM: a DM automation's reply, a comment automation's private reply.
    ADD COLUMN direct_reply     text,
    ADD COLUMN match_mode       text NOT NULL DEFAULT 'contains'
        CHECK (match_mode IN ('contains', 'exact', 'starts_with')),
    ADD COLUMN exclude_keywords text[] NOT NULL DEFAULT '{}',
    ADD COLUMN per_person       text NOT NULL DEFAULT 'always' CHECK (per_person IN ('always', 'once', 'hours')),
    ADD COLUMN per_person_hours integer CHECK (per_person_hours BETWEEN 1 AND 8760);
UPDATE instagram_automations SET public_replies = ARRAY[response_text] WHERE response_type = 'comment';
UPDATE instagram_automations SET direct_reply = response_text WHERE response_type = 'direct';
-- An automation that answers everything answers each person once a day at most from now on.
UPDATE instagram_automations SET per_person = 'hours', per_person_hours = 24 WHERE trigger_type = 'all';
ALTER TABLE instagram_automations
    DROP COLUMN response_text,
    DROP COLUMN response_type,
    ADD CONSTRAINT instagram_automations_reply_present
        CHECK (direct_reply IS NOT NULL OR cardinality(public_replies) > 0),
    ADD CONSTRAINT instagram_automations_public_on_comments
        CHECK (type = 'comment' OR cardinality(public_replies) = 0),
    ADD CONSTRAINT instagram_automations_direct_reply_size
        CHECK (direct_reply IS NULL OR octet_length(direct_reply) BETWEEN 1 AND 1000),
    ADD CONSTRAINT instagram_automations_public_replies_count CHECK (cardinality(public_replies) <= 10),
    ADD CONSTRAINT instagram_automations_hours_given CHECK ((per_person = 'hours') = (per_person_hours IS NOT NULL)),
    ADD CONSTRAINT instagram_automations_all_limited CHECK (trigger_type = 'keyword' OR per_person <> 'always');

-- A report row per part of an answer: part 0 is the first (the DM's reply, a comment's public
-- reply, or the skip), part 1 a comment's private reply when it also gets a public one.
ALTER TABLE instagram_reports
    ADD COLUMN part smallint NOT NULL DEFAULT 0 CHECK (part IN (0, 1)),
    -- The comment a public reply is posted under: the top-level one when the event is a reply in
    -- a thread (Meta only takes replies on top-level comments), where its own comment comes back.
    ADD COLUMN reply_target text;
UPDATE instagram_reports SET reply_target = event_id WHERE response_type = 'comment';
ALTER TABLE instagram_reports DROP CONSTRAINT instagram_reports_event_key;
ALTER TABLE instagram_reports
    ADD CONSTRAINT instagram_reports_event_key UNIQUE (instance_id, interaction_type, event_id, part);
CREATE INDEX instagram_reports_public_in_flight_idx ON instagram_reports (instance_id, reply_target)
    WHERE status = 'pending' AND response_type = 'comment';

-- Who got which automation when: what "once per person", "once per N hours" and the loop guard
-- (at most `window_count` replies of one automation to one person an hour) are checked against,
-- claimed in the same transaction that writes the reply, so processes never both answer.
CREATE TABLE automation_uses (
    -- No foreign key: a process may still answer with an automation deleted a moment ago, and
    -- that must not fail the event; a deleted automation's uses are deleted with it.
    automation_id uuid NOT NULL,
    igsid         text NOT NULL,
    last_at       timestamptz NOT NULL,
    -- When the person may get this automation again ('infinity' for once per person).
    free_after    timestamptz NOT NULL,
    window_start  timestamptz NOT NULL,
    window_count  integer NOT NULL,
    -- How many replies the last claim was granted (a batch may bring several for one person).
    last_granted  integer NOT NULL,
    PRIMARY KEY (automation_id, igsid)
) WITH (fillfactor = 80);
