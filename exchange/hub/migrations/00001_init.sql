-- +goose Up
CREATE TABLE agency (
	code       TEXT PRIMARY KEY,
	name       TEXT NOT NULL,
	parent     TEXT REFERENCES agency(code),
	created_at BIGINT NOT NULL,
	revoked_at BIGINT
);
CREATE TABLE client_cert (
	serial     TEXT PRIMARY KEY,
	agency     TEXT NOT NULL REFERENCES agency(code),
	not_after  BIGINT NOT NULL,
	issued_at  BIGINT NOT NULL,
	revoked_at BIGINT,
	der        {{blob}} NOT NULL
);
CREATE INDEX client_cert_agency ON client_cert(agency);
CREATE TABLE blob (
	sha256     TEXT PRIMARY KEY,
	size       BIGINT NOT NULL,
	created_at BIGINT NOT NULL
);
CREATE TABLE blob_chunk (
	sha256 TEXT NOT NULL REFERENCES blob(sha256) ON DELETE CASCADE,
	seq    INTEGER NOT NULL,
	data   {{blob}} NOT NULL,
	PRIMARY KEY (sha256, seq)
);
CREATE TABLE message (
	id            {{serial_pk}},
	sender        TEXT NOT NULL,
	client_id     TEXT NOT NULL,
	kind          TEXT NOT NULL,
	document_id   TEXT NOT NULL,
	business_type INTEGER NOT NULL DEFAULT 0,
	status_code   TEXT NOT NULL DEFAULT '',
	description   TEXT NOT NULL DEFAULT '',
	subject       TEXT NOT NULL DEFAULT '',
	sha256        TEXT NOT NULL REFERENCES blob(sha256),
	size          BIGINT NOT NULL,
	created_at    BIGINT NOT NULL,
	UNIQUE (sender, client_id)
);
CREATE INDEX message_document ON message(sender, document_id);
CREATE TABLE delivery (
	id         {{serial_pk}},
	message_id BIGINT NOT NULL REFERENCES message(id),
	recipient  TEXT NOT NULL,
	state      TEXT NOT NULL,
	queued_at  BIGINT NOT NULL,
	fetched_at BIGINT,
	acked_at   BIGINT,
	removed_at BIGINT,
	UNIQUE (message_id, recipient)
);
CREATE INDEX delivery_inbox ON delivery(recipient, state, id);
CREATE TABLE status_log (
	id          {{serial_pk}},
	doc_sender  TEXT NOT NULL,
	document_id TEXT NOT NULL,
	recipient   TEXT NOT NULL,
	code        TEXT NOT NULL,
	description TEXT NOT NULL DEFAULT '',
	by_agency   TEXT NOT NULL,
	message_id  BIGINT,
	at          BIGINT NOT NULL
);
CREATE INDEX status_log_document ON status_log(doc_sender, document_id);
CREATE TABLE audit (
	seq       BIGINT PRIMARY KEY,
	at        BIGINT NOT NULL,
	actor     TEXT NOT NULL,
	action    TEXT NOT NULL,
	target    TEXT NOT NULL,
	detail    TEXT NOT NULL,
	prev_hash TEXT NOT NULL,
	hash      TEXT NOT NULL
);
CREATE TABLE audit_head (
	id   INTEGER PRIMARY KEY CHECK (id = 1),
	seq  BIGINT NOT NULL,
	hash TEXT NOT NULL
);
INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '0000000000000000000000000000000000000000000000000000000000000000');
-- +goose Down
DROP TABLE audit_head;
DROP TABLE audit;
DROP TABLE status_log;
DROP TABLE delivery;
DROP TABLE message;
DROP TABLE blob_chunk;
DROP TABLE blob;
DROP TABLE client_cert;
DROP TABLE agency;
