-- Each instance's account figures per (UTC) day, synced daily from Meta's Insights API and on
-- demand (with a cooldown). profile_views stays NULL while Meta does not serve it (CONTRACT.md
-- §13: removed as a time series, its total value unconfirmed).
CREATE TABLE instance_insights (
    instance_id   text NOT NULL,
    user_id       text NOT NULL,
    day           date NOT NULL,
    followers     bigint NOT NULL,
    reach         bigint,
    views         bigint,
    profile_views bigint,
    synced_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (instance_id, day)
);
