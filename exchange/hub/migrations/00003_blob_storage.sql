-- +goose Up
-- Packages are compressed PDFs in base64: PostgreSQL's compression would
-- spend CPU on every stored piece for next to nothing. Kept out of line,
-- uncompressed.
{{postgres}}ALTER TABLE blob_chunk ALTER COLUMN data SET STORAGE EXTERNAL;
-- +goose Down
{{postgres}}ALTER TABLE blob_chunk ALTER COLUMN data SET STORAGE EXTENDED;
