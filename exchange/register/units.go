package register

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"regexp"
	"sort"
	"strings"

	"github.com/vanthu/vanthu/exchange/store"
)

// Unit is one unit of the tree: an agency (a people's committee), one of
// its offices, a ward.
type Unit struct {
	ID     int64  `json:"id"`
	Code   string `json:"code"`
	Name   string `json:"name"`
	Parent string `json:"parent,omitempty"` // the parent's code; "" for a root
	Depth  int    `json:"depth"`            // 0 for a root
	Active bool   `json:"active"`
}

// agencyCode accepts the codes of Quyết định 20/2020/QĐ-TTg (a letter and
// two digits, then dot-separated groups, at most 35 characters) and the old
// 13-character form NNN.NN.NN.XNN of the national exchange axis.
var (
	newCode = regexp.MustCompile(`^[A-Z][0-9]{2}(\.[A-Z0-9]+)*$`)
	oldCode = regexp.MustCompile(`^[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]{2}$`)
)

// ValidCode reports whether code is an agency code in either form.
func ValidCode(code string) bool {
	return len(code) <= 35 && (newCode.MatchString(code) || oldCode.MatchString(code))
}

// AddUnit adds a unit below parent ("" for a root: admins only).
func (r *Register) AddUnit(ctx context.Context, a Actor, code, name, parent string) (*Unit, error) {
	code, name, parent = strings.ToUpper(strings.TrimSpace(code)), strings.TrimSpace(name), strings.ToUpper(strings.TrimSpace(parent))
	if !ValidCode(code) {
		return nil, fmt.Errorf("%w: agency code %q (e.g. H40.12 or 000.00.12.H40)", ErrInvalid, code)
	}
	if name == "" {
		return nil, fmt.Errorf("%w: the unit has no name", ErrInvalid)
	}
	if parent == "" && !a.Admin {
		return nil, fmt.Errorf("%w: only the hub's operator adds a top-level unit", ErrForbidden)
	}
	now := r.now()
	var u *Unit
	err := r.db.Tx(ctx, func(tx *store.Tx) error {
		var parentID any
		depth := 0
		if parent != "" {
			pid, err := UnitScope(ctx, tx, a, parent)
			if err != nil {
				return err
			}
			if err := tx.QueryRow(ctx, "SELECT depth + 1 FROM reg_unit WHERE id = ?", pid).Scan(&depth); err != nil {
				return err
			}
			parentID = pid
		}
		id, err := store.InsertID(ctx, tx, `INSERT INTO reg_unit (code, name, parent_id, depth, active, created_at)
			VALUES (?, ?, ?, ?, 1, ?) RETURNING id`, code, name, parentID, depth, micros(now))
		if store.IsUniqueViolation(err) {
			return fmt.Errorf("%w: unit %s", ErrDuplicate, code)
		}
		if err != nil {
			return fmt.Errorf("failed to add unit: %w", err)
		}
		if _, err := tx.Exec(ctx, "INSERT INTO reg_unit_tree (ancestor_id, unit_id, depth) VALUES (?, ?, 0)", id, id); err != nil {
			return err
		}
		if parentID != nil {
			if _, err := tx.Exec(ctx, `INSERT INTO reg_unit_tree (ancestor_id, unit_id, depth)
				SELECT ancestor_id, ?, depth + 1 FROM reg_unit_tree WHERE unit_id = ?`, id, parentID); err != nil {
				return err
			}
		}
		u = &Unit{ID: id, Code: code, Name: name, Parent: parent, Depth: depth, Active: true}
		if err := r.record(ctx, tx, a, now, history{entity: "unit", entityID: id, unitID: id, action: "create", new: code + " " + name}); err != nil {
			return err
		}
		return tx.Notify(ctx, notifyChannel, code)
	})
	if err != nil {
		return nil, err
	}
	return u, nil
}

const unitColumns = `u.id, u.code, u.name, COALESCE(p.code, ''), u.depth, u.active`

func scanUnit(row interface{ Scan(...any) error }) (Unit, error) {
	var u Unit
	var active int
	err := row.Scan(&u.ID, &u.Code, &u.Name, &u.Parent, &u.Depth, &active)
	u.Active = active == 1
	return u, err
}

// Unit returns one unit.
func (r *Register) Unit(ctx context.Context, a Actor, code string) (*Unit, error) {
	id, err := UnitScope(ctx, r.db, a, code)
	if err != nil {
		return nil, err
	}
	u, err := scanUnit(r.db.QueryRow(ctx, "SELECT "+unitColumns+" FROM reg_unit u LEFT JOIN reg_unit p ON p.id = u.parent_id WHERE u.id = ?", id))
	if err != nil {
		return nil, fmt.Errorf("failed to read unit: %w", err)
	}
	return &u, nil
}

