-- Reports at a million rows: totals and the chart come from counts kept with the rows, per owner,
-- instance and UTC hour (hours, so that the days of any whole-hour time zone add up exactly),
-- instead of counting the rows on every page. One row per hour for the instance as a whole
-- (automation_id NULL), and one per automation that answered in it, for the automation filter;
-- the counts are columns, per type and status, so a page adds up few rows.
--
-- Every change to a report row adds its difference to report_rollup_deltas (rows per statement,
-- never an update, so busy engine transactions do not queue on a shared counter); a scheduled
-- job folds the deltas into report_rollups. Readers add both tables, so the counts are exact
-- whether or not the job has run.
CREATE TABLE report_rollups (
    user_id                text NOT NULL,
    instance_id            text NOT NULL,
    hour                   timestamptz NOT NULL,
    automation_id          uuid,
    -- Report rows per type and status (a comment answered publicly and privately has two), then
    -- interactions (a row's part 0) per type and status: what the chart counts.
    dm_sent                bigint NOT NULL DEFAULT 0,
    dm_failed              bigint NOT NULL DEFAULT 0,
    dm_pending             bigint NOT NULL DEFAULT 0,
    dm_skipped             bigint NOT NULL DEFAULT 0,
    comment_sent           bigint NOT NULL DEFAULT 0,
    comment_failed         bigint NOT NULL DEFAULT 0,
    comment_pending        bigint NOT NULL DEFAULT 0,
    comment_skipped        bigint NOT NULL DEFAULT 0,
    first_dm_sent          bigint NOT NULL DEFAULT 0,
    first_dm_failed        bigint NOT NULL DEFAULT 0,
    first_dm_pending       bigint NOT NULL DEFAULT 0,
    first_dm_skipped       bigint NOT NULL DEFAULT 0,
    first_comment_sent     bigint NOT NULL DEFAULT 0,
    first_comment_failed   bigint NOT NULL DEFAULT 0,
    first_comment_pending  bigint NOT NULL DEFAULT 0,
    first_comment_skipped  bigint NOT NULL DEFAULT 0,
    CONSTRAINT report_rollups_key UNIQUE NULLS NOT DISTINCT (user_id, instance_id, hour, automation_id)
);
CREATE INDEX report_rollups_user_idx ON report_rollups (user_id, automation_id, hour);

CREATE TABLE report_rollup_deltas (LIKE report_rollups INCLUDING DEFAULTS);

-- One trigger per operation, each with the transition tables it has.
CREATE FUNCTION report_rollup_inserts() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO report_rollup_deltas
    SELECT user_id, instance_id, hour, CASE WHEN GROUPING(automation_id) = 0 THEN automation_id END,
           count(*) FILTER (WHERE interaction_type = 'dm' AND status = 'sent') AS dm_sent,
           count(*) FILTER (WHERE interaction_type = 'dm' AND status = 'failed') AS dm_failed,
           count(*) FILTER (WHERE interaction_type = 'dm' AND status = 'pending') AS dm_pending,
           count(*) FILTER (WHERE interaction_type = 'dm' AND status = 'skipped') AS dm_skipped,
           count(*) FILTER (WHERE interaction_type = 'comment' AND status = 'sent') AS comment_sent,
           count(*) FILTER (WHERE interaction_type = 'comment' AND status = 'failed') AS comment_failed,
           count(*) FILTER (WHERE interaction_type = 'comment' AND status = 'pending') AS comment_pending,
           count(*) FILTER (WHERE interaction_type = 'comment' AND status = 'skipped') AS comment_skipped,
           count(*) FILTER (WHERE interaction_type = 'dm' AND status = 'sent' AND part = 0) AS first_dm_sent,
           count(*) FILTER (WHERE interaction_type = 'dm' AND status = 'failed' AND part = 0) AS first_dm_failed,
           count(*) FILTER (WHERE interaction_type = 'dm' AND status = 'pending' AND part = 0) AS first_dm_pending,
           count(*) FILTER (WHERE interaction_type = 'dm' AND status = 'skipped' AND part = 0) AS first_dm_skipped,
           count(*) FILTER (WHERE interaction_type = 'comment' AND status = 'sent' AND part = 0) AS first_comment_sent,
           count(*) FILTER (WHERE interaction_type = 'comment' AND status = 'failed' AND part = 0) AS first_comment_failed,
           count(*) FILTER (WHERE interaction_type = 'comment' AND status = 'pending' AND part = 0) AS first_comment_pending,
           count(*) FILTER (WHERE interaction_type = 'comment' AND status = 'skipped' AND part = 0) AS first_comment_skipped
    FROM (SELECT *, date_trunc('hour', "timestamp", 'UTC') AS hour FROM new_rows) AS changed
    GROUP BY GROUPING SETS ((user_id, instance_id, hour), (user_id, instance_id, hour, automation_id))
    HAVING GROUPING(automation_id) = 1 OR automation_id IS NOT NULL;
    RETURN NULL;
END
$$;

CREATE FUNCTION report_rollup_deletes() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO report_rollup_deltas
    SELECT user_id, instance_id, hour, CASE WHEN GROUPING(automation_id) = 0 THEN automation_id END,
           -count(*) FILTER (WHERE interaction_type = 'dm' AND status = 'sent') AS dm_sent,
           -count(*) FILTER (WHERE interaction_type = 'dm' AND status = 'failed') AS dm_failed,
           -count(*) FILTER (WHERE interaction_type = 'dm' AND status = 'pending') AS dm_pending,
           -count(*) FILTER (WHERE interaction_type = 'dm' AND status = 'skipped') AS dm_skipped,
           -count(*) FILTER (WHERE interaction_type = 'comment' AND status = 'sent') AS comment_sent,
           -count(*) FILTER (WHERE interaction_type = 'comment' AND status = 'failed') AS comment_failed,
           -count(*) FILTER (WHERE interaction_type = 'comment' AND status = 'pending') AS comment_pending,
           -count(*) FILTER (WHERE interaction_type = 'comment' AND status = 'skipped') AS comment_skipped,
           -count(*) FILTER (WHERE interaction_type = 'dm' AND status = 'sent' AND part = 0) AS first_dm_sent,
           -count(*) FILTER (WHERE interaction_type = 'dm' AND status = 'failed' AND part = 0) AS first_dm_failed,
           -count(*) FILTER (WHERE interaction_type = 'dm' AND status = 'pending' AND part = 0) AS first_dm_pending,
           -count(*) FILTER (WHERE interaction_type = 'dm' AND status = 'skipped' AND part = 0) AS first_dm_skipped,
           -count(*) FILTER (WHERE interaction_type = 'comment' AND status = 'sent' AND part = 0) AS first_comment_sent,
           -count(*) FILTER (WHERE interaction_type = 'comment' AND status = 'failed' AND part = 0) AS first_comment_failed,
           -count(*) FILTER (WHERE interaction_type = 'comment' AND status = 'pending' AND part = 0) AS first_comment_pending,
           -count(*) FILTER (WHERE interaction_type = 'comment' AND status = 'skipped' AND part = 0) AS first_comment_skipped
    FROM (SELECT *, date_trunc('hour', "timestamp", 'UTC') AS hour FROM old_rows) AS changed
    GROUP BY GROUPING SETS ((user_id, instance_id, hour), (user_id, instance_id, hour, automation_id))
    HAVING GROUPING(automation_id) = 1 OR automation_id IS NOT NULL;
    RETURN NULL;
END
$$;

-- An update counts what left each key (old rows) against what arrived (new rows).
CREATE FUNCTION report_rollup_updates() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO report_rollup_deltas
    SELECT * FROM (
        SELECT user_id, instance_id, hour, CASE WHEN GROUPING(automation_id) = 0 THEN automation_id END AS automation_id,
               coalesce(sum(sign) FILTER (WHERE interaction_type = 'dm' AND status = 'sent'), 0) AS dm_sent,
               coalesce(sum(sign) FILTER (WHERE interaction_type = 'dm' AND status = 'failed'), 0) AS dm_failed,
               coalesce(sum(sign) FILTER (WHERE interaction_type = 'dm' AND status = 'pending'), 0) AS dm_pending,
               coalesce(sum(sign) FILTER (WHERE interaction_type = 'dm' AND status = 'skipped'), 0) AS dm_skipped,
               coalesce(sum(sign) FILTER (WHERE interaction_type = 'comment' AND status = 'sent'), 0) AS comment_sent,
               coalesce(sum(sign) FILTER (WHERE interaction_type = 'comment' AND status = 'failed'), 0) AS comment_failed,
               coalesce(sum(sign) FILTER (WHERE interaction_type = 'comment' AND status = 'pending'), 0) AS comment_pending,
               coalesce(sum(sign) FILTER (WHERE interaction_type = 'comment' AND status = 'skipped'), 0) AS comment_skipped,
               coalesce(sum(sign) FILTER (WHERE interaction_type = 'dm' AND status = 'sent' AND part = 0), 0) AS first_dm_sent,
               coalesce(sum(sign) FILTER (WHERE interaction_type = 'dm' AND status = 'failed' AND part = 0), 0) AS first_dm_failed,
               coalesce(sum(sign) FILTER (WHERE interaction_type = 'dm' AND status = 'pending' AND part = 0), 0) AS first_dm_pending,
               coalesce(sum(sign) FILTER (WHERE interaction_type = 'dm' AND status = 'skipped' AND part = 0), 0) AS first_dm_skipped,
               coalesce(sum(sign) FILTER (WHERE interaction_type = 'comment' AND status = 'sent' AND part = 0), 0) AS first_comment_sent,
               coalesce(sum(sign) FILTER (WHERE interaction_type = 'comment' AND status = 'failed' AND part = 0), 0) AS first_comment_failed,
               coalesce(sum(sign) FILTER (WHERE interaction_type = 'comment' AND status = 'pending' AND part = 0), 0) AS first_comment_pending,
               coalesce(sum(sign) FILTER (WHERE interaction_type = 'comment' AND status = 'skipped' AND part = 0), 0) AS first_comment_skipped
        FROM (
            SELECT *, date_trunc('hour', "timestamp", 'UTC') AS hour, -1 AS sign FROM old_rows
            UNION ALL
            SELECT *, date_trunc('hour', "timestamp", 'UTC'), 1 FROM new_rows
        ) AS changes
        GROUP BY GROUPING SETS ((user_id, instance_id, hour), (user_id, instance_id, hour, automation_id))
        HAVING GROUPING(automation_id) = 1 OR automation_id IS NOT NULL
    ) AS net
    -- An update that changes none of the counted columns (a username filled in, a retry's
    -- schedule) adds nothing.
    WHERE (dm_sent, dm_failed, dm_pending, dm_skipped, comment_sent, comment_failed, comment_pending, comment_skipped, first_dm_sent, first_dm_failed, first_dm_pending, first_dm_skipped, first_comment_sent, first_comment_failed, first_comment_pending, first_comment_skipped)
          <> (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0);
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
SELECT user_id, instance_id, hour, CASE WHEN GROUPING(automation_id) = 0 THEN automation_id END,
       count(*) FILTER (WHERE interaction_type = 'dm' AND status = 'sent') AS dm_sent,
       count(*) FILTER (WHERE interaction_type = 'dm' AND status = 'failed') AS dm_failed,
       count(*) FILTER (WHERE interaction_type = 'dm' AND status = 'pending') AS dm_pending,
       count(*) FILTER (WHERE interaction_type = 'dm' AND status = 'skipped') AS dm_skipped,
       count(*) FILTER (WHERE interaction_type = 'comment' AND status = 'sent') AS comment_sent,
       count(*) FILTER (WHERE interaction_type = 'comment' AND status = 'failed') AS comment_failed,
       count(*) FILTER (WHERE interaction_type = 'comment' AND status = 'pending') AS comment_pending,
       count(*) FILTER (WHERE interaction_type = 'comment' AND status = 'skipped') AS comment_skipped,
       count(*) FILTER (WHERE interaction_type = 'dm' AND status = 'sent' AND part = 0) AS first_dm_sent,
       count(*) FILTER (WHERE interaction_type = 'dm' AND status = 'failed' AND part = 0) AS first_dm_failed,
       count(*) FILTER (WHERE interaction_type = 'dm' AND status = 'pending' AND part = 0) AS first_dm_pending,
       count(*) FILTER (WHERE interaction_type = 'dm' AND status = 'skipped' AND part = 0) AS first_dm_skipped,
       count(*) FILTER (WHERE interaction_type = 'comment' AND status = 'sent' AND part = 0) AS first_comment_sent,
       count(*) FILTER (WHERE interaction_type = 'comment' AND status = 'failed' AND part = 0) AS first_comment_failed,
       count(*) FILTER (WHERE interaction_type = 'comment' AND status = 'pending' AND part = 0) AS first_comment_pending,
       count(*) FILTER (WHERE interaction_type = 'comment' AND status = 'skipped' AND part = 0) AS first_comment_skipped
FROM (SELECT *, date_trunc('hour', "timestamp", 'UTC') AS hour FROM instagram_reports) AS rows
GROUP BY GROUPING SETS ((user_id, instance_id, hour), (user_id, instance_id, hour, automation_id))
HAVING GROUPING(automation_id) = 1 OR automation_id IS NOT NULL;

-- Free-text search over who wrote, what they wrote and what was answered, and the automation
-- filter, both in time order for keyset pages.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX instagram_reports_search_idx ON instagram_reports USING gin (
    (coalesce(username, '') || ' ' || coalesce(interaction_text, '') || ' ' || coalesce(response_text, '')) gin_trgm_ops);
CREATE INDEX instagram_reports_automation_time_idx ON instagram_reports (automation_id, "timestamp" DESC, id DESC)
    WHERE automation_id IS NOT NULL;
