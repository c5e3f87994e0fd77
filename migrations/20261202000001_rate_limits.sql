-- Rate limits that every server process shares: one row per key (what is limited and for whom),
-- holding the key's theoretical arrival time (GCRA). Unlogged: a crash forgets the state, which
-- only forgives a few requests, and taking a token writes no WAL.
CREATE UNLOGGED TABLE rate_limits (
    key text PRIMARY KEY,
    tat timestamptz NOT NULL
);

-- Takes one request's token under the key: 0 when allowed, otherwise how long until one is.
-- `emission` is the period divided by the count, `tolerance` the burst beyond one request.
CREATE FUNCTION rate_limit_take(k text, emission interval, tolerance interval) RETURNS interval
LANGUAGE plpgsql AS $$
DECLARE
    wait interval;
BEGIN
    INSERT INTO rate_limits AS r (key, tat) VALUES (k, now() + emission)
    ON CONFLICT (key) DO UPDATE SET tat = greatest(r.tat, now()) + emission
        WHERE r.tat - now() <= tolerance;
    IF FOUND THEN
        RETURN interval '0';
    END IF;
    SELECT r.tat - tolerance - now() INTO wait FROM rate_limits r WHERE r.key = k;
    RETURN greatest(wait, interval '1 millisecond');
END $$;
