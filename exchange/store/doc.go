// Package store opens the exchange's SQL database — SQLite embedded by default
// or PostgreSQL for deployments that outgrow one machine — from one DSN, and
// gives every component the same few tools on top of database/sql:
//
//   - [Open] picks the dialect from the DSN: "postgres://…" or
//     "postgresql://…" (or "host=… dbname=…" key/value form) is PostgreSQL
//     through pgx's database/sql driver; anything else is a SQLite file path
//     (or "file:" URI), opened in WAL mode with synchronous=FULL, a busy
//     timeout and foreign keys on.
//   - [DB.Rebind] turns "?" placeholders into the dialect's form, so one SQL
//     text serves both; [DB.Exec], [DB.Query], [DB.QueryRow] and the same on
//     [Tx] rebind for you. INSERT … ON CONFLICT … DO UPDATE and RETURNING are
//     understood by both dialects, so upserts and returned ids need no helper
//     beyond [Tx.InsertID].
//   - [DB.Tx] runs a function in a transaction and retries it when SQLite is
//     busy or PostgreSQL reports a serialization failure or deadlock.
//   - [Migrate] applies one component's migration set (its own version table,
//     embedded SQL per dialect) with github.com/pressly/goose/v3.
//   - [DB.Listen] and [Tx.Notify] wake waiting readers when rows change, across
//     processes: LISTEN/NOTIFY on PostgreSQL, in-process signals plus short
//     polling on SQLite. A wake-up is only a hint; readers always re-query.
package store
