-- +goose Up
-- Events for the Hook (the registers), written in the same transaction as
-- the send or status they describe and removed once the hook took them.
CREATE TABLE hook_queue (
	id          {{serial_pk}},
	document_id TEXT NOT NULL,
	event       TEXT NOT NULL,
	attempts    INTEGER NOT NULL DEFAULT 0,
	last_error  TEXT NOT NULL DEFAULT '',
	failed_at   BIGINT,
	created_at  BIGINT NOT NULL
);
-- The hub process that hands the queue to the hook (one at a time, so the
-- events of a document keep their order).
CREATE TABLE hook_lease (
	id     INTEGER PRIMARY KEY CHECK (id = 1),
	holder TEXT NOT NULL,
	until  BIGINT NOT NULL
);
INSERT INTO hook_lease (id, holder, until) VALUES (1, '', 0);
-- +goose Down
DROP TABLE hook_lease;
DROP TABLE hook_queue;
