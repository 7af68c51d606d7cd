-- +goose Up
CREATE TABLE common_kv (k TEXT PRIMARY KEY, v TEXT NOT NULL);
-- +goose Down
DROP TABLE common_kv;
