-- A comment automation may be limited to chosen posts or reels; empty means every media.
ALTER TABLE instagram_automations ADD COLUMN media_ids text[] NOT NULL DEFAULT '{}';
-- Report totals and filters by automation (replies today and in total per automation).
CREATE INDEX instagram_reports_automation_idx ON instagram_reports (automation_id, created_at) WHERE status = 'sent';
