package export

import (
	"encoding/csv"
	"io"
	"strconv"
	"time"

	"github.com/vanthu/vanthu/exchange/calendar"
	"github.com/vanthu/vanthu/exchange/report"
)

// CSV writes one view as CSV (UTF-8 with a byte order mark, so that Excel
// reads the diacritics): a header row, then numbers as plain numbers,
// percentages as the share with four decimals (0.8750), dates YYYY-MM-DD.
func CSV(w io.Writer, v View) error {
	if _, err := io.WriteString(w, "\ufeff"); err != nil {
		return err
	}
	cw := csv.NewWriter(w)
	var head []string
	for _, c := range v.Columns {
		head = append(head, c.Title)
	}
	if err := cw.Write(head); err != nil {
		return err
	}
	for _, row := range v.Rows {
		rec := make([]string, len(row))
		for i, x := range row {
			switch y := x.(type) {
			case nil:
			case string:
				rec[i] = y
			case int:
				rec[i] = strconv.Itoa(y)
			case report.Ratio:
				if f, ok := y.Value(); ok {
					rec[i] = strconv.FormatFloat(f, 'f', 4, 64)
				}
			case calendar.Date:
				rec[i] = y.String()
			case time.Time:
				rec[i] = y.In(calendar.Vietnam).Format(time.RFC3339)
			}
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}
