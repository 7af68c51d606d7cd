package export

import (
	"strings"

	"github.com/vanthu/vanthu/exchange/register"
)

// OutgoingView is a list of the outgoing register as a table (what the
// desktop's register screen exports as CSV).
func OutgoingView(l Labels, entries []register.Outgoing) View {
	v := View{Name: "outgoing", Title: l("report.view.outgoing"), Columns: cols(l, "code", Text, "number", Text, "date", Date,
		"type", Text, "subject", Text, "signer", Text, "channel", Text, "to", Text, "approve", Text, "issue", Text,
		"secret", Text, "paper_reason", Text, "cancelled", Text)}
	for _, o := range entries {
		var to []string
		for _, r := range o.Recipients {
			s := r.Agency
			if r.Status != "" {
				s += " (" + r.Status + ")"
			}
			to = append(to, s)
		}
		v.Rows = append(v.Rows, []any{o.Unit, o.Number, o.Date, o.Type, o.Subject, o.Signer, l("report.channel." + string(o.Channel)),
			strings.Join(to, "; "), l("report.sig." + string(o.Approve)), l("report.sig." + string(o.Issue)), yes(l, o.Secret),
			o.PaperReason, yes(l, o.Cancelled)})
	}
	return v
}

// IncomingView is a list of the incoming register as a table.
func IncomingView(l Labels, entries []register.Incoming) View {
	v := View{Name: "incoming", Title: l("report.view.incoming"), Columns: cols(l, "code", Text, "sender", Text, "number", Text,
		"date", Date, "type", Text, "subject", Text, "channel", Text, "arrived", Time, "receipt", Text, "receipt_at", Time,
		"secret", Text, "cancelled", Text)}
	for _, in := range entries {
		sender := in.Sender
		if in.SenderName != "" {
			sender += " " + in.SenderName
		}
		var at any
		if !in.ReceiptAt.IsZero() {
			at = in.ReceiptAt
		}
		v.Rows = append(v.Rows, []any{in.Unit, sender, in.Number, in.Date, in.Type, in.Subject, l("report.channel." + string(in.Channel)),
			in.ArrivedAt, in.Receipt, at, yes(l, in.Secret), yes(l, in.Cancelled)})
	}
	return v
}

func yes(l Labels, b bool) string {
	if b {
		return l("report.yes")
	}
	return ""
}
