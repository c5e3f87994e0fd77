-- A DM automation answers messages (text, attachments, story replies), only story replies, or
-- story mentions (which carry no text: only `all` fits them).
ALTER TABLE instagram_automations
    ADD COLUMN dm_source text NOT NULL DEFAULT 'messages'
        CHECK (dm_source IN ('messages', 'story_replies', 'story_mentions')),
    ADD CONSTRAINT instagram_automations_source_fits_type CHECK (type = 'dm' OR dm_source = 'messages'),
    ADD CONSTRAINT instagram_automations_mentions_all CHECK (dm_source <> 'story_mentions' OR trigger_type = 'all');
