-- +goose Up
CREATE TABLE outbox (
	id             INTEGER PRIMARY KEY AUTOINCREMENT,
	client_id      TEXT NOT NULL UNIQUE,
	dedupe_key     TEXT NOT NULL UNIQUE,
	kind           TEXT NOT NULL,
	document_id    TEXT NOT NULL,
	business_type  INTEGER NOT NULL DEFAULT 0,
	status_code    TEXT NOT NULL DEFAULT '',
	recipients     TEXT NOT NULL,
	subject        TEXT NOT NULL DEFAULT '',
	file_name      TEXT NOT NULL DEFAULT '',
	package_path   TEXT NOT NULL,
	size           BIGINT NOT NULL,
	sha256         TEXT NOT NULL,
	state          TEXT NOT NULL,
	attempts       INTEGER NOT NULL DEFAULT 0,
	next_at        BIGINT NOT NULL,
	last_error     TEXT NOT NULL DEFAULT '',
	hub_message_id BIGINT,
	created_at     BIGINT NOT NULL,
	sent_at        BIGINT
);
CREATE INDEX outbox_due ON outbox(state, next_at);
CREATE TABLE inbox (
	id             INTEGER PRIMARY KEY AUTOINCREMENT,
	delivery_id    BIGINT NOT NULL UNIQUE,
	hub_message_id BIGINT NOT NULL,
	kind           TEXT NOT NULL,
	from_code      TEXT NOT NULL,
	document_id    TEXT NOT NULL,
	business_type  INTEGER NOT NULL DEFAULT 0,
	subject        TEXT NOT NULL DEFAULT '',
	state          TEXT NOT NULL,
	verdict        TEXT NOT NULL,
	verdict_detail TEXT NOT NULL DEFAULT '',
	folder         TEXT NOT NULL DEFAULT '',
	files          TEXT NOT NULL DEFAULT '[]',
	recall_reason  TEXT NOT NULL DEFAULT '',
	answer_reason  TEXT NOT NULL DEFAULT '',
	received_at    BIGINT NOT NULL,
	answered_at    BIGINT
);
CREATE INDEX inbox_document ON inbox(from_code, document_id);
CREATE TABLE status (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	document_id TEXT NOT NULL,
	doc_sender  TEXT NOT NULL,
	recipient   TEXT NOT NULL,
	code        TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	by_agency   TEXT NOT NULL,
	verified    INTEGER NOT NULL DEFAULT 0,
	delivery_id BIGINT UNIQUE,
	at          BIGINT NOT NULL
);
CREATE INDEX status_document ON status(doc_sender, document_id);
CREATE TABLE log (
	id          INTEGER PRIMARY KEY AUTOINCREMENT,
	at          BIGINT NOT NULL,
	action      TEXT NOT NULL,
	document_id TEXT NOT NULL,
	detail      TEXT NOT NULL DEFAULT ''
);
CREATE TABLE cursor (
	id    INTEGER PRIMARY KEY CHECK (id = 1),
	after BIGINT NOT NULL
);
INSERT INTO cursor (id, after) VALUES (1, 0);
-- +goose Down
DROP TABLE cursor;
DROP TABLE log;
DROP TABLE status;
DROP TABLE inbox;
DROP TABLE outbox;
