-- +goose Up
CREATE TABLE common_kv (
	id {{serial_pk}},
	k TEXT NOT NULL UNIQUE,
	v TEXT NOT NULL,
	b {{blob}}
);
-- +goose Down
DROP TABLE common_kv;
