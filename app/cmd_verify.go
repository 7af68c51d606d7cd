package app

// cmdVerify is replaced by the verifier's CLI (issue 4).
func cmdVerify(e *env, args []string) int {
	e.errorf(e.tr("cli.not_available", "verify"))
	return exitFailure
}
