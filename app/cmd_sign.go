package app

// cmdSign is replaced by the signing engine's CLI (issue 3).
func cmdSign(e *env, args []string) int {
	e.errorf(e.tr("cli.not_available", "sign"))
	return exitFailure
}
