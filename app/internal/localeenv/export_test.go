package localeenv

// Normalize runs the package's init step again on the current environment.
func Normalize() error { return normalize(processEnv) }
