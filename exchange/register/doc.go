// Package register keeps the document registers of the exchange: the unit
// tree (agency code and parent), the staff of each unit with their
// certificates, the outgoing register (sổ văn bản đi) and the incoming
// register (sổ văn bản đến), with every correction kept in a history.
//
// Whether an outgoing document carries a valid competent person's
// signature and a valid organisation signature is decided by
// signing/verify on the sent file (the roles of signing/roles are read
// from the signature field names "Approve1", "Issue1", …), never by a
// checkbox: a register entry without a file is "unverified".
//
// Access follows the exchange's agency authorisation: every read and
// change takes an [Actor]; an agency may read and change the registers of
// its own unit and of every unit below it (its sub-units), never of its
// parent or siblings. The local operator of an embedded hub is an admin
// and may reach every unit.
//
// The exchange registers electronic sends, receipts, statuses and
// recalls itself through [Register.RecordSent] and
// [Register.RecordStatus]; clerks register paper sends with
// [Register.AddOutgoing] and load a backlog with [Register.ImportOutgoing]
// (one transaction: nothing half-imported).
//
// Data lives in the store's database (SQLite or PostgreSQL) under the
// migration set "register"; exchange/report computes the indicators from
// it in SQL.
package register
