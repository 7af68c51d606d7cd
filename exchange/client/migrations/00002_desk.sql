-- +goose Up
-- The desktop's outbox and inbox: why an entry waits (a code the front
-- ends translate), the header of each incoming document, and the last
-- handling status (04–06) sent for it.
ALTER TABLE outbox ADD COLUMN last_error_code TEXT NOT NULL DEFAULT '';
ALTER TABLE inbox ADD COLUMN header TEXT NOT NULL DEFAULT '{}';
ALTER TABLE inbox ADD COLUMN progress TEXT NOT NULL DEFAULT '';
-- +goose Down
ALTER TABLE inbox DROP COLUMN progress;
ALTER TABLE inbox DROP COLUMN header;
ALTER TABLE outbox DROP COLUMN last_error_code;
