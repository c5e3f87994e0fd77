-- Reports at a million rows: totals and the chart come from counts kept with the rows, per owner,
-- instance, UTC hour, type and automation (hours, so any whole-hour time zone's days add up
-- exactly), instead of counting the rows on every page.
--
-- Every change to a report row adds its difference to report_rollup_deltas (one row per key and
-- statement, never an update, so busy engine transactions do not queue on a shared counter);
-- a scheduled job folds the deltas into report_rollups. Readers add both tables, so the counts
-- are exact whether or not the job has run.
CREATE TABLE report_rollups (
    user_id          text NOT NULL,
    instance_id      text NOT NULL,
    hour             timestamptz NOT NULL,
    interaction_type text NOT NULL,
    automation_id    uuid,
    -- Report rows (a comment answered publicly and privately has two) per status.
    sent             bigint NOT NULL DEFAULT 0,
    failed           bigint NOT NULL DEFAULT 0,
    pending          bigint NOT NULL DEFAULT 0,
    skipped          bigint NOT NULL DEFAULT 0,
    -- Interactions (a row's part 0) per status: what the chart counts.
    first_sent       bigint NOT NULL DEFAULT 0,
    first_failed     bigint NOT NULL DEFAULT 0,
    first_pending    bigint NOT NULL DEFAULT 0,
    first_skipped    bigint NOT NULL DEFAULT 0,
    CONSTRAINT report_rollups_key UNIQUE NULLS NOT DISTINCT (user_id, instance_id, hour, interaction_type, automation_id)
);
CREATE INDEX report_rollups_user_hour_idx ON report_rollups (user_id, hour);

CREATE TABLE report_rollup_deltas (LIKE report_rollups INCLUDING DEFAULTS);

-- One trigger per operation, each with the transition tables it has; an update counts what left
-- each key (old rows) against what arrived (new rows).
CREATE FUNCTION report_rollup_updates() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO report_rollup_deltas
    SELECT * FROM (
        SELECT user_id, instance_id, hour, interaction_type, automation_id,
               coalesce(sum(sign) FILTER (WHERE status = 'sent'), 0) AS sent,
               coalesce(sum(sign) FILTER (WHERE status = 'failed'), 0) AS failed,
               coalesce(sum(sign) FILTER (WHERE status = 'pending'), 0) AS pending,
               coalesce(sum(sign) FILTER (WHERE status = 'skipped'), 0) AS skipped,
               coalesce(sum(sign) FILTER (WHERE status = 'sent' AND part = 0), 0) AS first_sent,
               coalesce(sum(sign) FILTER (WHERE status = 'failed' AND part = 0), 0) AS first_failed,
               coalesce(sum(sign) FILTER (WHERE status = 'pending' AND part = 0), 0) AS first_pending,
               coalesce(sum(sign) FILTER (WHERE status = 'skipped' AND part = 0), 0) AS first_skipped
        FROM (
            SELECT user_id, instance_id, date_trunc('hour', "timestamp", 'UTC') AS hour, interaction_type,
                   automation_id, status, part, -1 AS sign
            FROM old_rows
            UNION ALL
            SELECT user_id, instance_id, date_trunc('hour', "timestamp", 'UTC'), interaction_type,
                   automation_id, status, part, 1
            FROM new_rows
        ) AS changes
        GROUP BY 1, 2, 3, 4, 5
    ) AS net
    -- An update that changes none of the counted columns (a username filled in, a retry's
    -- schedule) adds nothing.
    WHERE (sent, failed, pending, skipped, first_sent, first_failed, first_pending, first_skipped)
          <> (0, 0, 0, 0, 0, 0, 0, 0);
    RETURN NULL;
END
$$;

CREATE FUNCTION report_rollup_inserts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO report_rollup_deltas
    SELECT user_id, instance_id, date_trunc('hour', "timestamp", 'UTC'), interaction_type, automation_id,
           count(*) FILTER (WHERE status = 'sent'), count(*) FILTER (WHERE status = 'failed'),
           count(*) FILTER (WHERE status = 'pending'), count(*) FILTER (WHERE status = 'skipped'),
           count(*) FILTER (WHERE status = 'sent' AND part = 0), count(*) FILTER (WHERE status = 'failed' AND part = 0),
           count(*) FILTER (WHERE status = 'pending' AND part = 0), count(*) FILTER (WHERE status = 'skipped' AND part = 0)
    FROM new_rows
    GROUP BY 1, 2, 3, 4, 5;
    RETURN NULL;
END
$$;

CREATE FUNCTION report_rollup_deletes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO report_rollup_deltas
    SELECT user_id, instance_id, date_trunc('hour', "timestamp", 'UTC'), interaction_type, automation_id,
           -count(*) FILTER (WHERE status = 'sent'), -count(*) FILTER (WHERE status = 'failed'),
           -count(*) FILTER (WHERE status = 'pending'), -count(*) FILTER (WHERE status = 'skipped'),
           -count(*) FILTER (WHERE status = 'sent' AND part = 0), -count(*) FILTER (WHERE status = 'failed' AND part = 0),
           -count(*) FILTER (WHERE status = 'pending' AND part = 0), -count(*) FILTER (WHERE status = 'skipped' AND part = 0)
    FROM old_rows
    GROUP BY 1, 2, 3, 4, 5;
    RETURN NULL;
END
$$;

CREATE TRIGGER instagram_reports_rollup_inserts AFTER INSERT ON instagram_reports
    REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION report_rollup_inserts();
CREATE TRIGGER instagram_reports_rollup_updates AFTER UPDATE ON instagram_reports
    REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT EXECUTE FUNCTION report_rollup_updates();
CREATE TRIGGER instagram_reports_rollup_deletes AFTER DELETE ON instagram_reports
    REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT EXECUTE FUNCTION report_rollup_deletes();

INSERT INTO report_rollups
SELECT user_id, instance_id, date_trunc('hour', "timestamp", 'UTC'), interaction_type, automation_id,
       count(*) FILTER (WHERE status = 'sent'), count(*) FILTER (WHERE status = 'failed'),
       count(*) FILTER (WHERE status = 'pending'), count(*) FILTER (WHERE status = 'skipped'),
       count(*) FILTER (WHERE status = 'sent' AND part = 0), count(*) FILTER (WHERE status = 'failed' AND part = 0),
       count(*) FILTER (WHERE status = 'pending' AND part = 0), count(*) FILTER (WHERE status = 'skipped' AND part = 0)
FROM instagram_reports
GROUP BY 1, 2, 3, 4, 5;

-- Free-text search over who wrote, what they wrote and what was answered, and the automation
-- filter, both in time order for keyset pages.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX instagram_reports_search_idx ON instagram_reports USING gin (
    (coalesce(username, '') || ' ' || coalesce(interaction_text, '') || ' ' || coalesce(response_text, '')) gin_trgm_ops);
CREATE INDEX instagram_reports_automation_time_idx ON instagram_reports (automation_id, "timestamp" DESC, id DESC)
    WHERE automation_id IS NOT NULL;
