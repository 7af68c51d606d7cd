// Package rolestest makes the documents and images the role tests need:
// official documents in the Nghị định 30/2020 layout (two-column header,
// "Số:      /UBND-VP", "Đắk Lắk, ngày      tháng      năm 2026", body,
// "Nơi nhận:" and the signer block with title lines and the signer's
// name) from three producers — this package's own PDF writer in two quite
// different styles, and LibreOffice from an .odt — plus a scanned-style
// image-only PDF, and signature and seal PNGs.
//
// It is a test helper: it needs fonts-liberation2, and LibreOffice
// (libreoffice-writer-nogui) for the .odt producer.
package rolestest
