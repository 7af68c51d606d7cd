package report

import (
	"encoding/json"
	"time"

	"github.com/vanthu/vanthu/exchange/calendar"
	"github.com/vanthu/vanthu/exchange/register"
)

// Ratio is a share with the counts behind it.
type Ratio struct {
	Num int `json:"num"`
	Den int `json:"den"`
}

// Value is Num/Den; ok is false when Den is 0 (nothing to count).
func (r Ratio) Value() (v float64, ok bool) {
	if r.Den == 0 {
		return 0, false
	}
	return float64(r.Num) / float64(r.Den), true
}

// Gap is what is missing to 100% (Den-Num, as a share).
func (r Ratio) Gap() Ratio { return Ratio{Num: r.Den - r.Num, Den: r.Den} }

// MarshalJSON writes {"num":…,"den":…,"value":0.875} (value null without a
// denominator).
func (r Ratio) MarshalJSON() ([]byte, error) {
	v, ok := r.Value()
	var p *float64
	if ok {
		p = &v
	}
	return json.Marshal(struct {
		Num   int      `json:"num"`
		Den   int      `json:"den"`
		Value *float64 `json:"value"`
	}{r.Num, r.Den, p})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (r *Ratio) UnmarshalJSON(b []byte) error {
	var v struct{ Num, Den int }
	if err := json.Unmarshal(b, &v); err != nil {
		return err
	}
	r.Num, r.Den = v.Num, v.Den
	return nil
}

// Counts are the counts of a unit's subtree in a period.
type Counts struct {
	// Outgoing documents (dated in the period, not cancelled).
	Outgoing     int `json:"outgoing"`      // all, secret ones included
	Secret       int `json:"secret"`        // left out of the rate
	Sent         int `json:"sent"`          // non-secret: the rate's denominator
	Electronic   int `json:"electronic"`    // sent over the network (electronic or both)
	Exchanged    int `json:"exchanged"`     // electronic with both signatures valid: the numerator
	PaperOnly    int `json:"paper_only"`    // on paper only
	Unsigned     int `json:"unsigned"`      // electronic, neither signature valid
	OneSignature int `json:"one_signature"` // electronic, only one of the two valid
	Recalls      int `json:"recalls"`       // recall asked (status 13)
	Recalled     int `json:"recalled"`      // recall accepted (status 15)
	// Incoming documents (arrived in the period, not cancelled).
	Received    int `json:"received"`
	OnTime      int `json:"confirmed_on_time"` // 03/02 the same or the next working day
	Late        int `json:"confirmed_late"`
	Unconfirmed int `json:"unconfirmed"`
	Refused     int `json:"refused"`           // confirmed with 02
	TakenBack   int `json:"incoming_recalled"` // documents their senders took back
	// Staff active on the period's last day.
	Staff         int `json:"active_staff"`
	StaffWithCert int `json:"staff_with_valid_certificate"`
	StaffSigned   int `json:"staff_who_signed"`
}

// Rates are the indicators of a Counts.
type Rates struct {
	Exchange   Ratio `json:"exchange_rate"`
	Gap        Ratio `json:"gap_to_target"`
	Timeliness Ratio `json:"receipt_timeliness"`
	CertCover  Ratio `json:"certificate_coverage"`
	SignCover  Ratio `json:"signing_coverage"`
}

// RatesOf derives the indicators from the counts.
func RatesOf(c Counts) Rates {
	ex := Ratio{Num: c.Exchanged, Den: c.Sent}
	return Rates{Exchange: ex, Gap: ex.Gap(), Timeliness: Ratio{Num: c.OnTime, Den: c.Received},
		CertCover: Ratio{Num: c.StaffWithCert, Den: c.Staff}, SignCover: Ratio{Num: c.StaffSigned, Den: c.Staff}}
}

// UnitRow is one unit of the report with its subtree's counts.
type UnitRow struct {
	Code   string `json:"code"`
	Name   string `json:"name"`
	Parent string `json:"parent,omitempty"`
	Depth  int    `json:"depth"` // below the report's unit (0 for it)
	Counts Counts `json:"counts"`
	Rates  Rates  `json:"rates"`
	Rank   int    `json:"rank,omitempty"` // in Ranking: 1 for the best
}

// TrendPoint is one period of the trend.
type TrendPoint struct {
	Period     calendar.Period `json:"period"`
	Exchange   Ratio           `json:"exchange_rate"`
	Timeliness Ratio           `json:"receipt_timeliness"`
}

// Reasons a document missed the target.
const (
	ReasonPaper      = "paper"      // sent on paper only
	ReasonUnverified = "unverified" // no sent file was registered to verify
	// "<role>_<verdict>": approve_missing, approve_invalid,
	// approve_indeterminate, issue_missing, …
)

// Missed is an outgoing document that missed the target.
type Missed struct {
	ID          int64              `json:"id"`
	Unit        string             `json:"unit"`
	UnitName    string             `json:"unit_name"`
	Number      string             `json:"number"`
	Date        calendar.Date      `json:"date"`
	Type        string             `json:"type,omitempty"`
	Subject     string             `json:"subject,omitempty"`
	Signer      string             `json:"signer,omitempty"`
	Channel     register.Channel   `json:"channel"`
	Approve     register.SigStatus `json:"approve"`
	Issue       register.SigStatus `json:"issue"`
	Reasons     []string           `json:"reasons"`
	PaperReason string             `json:"paper_reason,omitempty"`
}

// Receipt is an incoming document confirmed late or not at all.
type Receipt struct {
	ID        int64         `json:"id"`
	Unit      string        `json:"unit"`
	UnitName  string        `json:"unit_name"`
	Sender    string        `json:"sender"`
	Number    string        `json:"number"`
	ArrivedAt time.Time     `json:"arrived_at"`
	Due       calendar.Date `json:"due"` // the last day to confirm on time
	Receipt   string        `json:"receipt,omitempty"`
	ReceiptAt time.Time     `json:"receipt_at,omitempty"`
	Reason    string        `json:"reason"` // late | unconfirmed
}

// StaffGap is an active staff member who keeps the unit from full
// signing coverage.
type StaffGap struct {
	ID       int64  `json:"id"`
	Unit     string `json:"unit"`
	UnitName string `json:"unit_name"`
	Name     string `json:"name"`
	Title    string `json:"title,omitempty"`
	// Reasons: no_certificate (none recorded), certificate_expired (none
	// valid at the period's end), not_signed (no valid signature in the
	// period).
	Reasons []string `json:"reasons"`
}

// Report is the compliance report of a unit for a period.
type Report struct {
	Unit        UnitRow         `json:"unit"`
	Period      calendar.Period `json:"period"`
	Deadline    calendar.Date   `json:"deadline"`
	GeneratedAt time.Time       `json:"generated_at"`
	// Units is the whole subtree in tree order (the unit first), each
	// with its own subtree's counts.
	Units []UnitRow `json:"units"`
	// Ranking is the direct sub-units, best e-exchange rate first.
	Ranking []UnitRow    `json:"ranking"`
	Trend   []TrendPoint `json:"trend"`
	Missed  []Missed     `json:"missed"`
	// MissedTotal counts every missed document (Missed may be cut to a
	// limit).
	MissedTotal int        `json:"missed_total"`
	Receipts    []Receipt  `json:"late_receipts"`
	StaffGaps   []StaffGap `json:"staff_gaps"`
	// Warnings are codes: calendar_not_covered (the holiday table has no
	// rows for a year of the period: only weekends were excluded).
	Warnings []string `json:"warnings,omitempty"`
}
