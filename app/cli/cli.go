// Package cli is vanthu's command-line interface: one file per command
// (cmd_*.go), errors as "vanthu: error: …" and "vanthu: hint: …" lines,
// exit codes 0 (done), 1 (the work failed) and 2 (usage).
package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"

	"github.com/vanthu/vanthu/app/internal/appinfo"
	"github.com/vanthu/vanthu/app/internal/i18n"
)

// Exit codes of the CLI.
const (
	exitOK      = 0
	exitFailure = 1 // the command ran but something it was asked to do failed
	exitUsage   = 2 // bad arguments, unreadable input
)

// command is one CLI verb. run returns the exit code; it prints its own
// errors through e.fail / e.usage.
type command struct {
	name    string
	summary string // translation key
	run     func(e *env, args []string) int
}

// commands is the CLI's verb table. Each verb lives in its own cmd_*.go file.
var commands = []command{
	{"version", "cmd.version.summary", cmdVersion},
	{"token", "cmd.token.summary", cmdToken},
	{"sign", "cmd.sign.summary", cmdSign},
	{"verify", "cmd.verify.summary", cmdVerify},
	{"image", "cmd.image.summary", cmdImage},
	{"unit", "cmd.unit.summary", cmdUnit},
	{"staff", "cmd.staff.summary", cmdStaff},
	{"register", "cmd.register.summary", cmdRegister},
	{"report", "cmd.report.summary", cmdReport},
	{"hub", "cmd.hub.summary", cmdHub},
	{"enroll", "cmd.enroll.summary", cmdEnroll},
	{"send", "cmd.send.summary", cmdSend},
	{"inbox", "cmd.inbox.summary", cmdInbox},
	{"receive", "cmd.receive.summary", cmdReceive},
	{"status", "cmd.status.summary", cmdStatus},
	{"recall", "cmd.recall.summary", cmdRecall},
	{"outbox", "cmd.outbox.summary", cmdOutbox},
}

// env is what a CLI command sees of the process: standard streams and
// environment lookups, injectable for tests.
type env struct {
	stdin  io.Reader
	stdout io.Writer
	stderr io.Writer
	getenv func(string) string
}

// Run runs the command in args (without the program name) and returns the
// process exit code.
func Run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	e := &env{stdin: stdin, stdout: stdout, stderr: stderr, getenv: os.Getenv}
	return e.dispatch(args)
}

func (e *env) dispatch(args []string) int {
	if len(args) == 0 {
		e.printUsage(e.stderr)
		return exitUsage
	}
	name := args[0]
	switch {
	case isHelpArg(name):
		e.printUsage(e.stdout)
		return exitOK
	case name == "-version" || name == "--version":
		name = "version"
	}
	for _, c := range commands {
		if c.name == name {
			return c.run(e, args[1:])
		}
	}
	e.usagef(e.tr("cli.unknown_command", name))
	return exitUsage
}

func (e *env) printUsage(w io.Writer) {
	fmt.Fprintln(w, e.tr("cli.usage"))
	names := make([]string, 0, len(commands))
	for _, c := range commands {
		names = append(names, fmt.Sprintf("  %-8s %s", c.name, e.tr(c.summary)))
	}
	sort.Strings(names)
	fmt.Fprintln(w, strings.Join(names, "\n"))
}

// isHelpArg reports whether arg asks for help.
func isHelpArg(arg string) bool {
	switch arg {
	case "help", "-h", "-help", "--help":
		return true
	}
	return false
}

// askedHelp answers "vanthu COMMAND -h" for a command with verbs: when args
// start with a request for help, it prints the command's usage (usageKey)
// to standard output and returns true.
func (e *env) askedHelp(args []string, usageKey string) bool {
	if len(args) == 0 || !isHelpArg(args[0]) {
		return false
	}
	fmt.Fprintln(e.stdout, e.tr(usageKey))
	return true
}

// tr translates key for the CLI user.
func (e *env) tr(key string, args ...any) string {
	return i18n.T(i18n.Language(e.getenv), key, args...)
}

// fail prints a domain error as "vanthu: error: …" with its hint.
func (e *env) fail(err error) {
	msg, hint := i18n.Explain(i18n.Language(e.getenv), err)
	e.errorf(msg)
	if hint != "" {
		e.hintf(hint)
	}
}

// errorf prints "vanthu: error: …".
func (e *env) errorf(msg string) {
	fmt.Fprintf(e.stderr, "vanthu: error: %s\n", msg)
}

// hintf prints "vanthu: hint: …".
func (e *env) hintf(msg string) {
	fmt.Fprintf(e.stderr, "vanthu: hint: %s\n", msg)
}

// warnf prints "vanthu: warning: …".
func (e *env) warnf(msg string) {
	fmt.Fprintf(e.stderr, "vanthu: warning: %s\n", msg)
}

// usagef prints a usage error and the hint to ask for help.
func (e *env) usagef(msg string) {
	e.errorf(msg)
	e.hintf(e.tr("cli.hint_help"))
}

// newFlagSet returns a flag set that reports parse errors through usagef.
func (e *env) newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet("vanthu "+name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// parseFlags parses args, interleaving flags and positional arguments, and
// reports problems as usage errors. ok is false when the caller must return
// exitUsage (or exitOK for -h).
func (e *env) parseFlags(fs *flag.FlagSet, args []string) (positional []string, code int, ok bool) {
	rest := args
	for {
		if err := fs.Parse(rest); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				e.printFlags(e.stdout, fs)
				return nil, exitOK, false
			}
			e.usagef(e.flagErrorText(err))
			return nil, exitUsage, false
		}
		rest = fs.Args()
		if len(rest) == 0 {
			return positional, 0, true
		}
		if rest[0] == "--" {
			return append(positional, rest[1:]...), 0, true
		}
		positional = append(positional, rest[0])
		rest = rest[1:]
	}
}

// noArgs reports a usage error when a command that takes no positional
// arguments got some; it returns false then.
func (e *env) noArgs(rest []string) bool {
	if len(rest) == 0 {
		return true
	}
	e.usagef(e.tr("cli.unexpected_args", strings.Join(rest, " ")))
	return false
}

func cmdVersion(e *env, args []string) int {
	fmt.Fprintf(e.stdout, "vanthu %s\n", appinfo.Version)
	return exitOK
}
