-- A DM can be a carousel of cards (Meta's generic template) or a file by URL instead of a text;
-- exactly one of the three, and only a DM automation's (a private reply is text).
ALTER TABLE instagram_automations
    ADD COLUMN cards      jsonb NOT NULL DEFAULT '[]' CHECK (jsonb_array_length(cards) <= 10),
    ADD COLUMN attachment jsonb,
    DROP CONSTRAINT instagram_automations_reply_present,
    ADD CONSTRAINT instagram_automations_reply_present
        CHECK (direct_reply IS NOT NULL OR cardinality(public_replies) > 0
               OR jsonb_array_length(cards) > 0 OR attachment IS NOT NULL),
    ADD CONSTRAINT instagram_automations_one_dm_format
        CHECK ((direct_reply IS NOT NULL)::int + (jsonb_array_length(cards) > 0)::int
               + (attachment IS NOT NULL)::int <= 1),
    ADD CONSTRAINT instagram_automations_rich_dm_only
        CHECK (type = 'dm' OR (jsonb_array_length(cards) = 0 AND attachment IS NULL));
