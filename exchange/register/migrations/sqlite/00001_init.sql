-- +goose Up
-- Units form a tree; reg_unit_tree is its closure (every ancestor of every
-- unit, the unit itself at depth 0), so a subtree is one indexed join and
-- counts roll up to every ancestor in one GROUP BY.
CREATE TABLE reg_unit (
	id         INTEGER PRIMARY KEY,
	code       TEXT NOT NULL UNIQUE,
	name       TEXT NOT NULL,
	parent_id  BIGINT REFERENCES reg_unit(id),
	depth      INTEGER NOT NULL,
	active     INTEGER NOT NULL DEFAULT 1,
	created_at BIGINT NOT NULL
);
CREATE INDEX reg_unit_parent ON reg_unit(parent_id);
CREATE TABLE reg_unit_tree (
	ancestor_id BIGINT NOT NULL REFERENCES reg_unit(id),
	unit_id     BIGINT NOT NULL REFERENCES reg_unit(id),
	depth       INTEGER NOT NULL,
	PRIMARY KEY (ancestor_id, unit_id)
);
CREATE INDEX reg_unit_tree_unit ON reg_unit_tree(unit_id, ancestor_id);

-- Staff who handle documents, active from a day until a day (NULL: still active).
CREATE TABLE reg_staff (
	id           INTEGER PRIMARY KEY,
	unit_id      BIGINT NOT NULL REFERENCES reg_unit(id),
	name         TEXT NOT NULL,
	name_key     TEXT NOT NULL,
	title        TEXT NOT NULL DEFAULT '',
	email        TEXT NOT NULL DEFAULT '',
	active_from  INTEGER NOT NULL,
	active_until INTEGER,
	created_at   BIGINT NOT NULL
);
CREATE INDEX reg_staff_unit ON reg_staff(unit_id, active_from);
CREATE INDEX reg_staff_name ON reg_staff(name_key);

-- Certificates of staff (personal) and units (organisation), recorded at
-- enrolment or when first seen on a signed document.
CREATE TABLE reg_cert (
	id           INTEGER PRIMARY KEY,
	staff_id     BIGINT REFERENCES reg_staff(id),
	unit_id      BIGINT NOT NULL REFERENCES reg_unit(id),
	fingerprint  TEXT NOT NULL UNIQUE,
	serial       TEXT NOT NULL,
	issuer       TEXT NOT NULL,
	subject      TEXT NOT NULL,
	not_before   BIGINT NOT NULL,
	not_after    BIGINT NOT NULL,
	organisation INTEGER NOT NULL DEFAULT 0,
	revoked_at   BIGINT,
	source       TEXT NOT NULL,
	recorded_at  BIGINT NOT NULL
);
CREATE INDEX reg_cert_staff ON reg_cert(staff_id, not_after);

-- Outgoing register (sổ văn bản đi). Dates are YYYYMMDD integers, times
-- microseconds since 1970 (UTC).
CREATE TABLE reg_outgoing (
	id              INTEGER PRIMARY KEY,
	unit_id         BIGINT NOT NULL REFERENCES reg_unit(id),
	number          TEXT NOT NULL,
	doc_key         TEXT NOT NULL,
	doc_date        INTEGER NOT NULL,
	doc_type        TEXT NOT NULL DEFAULT '',
	subject         TEXT NOT NULL DEFAULT '',
	signer          TEXT NOT NULL DEFAULT '',
	signer_staff_id BIGINT REFERENCES reg_staff(id),
	secret          INTEGER NOT NULL DEFAULT 0,
	channel         TEXT NOT NULL,
	paper_reason    TEXT NOT NULL DEFAULT '',
	approve_sig     TEXT NOT NULL DEFAULT 'unverified',
	issue_sig       TEXT NOT NULL DEFAULT 'unverified',
	file_sha256     TEXT NOT NULL DEFAULT '',
	file_name       TEXT NOT NULL DEFAULT '',
	verified_at     BIGINT,
	document_id     TEXT NOT NULL DEFAULT '',
	sent_at         BIGINT,
	recall          TEXT NOT NULL DEFAULT '',
	recall_at       BIGINT,
	cancelled       INTEGER NOT NULL DEFAULT 0,
	source          TEXT NOT NULL,
	created_at      BIGINT NOT NULL,
	created_by      TEXT NOT NULL,
	-- 1 when the entry counts towards the e-exchange rate: not secret, sent
	-- over the network, both signatures valid (kept by the database).
	exchanged       INTEGER GENERATED ALWAYS AS (CASE WHEN secret = 0 AND channel <> 'paper' AND approve_sig = 'valid' AND issue_sig = 'valid' THEN 1 ELSE 0 END) STORED,
	UNIQUE (unit_id, doc_key)
);
-- Reports read a unit's entries by unit then date (small subtrees) or a
-- period's entries by date (large subtrees); both indexes cover the
-- columns the indicators need.
CREATE INDEX reg_outgoing_report ON reg_outgoing(unit_id, doc_date, cancelled, secret, channel, approve_sig, issue_sig, recall);
CREATE INDEX reg_outgoing_period ON reg_outgoing(cancelled, doc_date, unit_id, secret, channel, approve_sig, issue_sig, recall, exchanged);
CREATE INDEX reg_outgoing_trend ON reg_outgoing(cancelled, secret, doc_date, exchanged, unit_id);
CREATE INDEX reg_outgoing_document ON reg_outgoing(document_id);

