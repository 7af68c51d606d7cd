-- +goose Up
-- The SHA-256 of the signed file an incoming document arrived with (the
-- exchange's; '' for paper), so the copy a recipient opens can be checked
-- against what was registered.
ALTER TABLE reg_incoming ADD COLUMN file_sha256 TEXT NOT NULL DEFAULT '';
-- +goose Down
ALTER TABLE reg_incoming DROP COLUMN file_sha256;
