package cli

import (
	"flag"
	"fmt"
	"io"
	"reflect"
	"regexp"
	"strconv"
	"strings"
)

// printFlags prints fs's flags as flag.PrintDefaults does, with the words
// the flag package adds (the kind of value, "default") in the user's
// language: in English the output is the same as PrintDefaults'.
func (e *env) printFlags(w io.Writer, fs *flag.FlagSet) {
	fs.VisitAll(func(f *flag.Flag) {
		var b strings.Builder
		b.WriteString("  -" + f.Name)
		kind, usage := flag.UnquoteUsage(f)
		if kind != "" {
			b.WriteString(" " + e.flagKind(kind))
		}
		if b.Len() <= 4 { // a one-letter bool flag: its help on the same line
			b.WriteString("\t")
		} else {
			b.WriteString("\n    \t")
		}
		b.WriteString(strings.ReplaceAll(usage, "\n", "\n    \t"))
		if !isZeroFlagValue(f) {
			def := f.DefValue
			if g, ok := f.Value.(flag.Getter); ok {
				if _, isString := g.Get().(string); isString {
					def = strconv.Quote(def)
				}
			}
			b.WriteString(" " + e.tr("cli.flag.default", def))
		}
		fmt.Fprintln(w, b.String())
	})
}

// flagKind translates the kind of value flag.UnquoteUsage names ("string",
// "duration", …); a name taken from the help's `back quotes` stays.
func (e *env) flagKind(kind string) string {
	switch kind {
	case "string", "int", "uint", "float", "duration", "value":
		return e.tr("cli.flag.kind." + kind)
	}
	return kind
}

// isZeroFlagValue reports whether f's default is its type's zero value, which
// the help leaves out (as the flag package does).
func isZeroFlagValue(f *flag.Flag) (zero bool) {
	defer func() {
		if recover() != nil { // a Value whose String fails on its zero value
			zero = true
		}
	}()
	typ := reflect.TypeOf(f.Value)
	var z reflect.Value
	if typ.Kind() == reflect.Pointer {
		z = reflect.New(typ.Elem())
	} else {
		z = reflect.Zero(typ)
	}
	return f.DefValue == z.Interface().(flag.Value).String()
}

// flagErrValue is the flag package's error for a value it cannot parse.
var flagErrValue = regexp.MustCompile(`^invalid (boolean )?value ("(?:[^"\\]|\\.)*") for (?:flag )?-(\S+): (.*)$`)

// flagErrorText translates an error of flag.FlagSet.Parse; one it does not
// know stays as it is.
func (e *env) flagErrorText(err error) string {
	msg := err.Error()
	if name, ok := strings.CutPrefix(msg, "flag provided but not defined: -"); ok {
		return e.tr("cli.flag.undefined", name)
	}
	if name, ok := strings.CutPrefix(msg, "flag needs an argument: -"); ok {
		return e.tr("cli.flag.needs_value", name)
	}
	if m := flagErrValue.FindStringSubmatch(msg); m != nil {
		if value, err := strconv.Unquote(m[2]); err == nil {
			key := "cli.flag.bad_value"
			if m[1] != "" {
				key = "cli.flag.bad_bool"
			}
			return e.tr(key, value, m[3], e.flagValueError(m[4]))
		}
	}
	if arg, ok := strings.CutPrefix(msg, "bad flag syntax: "); ok {
		return e.tr("cli.flag.bad_syntax", arg)
	}
	return msg
}

// flagValueError translates the two reasons the flag package gives for a
// number or boolean it cannot parse; other reasons stay.
func (e *env) flagValueError(reason string) string {
	switch reason {
	case "parse error":
		return e.tr("cli.flag.parse_error")
	case "value out of range":
		return e.tr("cli.flag.out_of_range")
	}
	return reason
}