// Units lists the subtree of root ("" for the actor's own unit; for an
// admin, every unit) in tree order: each unit followed by its sub-units,
// siblings by code.
func (r *Register) Units(ctx context.Context, a Actor, root string) ([]Unit, error) {
	var rows *sql.Rows
	var err error
	if root == "" && a.Admin {
		rows, err = r.db.Query(ctx, "SELECT "+unitColumns+" FROM reg_unit u LEFT JOIN reg_unit p ON p.id = u.parent_id")
	} else {
		var id int64
		if id, err = UnitScope(ctx, r.db, a, root); err != nil {
			return nil, err
		}
		rows, err = r.db.Query(ctx, "SELECT "+unitColumns+` FROM reg_unit_tree t JOIN reg_unit u ON u.id = t.unit_id
			LEFT JOIN reg_unit p ON p.id = u.parent_id WHERE t.ancestor_id = ?`, id)
	}
	if err != nil {
		return nil, fmt.Errorf("failed to list units: %w", err)
	}
	defer rows.Close()
	var all []Unit
	for rows.Next() {
		u, err := scanUnit(rows)
		if err != nil {
			return nil, err
		}
		all = append(all, u)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	return TreeOrder(all), nil
}

// TreeOrder sorts units depth-first from their roots (the units whose
// parent is not in the list), siblings by code.
func TreeOrder(units []Unit) []Unit {
	byCode := map[string]bool{}
	children := map[string][]Unit{}
	for _, u := range units {
		byCode[u.Code] = true
	}
	var roots []Unit
	for _, u := range units {
		if u.Parent == "" || !byCode[u.Parent] {
			roots = append(roots, u)
		} else {
			children[u.Parent] = append(children[u.Parent], u)
		}
	}
	bySort := func(s []Unit) { sort.Slice(s, func(i, j int) bool { return s[i].Code < s[j].Code }) }
	bySort(roots)
	out := make([]Unit, 0, len(units))
	var walk func(u Unit)
	walk = func(u Unit) {
		out = append(out, u)
		c := children[u.Code]
		bySort(c)
		for _, k := range c {
			walk(k)
		}
	}
	for _, u := range roots {
		walk(u)
	}
	return out
}

// MoveUnit places a unit (with its sub-units) below another parent
// (administrative reorganisations). The actor must reach both the unit and
// the new parent; moving to the top level is for admins.
func (r *Register) MoveUnit(ctx context.Context, a Actor, code, parent, reason string) error {
	if strings.TrimSpace(reason) == "" {
		return ErrNoReason
	}
	parent = strings.ToUpper(strings.TrimSpace(parent))
	now := r.now()
	return r.db.Tx(ctx, func(tx *store.Tx) error {
		id, err := UnitScope(ctx, tx, a, code)
		if err != nil {
			return err
		}
		if a.Agency != "" && strings.EqualFold(a.Agency, code) && !a.Admin {
			return fmt.Errorf("%w: an agency cannot move its own unit", ErrForbidden)
		}
		var oldParent string
		if err := tx.QueryRow(ctx, "SELECT COALESCE(p.code, '') FROM reg_unit u LEFT JOIN reg_unit p ON p.id = u.parent_id WHERE u.id = ?", id).Scan(&oldParent); err != nil {
			return err
		}
		var pid any
		if parent != "" {
			p, err := UnitScope(ctx, tx, a, parent)
			if err != nil {
				return err
			}
			var n int
			if err := tx.QueryRow(ctx, "SELECT count(*) FROM reg_unit_tree WHERE ancestor_id = ? AND unit_id = ?", id, p).Scan(&n); err != nil {
				return err
			}
			if n > 0 {
				return ErrCycle
			}
			pid = p
		} else if !a.Admin {
			return fmt.Errorf("%w: only the hub's operator makes a top-level unit", ErrForbidden)
		}
		// Cut the subtree from its old ancestors, then hang it below the new parent.
		if _, err := tx.Exec(ctx, `DELETE FROM reg_unit_tree WHERE unit_id IN (SELECT unit_id FROM reg_unit_tree WHERE ancestor_id = ?)
			AND ancestor_id NOT IN (SELECT unit_id FROM reg_unit_tree WHERE ancestor_id = ?)`, id, id); err != nil {
			return fmt.Errorf("failed to move unit: %w", err)
		}
		if pid != nil {
			if _, err := tx.Exec(ctx, `INSERT INTO reg_unit_tree (ancestor_id, unit_id, depth)
				SELECT up.ancestor_id, down.unit_id, up.depth + down.depth + 1
				FROM reg_unit_tree up, reg_unit_tree down WHERE up.unit_id = ? AND down.ancestor_id = ?`, pid, id); err != nil {
				return fmt.Errorf("failed to move unit: %w", err)
			}
		}
		if _, err := tx.Exec(ctx, "UPDATE reg_unit SET parent_id = ? WHERE id = ?", pid, id); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE reg_unit SET depth = (SELECT count(*) - 1 FROM reg_unit_tree t WHERE t.unit_id = reg_unit.id)
			WHERE id IN (SELECT unit_id FROM reg_unit_tree WHERE ancestor_id = ?)`, id); err != nil {
			return err
		}
		if err := r.record(ctx, tx, a, now, history{entity: "unit", entityID: id, unitID: id, action: "correct", field: "parent",
			old: oldParent, new: parent, reason: reason}); err != nil {
			return err
		}
		return tx.Notify(ctx, notifyChannel, code)
	})
}

// unitByCode is the id of a unit (no access check).
func unitByCode(ctx context.Context, q store.Querier, code string) (int64, error) {
	var id int64
	err := q.QueryRow(ctx, "SELECT id FROM reg_unit WHERE code = ?", strings.ToUpper(strings.TrimSpace(code))).Scan(&id)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("%w: unit %q", ErrNotFound, code)
	}
	return id, err
}
