// Package report computes a unit's e-exchange compliance for a period, with
// its sub-units, in SQL over the registers (exchange/register), with the
// same results on SQLite and PostgreSQL (DOMAIN.md §8):
//
//   - e-exchange rate: outgoing documents sent over the network with both
//     the competent person's and the organisation's signature valid ÷ all
//     non-secret outgoing documents, and the gap to the 100% target, with
//     the counts behind it (sent, electronic, paper only, electronic but
//     unsigned or with one valid signature, secret, recalls);
//   - receipt timeliness: incoming documents confirmed (status 03 or 02)
//     on the day of arrival or the next working day ÷ all incoming;
//   - staff signing coverage: active staff with a valid personal
//     certificate ÷ active staff, and active staff who signed in the period
//     ÷ active staff;
//   - the trend over the last 12 periods, a ranking of the direct
//     sub-units, every unit of the subtree (drill-down), and the lists of
//     what missed the target: documents with their reasons, late or
//     unconfirmed receipts, staff without a valid certificate or who did
//     not sign.
//
// A unit's counts include its whole subtree; the subtree is the register's
// closure table (reg_unit_tree), and working days come from a table filled
// from exchange/calendar. [Report] is data: exchange/report/export renders
// it as CSV and XLSX, exchange/report/pdfreport as the signed PDF report,
// app/ as a terminal table and a dashboard.
package report
