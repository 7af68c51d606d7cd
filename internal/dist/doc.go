// Package dist tests what `make package` ships, from outside, as a user
// gets it: the Linux archive (unpacked, installed with its Makefile, the
// program run under the C locale), the Windows .exe (its resources, and its
// CLI run under Wine: version, verify on a document the project signs,
// token module discovery on a Windows folder layout), and the time from
// process start to the first window under Xvfb (a benchmark).
//
// The packages come from $VANTHU_DIST (make test sets it to dist/ after
// make package); without it the tests run scripts/package.sh themselves,
// into a temporary directory.
package dist
