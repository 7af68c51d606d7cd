-- +goose Up
CREATE TABLE axis_doc (
	id         {{serial_pk}},
	doc_id     TEXT NOT NULL UNIQUE,
	kind       TEXT NOT NULL,
	first_seen BIGINT NOT NULL,
	-- set when getEdoc failed for good and updateStatus fail was sent:
	-- the document is not taken again
	failed_at  BIGINT,
	failure    TEXT NOT NULL DEFAULT ''
);
-- +goose Down
DROP TABLE axis_doc;
