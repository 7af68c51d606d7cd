package hub

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/vanthu/vanthu/exchange/store"
)

// Audit actions.
const (
	ActSend          = "send"
	ActStatus        = "status"
	ActFetch         = "fetch"
	ActAck           = "ack"
	ActRecall        = "recall"
	ActRecallAnswer  = "recall.answer"
	ActRemoved       = "copy.removed"
	ActAgencyAdd     = "agency.add"
	ActAgencyRevoke  = "agency.revoke"
	ActCertIssue     = "cert.issue"
	ActCertRevoke    = "cert.revoke"
	ActHubInit       = "hub.init"
	genesisAuditHash = "0000000000000000000000000000000000000000000000000000000000000000"
)

// AuditEntry is one link of the audit chain.
type AuditEntry struct {
	Seq      int64     `json:"seq"`
	At       time.Time `json:"at"`
	Actor    string    `json:"actor"`
	Action   string    `json:"action"`
	Target   string    `json:"target"`
	Detail   string    `json:"detail"`
	PrevHash string    `json:"prev_hash"`
	Hash     string    `json:"hash"`
}

// auditHash chains an entry to the one before: SHA-256 over the previous
// hash and every field, each length-prefixed so no two entries collide.
func auditHash(prev string, seq, at int64, actor, action, target, detail string) string {
	h := sha256.New()
	var n [8]byte
	for _, s := range []string{prev, actor, action, target, detail} {
		binary.BigEndian.PutUint64(n[:], uint64(len(s)))
		h.Write(n[:])
		h.Write([]byte(s))
	}
	binary.BigEndian.PutUint64(n[:], uint64(seq))
	h.Write(n[:])
	binary.BigEndian.PutUint64(n[:], uint64(at))
	h.Write(n[:])
	return hex.EncodeToString(h.Sum(nil))
}

// auditLog collects the entries of one transaction. Every mutating
// transaction locks the chain head first (lockAudit), so writers on
// PostgreSQL are serialised in one order and never deadlock; SQLite's
// BEGIN IMMEDIATE already serialises them. The entries are chained as they
// are added and written together at the end of the transaction (flush).
type auditLog struct {
	seq     int64
	hash    string
	pending []any // the columns of the entries not yet written, 8 each
}

func (h *Hub) lockAudit(ctx context.Context, tx *store.Tx) (*auditLog, error) {
	q := "SELECT seq, hash FROM audit_head WHERE id = 1"
	if tx.Dialect() == store.Postgres {
		q += " FOR UPDATE"
	}
	a := &auditLog{}
	if err := tx.QueryRow(ctx, q).Scan(&a.seq, &a.hash); err != nil {
		return nil, fmt.Errorf("failed to lock audit trail: %w", err)
	}
	return a, nil
}

// add appends one entry; detail is marshalled as JSON.
func (a *auditLog) add(ctx context.Context, tx *store.Tx, at time.Time, actor, action, target string, detail any) error {
	d, err := json.Marshal(detail)
	if err != nil {
		return err
	}
	seq := a.seq + 1
	ts := micros(at)
	hash := auditHash(a.hash, seq, ts, actor, action, target, string(d))
	a.pending = append(a.pending, seq, ts, actor, action, target, string(d), a.hash, hash)
	a.seq, a.hash = seq, hash
	return nil
}

// auditRows is the most entries written by one statement (8 parameters
// each, well below both databases' limits).
const auditRows = 200

// flush writes the transaction's entries, a few hundred per statement, and
// the chain head once.
func (a *auditLog) flush(ctx context.Context, tx *store.Tx, from int64) error {
	if a.seq == from {
		return nil
	}
	for rest := a.pending; len(rest) > 0; {
		n := min(len(rest)/8, auditRows)
		q := "INSERT INTO audit (seq, at, actor, action, target, detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?)" +
			strings.Repeat(", (?, ?, ?, ?, ?, ?, ?, ?)", n-1)
		if _, err := tx.Exec(ctx, q, rest[:8*n]...); err != nil {
			return fmt.Errorf("failed to write audit entries: %w", err)
		}
		rest = rest[8*n:]
	}
	a.pending = nil
	if _, err := tx.Exec(ctx, "UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1", a.seq, a.hash); err != nil {
		return fmt.Errorf("failed to advance audit head: %w", err)
	}
	return nil
}

// AuditError locates the first broken link of the chain.
type AuditError struct {
	Seq    int64
	Reason string
}

func (e *AuditError) Error() string {
	return fmt.Sprintf("%v at entry %d: %s", ErrAuditBroken, e.Seq, e.Reason)
}

func (e *AuditError) Unwrap() error { return ErrAuditBroken }

// VerifyAudit walks the whole chain and checks every link and the head.
// It returns the number of entries, or an *AuditError for the first entry
// that was changed, removed or inserted.
func (h *Hub) VerifyAudit(ctx context.Context) (int64, error) {
	return VerifyAudit(ctx, h.db)
}

// VerifyAudit checks the audit chain of the hub database db.
func VerifyAudit(ctx context.Context, db *store.DB) (int64, error) {
	rows, err := db.Query(ctx, "SELECT seq, at, actor, action, target, detail, prev_hash, hash FROM audit ORDER BY seq")
	if err != nil {
		return 0, fmt.Errorf("failed to read audit trail: %w", err)
	}
	defer rows.Close()
	prev, want := genesisAuditHash, int64(1)
	for rows.Next() {
		var e AuditEntry
		var at int64
		if err := rows.Scan(&e.Seq, &at, &e.Actor, &e.Action, &e.Target, &e.Detail, &e.PrevHash, &e.Hash); err != nil {
			return 0, err
		}
		switch {
		case e.Seq != want:
			return 0, &AuditError{Seq: want, Reason: "entry missing"}
		case e.PrevHash != prev:
			return 0, &AuditError{Seq: e.Seq, Reason: "link to the previous entry broken"}
		case auditHash(prev, e.Seq, at, e.Actor, e.Action, e.Target, e.Detail) != e.Hash:
			return 0, &AuditError{Seq: e.Seq, Reason: "entry changed"}
		}
		prev, want = e.Hash, want+1
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	var headSeq int64
	var headHash string
	if err := db.QueryRow(ctx, "SELECT seq, hash FROM audit_head WHERE id = 1").Scan(&headSeq, &headHash); err != nil {
		return 0, fmt.Errorf("failed to read audit head: %w", err)
	}
	if headSeq != want-1 || headHash != prev {
		return 0, &AuditError{Seq: headSeq, Reason: "last entries removed (head does not match)"}
	}
	return want - 1, nil
}

// AuditEntries lists the entries after seq (at most limit).
func (h *Hub) AuditEntries(ctx context.Context, after int64, limit int) ([]AuditEntry, error) {
	return store.Collect(ctx, h.db, func(rows *sql.Rows) (AuditEntry, error) {
		var e AuditEntry
		var at int64
		err := rows.Scan(&e.Seq, &at, &e.Actor, &e.Action, &e.Target, &e.Detail, &e.PrevHash, &e.Hash)
		e.At = fromMicros(at)
		return e, err
	}, `SELECT seq, at, actor, action, target, detail, prev_hash, hash FROM audit WHERE seq > ? ORDER BY seq LIMIT ?`, after, limit)
}
