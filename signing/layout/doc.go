// Package layout extracts the text of a PDF page with its positions, for
// placing signatures and filling in the blanks of an official document
// (the signer block, "Số:", "ngày … tháng … năm …").
//
// It interprets the page's content streams (and the form XObjects they
// draw): the text operators Tf, Tc, Tw, Tz, TL, Ts, Tm, Td, TD, T*, Tj, TJ,
// ' and ", the graphics state (cm, q, Q), images (Do, inline BI…ID…EI).
// Codes are decoded with the font's ToUnicode CMap; without one, a simple
// font's /Encoding and /Differences (glyph names), a Type0 font's 2-byte
// CIDs. Glyphs are then merged by position into words and lines, so
// producers that draw each glyph separately, kern with TJ arrays or split
// a line into many text objects give the same result. A line (Line) is a
// run of words on one baseline without a wide gap: the two columns of a
// Nghị định 30 header come out as two lines.
//
// Everything is bounded (operators, glyphs, content bytes, form nesting,
// CMap sizes) and checked for cancellation; hostile input gives an error,
// never a panic or unbounded memory.
package layout
