// Package calendar holds the dates the registers and reports count with:
// civil dates in Vietnam time ([Date]), working days (Saturdays, Sundays
// and the public holidays of a shipped, editable table excluded:
// [Calendar]) and reporting periods ([Period]): calendar months, quarters
// and years, free from–to ranges, and the periods of Nghị định
// 09/2019/NĐ-CP (monthly from the 15th of the previous month to the 14th;
// quarterly, 6-month, 9-month and annual likewise), with a configurable
// send-by deadline ([Deadline]).
package calendar
