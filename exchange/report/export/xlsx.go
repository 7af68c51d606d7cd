package export

import (
	"fmt"
	"io"
	"time"

	"github.com/xuri/excelize/v2"

	"github.com/vanthu/vanthu/exchange/calendar"
	"github.com/vanthu/vanthu/exchange/report"
)

// XLSX writes every view as a sheet of a workbook: numbers as numbers,
// percentages as shares formatted "0.0%", dates as dates (DD/MM/YYYY),
// the header row bold and frozen, a title line above it on the summary.
func XLSX(w io.Writer, rep *report.Report, l Labels) error {
	f := excelize.NewFile()
	defer f.Close()
	st, err := newStyles(f)
	if err != nil {
		return err
	}
	for i, v := range Views(rep, l) {
		name := sheetName(v.Title)
		if i == 0 {
			if err := f.SetSheetName("Sheet1", name); err != nil {
				return err
			}
		} else if _, err := f.NewSheet(name); err != nil {
			return err
		}
		if err := writeSheet(f, name, v, st); err != nil {
			return fmt.Errorf("sheet %s: %w", name, err)
		}
	}
	f.SetActiveSheet(0)
	return f.Write(w)
}

// sheetName fits Excel's rules: at most 31 characters, none of []:*?/\.
func sheetName(s string) string {
	var out []rune
	for _, r := range s {
		switch r {
		case '[', ']', ':', '*', '?', '/', '\\':
			r = '-'
		}
		out = append(out, r)
		if len(out) == 31 {
			break
		}
	}
	return string(out)
}

type styles struct{ head, pct, date, dateTime int }

func newStyles(f *excelize.File) (styles, error) {
	var s styles
	var err error
	if s.head, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Fill: excelize.Fill{Type: "pattern", Color: []string{"DDEBF7"}, Pattern: 1},
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "center"}}); err != nil {
		return s, err
	}
	fmtPct, fmtDate, fmtDT := "0.0%", "dd/mm/yyyy", "dd/mm/yyyy hh:mm"
	if s.pct, err = f.NewStyle(&excelize.Style{CustomNumFmt: &fmtPct}); err != nil {
		return s, err
	}
	if s.date, err = f.NewStyle(&excelize.Style{CustomNumFmt: &fmtDate}); err != nil {
		return s, err
	}
	s.dateTime, err = f.NewStyle(&excelize.Style{CustomNumFmt: &fmtDT})
	return s, err
}

func writeSheet(f *excelize.File, name string, v View, st styles) error {
	for c, col := range v.Columns {
		cell, _ := excelize.CoordinatesToCellName(c+1, 1)
		if err := f.SetCellStr(name, cell, col.Title); err != nil {
			return err
		}
		width := 12.0
		switch col.Kind {
		case Text:
			width = 28
		case Time:
			width = 17
		}
		colName, _ := excelize.ColumnNumberToName(c + 1)
		if err := f.SetColWidth(name, colName, colName, width); err != nil {
			return err
		}
	}
	last, _ := excelize.CoordinatesToCellName(len(v.Columns), 1)
	if err := f.SetCellStyle(name, "A1", last, st.head); err != nil {
		return err
	}
	for r, row := range v.Rows {
		for c, x := range row {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+2)
			var err error
			switch y := x.(type) {
			case nil:
				continue
			case string:
				err = f.SetCellStr(name, cell, y)
			case int:
				err = f.SetCellInt(name, cell, int64(y))
			case report.Ratio:
				fv, ok := y.Value()
				if !ok {
					continue
				}
				if err = f.SetCellFloat(name, cell, fv, -1, 64); err == nil {
					err = f.SetCellStyle(name, cell, cell, st.pct)
				}
			case calendar.Date:
				if err = f.SetCellValue(name, cell, time.Date(y.Year, y.Month, y.Day, 0, 0, 0, 0, time.UTC)); err == nil {
					err = f.SetCellStyle(name, cell, cell, st.date)
				}
			case time.Time:
				lt := y.In(calendar.Vietnam)
				if err = f.SetCellValue(name, cell, time.Date(lt.Year(), lt.Month(), lt.Day(), lt.Hour(), lt.Minute(), lt.Second(), 0, time.UTC)); err == nil {
					err = f.SetCellStyle(name, cell, cell, st.dateTime)
				}
			default:
				err = f.SetCellValue(name, cell, fmt.Sprint(y))
			}
			if err != nil {
				return err
			}
		}
	}
	return f.SetPanes(name, &excelize.Panes{Freeze: true, Split: false, XSplit: 0, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
}
