// Package roles signs official documents in the roles of the Nghị định
// 30/2020/NĐ-CP process, on top of the signing engine:
//
//   - Review: the drafter's or unit head's approval ("ký nháy"), an
//     invisible signature recorded with the reviewer's name and position,
//     allowed only before the competent person signs.
//   - Approve: the competent person's signature, whose appearance is their
//     blue handwritten signature placed between the title lines and the
//     name line of the signer block, found automatically from the page's
//     text (FindSignerBlock) or given.
//   - Issue: the clerk's organisation signature. It is refused unless the
//     document carries a valid Approve signature; it writes the number
//     ("Số: 123/UBND-VP") and the issue date ("ngày 21 tháng 11 năm
//     2026") into the blanks of the first page (FindNumber, FindDate) with
//     an embedded font, and its appearance is the red seal at its real
//     size over the left third of the approve image.
//   - Attachment and Copy: organisation signatures on attached files and
//     electronic copies, with a 10 pt text box at the top right of page 1.
//
// The number, the date and the seal belong to the issue signature: they
// are widgets of its signature field (signing.Options.Widgets), written in
// the revision that signature covers. Every validator treats a new signed
// signature field with its widgets as an allowed change after earlier
// signatures, so review → approve → issue verifies as a chain of valid
// signatures. Writing the number and date into the page content or as
// FreeText annotations would instead be a disallowed change after the
// approval (pyHanko, Adobe, this project's verifier).
//
// Roles are recorded in the field names ("Review1", "Approve1", "Issue1",
// "Attachment1", "Copy1"); Issue also accepts a valid visible signature
// made by another tool, by someone other than the organisation, as the
// approval.
package roles
