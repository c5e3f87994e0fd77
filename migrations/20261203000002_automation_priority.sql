-- Automations are tried in an order the user sees and changes: `priority` ascending within the
-- instance (ties, from two saves at once, by age). The order so far (keyword automations before
-- `all` ones, the oldest first) becomes the first priorities.
ALTER TABLE instagram_automations ADD COLUMN priority integer;
UPDATE instagram_automations a SET priority = o.n
FROM (SELECT id, row_number() OVER (PARTITION BY instance_id ORDER BY trigger_type = 'all', created_at, id) AS n
      FROM instagram_automations) o
WHERE a.id = o.id;
ALTER TABLE instagram_automations ALTER COLUMN priority SET NOT NULL, ALTER COLUMN priority SET DEFAULT 0;
