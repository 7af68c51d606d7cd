-- +goose Up
CREATE TABLE axis_system (
	system_id     TEXT PRIMARY KEY,
	agency        TEXT NOT NULL,
	admin         INTEGER NOT NULL DEFAULT 0,
	key_id        TEXT NOT NULL,
	secret        {{blob}} NOT NULL,
	prev_secret   {{blob}},
	prev_until    BIGINT,
	created_at    BIGINT NOT NULL,
	rotated_at    BIGINT,
	revoked_at    BIGINT,
	revoke_reason TEXT NOT NULL DEFAULT ''
);
CREATE INDEX axis_system_agency ON axis_system(agency);
CREATE TABLE axis_agency_info (
	code       TEXT PRIMARY KEY,
	ext_id     TEXT NOT NULL DEFAULT '',
	mail       TEXT NOT NULL DEFAULT '',
	mobile     TEXT NOT NULL DEFAULT '',
	fax        TEXT NOT NULL DEFAULT '',
	updated_at BIGINT NOT NULL
);
CREATE TABLE axis_receive_status (
	delivery_id BIGINT PRIMARY KEY,
	status      TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	at          BIGINT NOT NULL
);
-- +goose Down
DROP TABLE axis_receive_status;
DROP TABLE axis_agency_info;
DROP TABLE axis_system;
