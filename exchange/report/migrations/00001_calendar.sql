-- +goose Up
-- The working-day table the indicators join with: for every day, whether
-- it is a working day and the first working day after it (the deadline of
-- a receipt confirmation). Filled from exchange/calendar, refilled when
-- the holiday table's fingerprint changes.
CREATE TABLE report_calendar (
	day          INTEGER PRIMARY KEY,
	workday      INTEGER NOT NULL,
	next_workday INTEGER NOT NULL
);
CREATE TABLE report_meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
);

-- +goose Down
DROP TABLE report_meta;
DROP TABLE report_calendar;