CREATE TABLE reg_outgoing_to (
	outgoing_id BIGINT NOT NULL REFERENCES reg_outgoing(id),
	seq         INTEGER NOT NULL,
	agency      TEXT NOT NULL,
	status      TEXT NOT NULL DEFAULT '',
	status_at   BIGINT,
	PRIMARY KEY (outgoing_id, seq)
);

-- Every signature found on a registered document, with its verdict.
CREATE TABLE reg_signature (
	id          INTEGER PRIMARY KEY,
	outgoing_id BIGINT NOT NULL REFERENCES reg_outgoing(id),
	field       TEXT NOT NULL,
	role        TEXT NOT NULL,
	signer      TEXT NOT NULL,
	cert_id     BIGINT REFERENCES reg_cert(id),
	staff_id    BIGINT REFERENCES reg_staff(id),
	status      TEXT NOT NULL,
	signed_at   BIGINT,
	signed_day  INTEGER,
	problems    TEXT NOT NULL DEFAULT ''
);
CREATE INDEX reg_signature_outgoing ON reg_signature(outgoing_id);
CREATE INDEX reg_signature_staff ON reg_signature(staff_id, signed_day, status);
CREATE INDEX reg_signature_day ON reg_signature(signed_day, status, staff_id, outgoing_id);

-- Incoming register (sổ văn bản đến).
CREATE TABLE reg_incoming (
	id           INTEGER PRIMARY KEY,
	unit_id      BIGINT NOT NULL REFERENCES reg_unit(id),
	sender       TEXT NOT NULL,
	sender_name  TEXT NOT NULL DEFAULT '',
	number       TEXT NOT NULL,
	doc_key      TEXT NOT NULL,
	doc_date     INTEGER,
	doc_type     TEXT NOT NULL DEFAULT '',
	subject      TEXT NOT NULL DEFAULT '',
	document_id  TEXT NOT NULL DEFAULT '',
	channel      TEXT NOT NULL,
	secret       INTEGER NOT NULL DEFAULT 0,
	arrived_at   BIGINT NOT NULL,
	arrival_day  INTEGER NOT NULL,
	receipt      TEXT NOT NULL DEFAULT '',
	receipt_at   BIGINT,
	receipt_day  INTEGER,
	receipt_note TEXT NOT NULL DEFAULT '',
	status       TEXT NOT NULL DEFAULT '01',
	status_at    BIGINT,
	recalled     INTEGER NOT NULL DEFAULT 0,
	cancelled    INTEGER NOT NULL DEFAULT 0,
	source       TEXT NOT NULL,
	created_at   BIGINT NOT NULL,
	created_by   TEXT NOT NULL,
	UNIQUE (unit_id, doc_key)
);
CREATE INDEX reg_incoming_report ON reg_incoming(unit_id, arrival_day, cancelled, receipt_day, receipt, recalled);
CREATE INDEX reg_incoming_period ON reg_incoming(cancelled, arrival_day, unit_id, receipt_day, receipt, recalled);
CREATE INDEX reg_incoming_document ON reg_incoming(document_id);

-- What changed, by whom, when and why. Nothing in the registers is
-- deleted; a cancelled entry keeps its row and says so here.
CREATE TABLE reg_history (
	id        INTEGER PRIMARY KEY,
	entity    TEXT NOT NULL,
	entity_id BIGINT NOT NULL,
	unit_id   BIGINT NOT NULL,
	action    TEXT NOT NULL,
	field     TEXT NOT NULL DEFAULT '',
	old_value TEXT NOT NULL DEFAULT '',
	new_value TEXT NOT NULL DEFAULT '',
	reason    TEXT NOT NULL DEFAULT '',
	actor     TEXT NOT NULL,
	at        BIGINT NOT NULL
);
CREATE INDEX reg_history_entity ON reg_history(entity, entity_id, id);
CREATE INDEX reg_history_unit ON reg_history(unit_id, id);

-- +goose Down
DROP TABLE reg_history;
DROP TABLE reg_incoming;
DROP TABLE reg_signature;
DROP TABLE reg_outgoing_to;
DROP TABLE reg_outgoing;
DROP TABLE reg_cert;
DROP TABLE reg_staff;
DROP TABLE reg_unit_tree;
DROP TABLE reg_unit;
