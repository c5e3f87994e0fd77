-- Rows are written in time order, so a BRIN index over their time is a few pages that name the
-- table's pages holding a period. A text search ANDs it with the trigram index, so a rare word's
-- newest matches are read from the recent pages only, not every match in the table.
CREATE INDEX instagram_reports_time_brin ON instagram_reports USING brin ("timestamp") WITH (pages_per_range = 32);
