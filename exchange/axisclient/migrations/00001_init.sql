-- +goose Up
CREATE TABLE axis_doc (
	id         {{serial_pk}},
	doc_id     TEXT NOT NULL UNIQUE,
	kind       TEXT NOT NULL,
	first_seen BIGINT NOT NULL
);
-- +goose Down
DROP TABLE axis_doc;
