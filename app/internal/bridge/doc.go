// Package bridge is what the command line (app/cli) and the desktop screens
// (app/gui) call to sign and verify: one code path from the user's choices
// to the domain packages (token, signing/pades, signing/roles,
// signing/verify), so that a document signed from the window and from the
// terminal goes through the same steps. It imports no Fyne and prints
// nothing: requests are data, progress comes back through callbacks,
// errors are the domain's (plus *UsageError for a request that cannot be
// carried out as given, with its translation key), and everything long
// takes a context for cancellation.
//
// The steps of a sign run:
//
//	jobs, err := bridge.Jobs(files, outFile, outDir)           // inputs and outputs, checked
//	s, err := bridge.OpenSigner(ctx, sel, unlock, getenv)        // a token (PKCS#11) or the demo store, one login
//	results := bridge.SignPlain(ctx, s, plainRequest, progress)  // a batch of plain signatures
//	rep, err := bridge.SignRole(ctx, s, roleRequest)             // one role signature (review … copy)
//
// and of a verify run: bridge.Verify(ctx, file, verifyOptions).
package bridge
