-- +goose Up
CREATE TABLE child (
	item_id BIGINT NOT NULL REFERENCES item(id),
	note TEXT NOT NULL
);
-- +goose Down
DROP TABLE child;
