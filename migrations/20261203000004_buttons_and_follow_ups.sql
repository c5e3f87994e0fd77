-- Buttons (a link or a follow-up) and quick replies (follow-ups) under an automation's DM, and
-- automations that only a tap runs. A report keeps what went under its reply, as sent.
ALTER TABLE instagram_automations
    ADD COLUMN buttons       jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_array_length(buttons) <= 3),
    ADD COLUMN quick_replies jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_array_length(quick_replies) <= 13),
    DROP CONSTRAINT instagram_automations_trigger_type_check,
    ADD CONSTRAINT instagram_automations_trigger_type_check
        CHECK (trigger_type IN ('keyword', 'all', 'follow_up')),
    DROP CONSTRAINT instagram_automations_keywords_present,
    ADD CONSTRAINT instagram_automations_keywords_present
        CHECK (trigger_type <> 'keyword' OR cardinality(keywords) > 0),
    DROP CONSTRAINT instagram_automations_all_limited,
    ADD CONSTRAINT instagram_automations_all_limited CHECK (trigger_type <> 'all' OR per_person <> 'always'),
    ADD CONSTRAINT instagram_automations_follow_up_dm CHECK (trigger_type <> 'follow_up' OR type = 'dm');
ALTER TABLE instagram_reports ADD COLUMN reply_extras jsonb;
