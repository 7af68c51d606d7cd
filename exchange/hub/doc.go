// Package hub is the exchange's store-and-forward hub: agencies with their
// client certificates, packages stored once by SHA-256 and queued per
// recipient, inbox long-poll, fetch and acknowledgement (with status 01
// emitted on acknowledgement), statuses routed back to the sender and kept
// as per-recipient history, recall, limits, and a hash-chained audit trail
// of every send, fetch, status, recall and administrative action.
//
// State lives only in the database (SQLite or PostgreSQL through
// exchange/store), so several hub processes can share one PostgreSQL behind
// a load balancer: inbox waiters are woken across processes by
// store notifications.
//
// The HTTP API (NewHandler) runs behind mutual TLS (TLSConfig); the client's
// agency is the one its certificate, issued by the hub's CA, names.
package hub
