-- Comments as threads on the comments page: each reply names its top-level comment, and what the
-- account hid there (Meta's moderation call) is marked, so the page shows it without asking Meta.
ALTER TABLE instagram_comments ADD COLUMN parent_id text, ADD COLUMN hidden boolean NOT NULL DEFAULT false;
UPDATE instagram_comments SET parent_id = raw_data->'value'->>'parent_id'
WHERE raw_data->'value'->>'parent_id' IS NOT NULL;
CREATE INDEX instagram_comments_media_idx ON instagram_comments (instance_id, media_id, "timestamp" DESC);

-- Answers written by hand on the comments page are report rows of the comment too: its one
-- private reply is part 9, its public replies parts 10 and up (automations keep 0 and 1).
ALTER TABLE instagram_reports DROP CONSTRAINT instagram_reports_part_check,
    ADD CONSTRAINT instagram_reports_part_check CHECK (part BETWEEN 0 AND 999);
