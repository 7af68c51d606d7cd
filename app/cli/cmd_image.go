package cli

import (
	"fmt"
	"os"
	"strings"

	"github.com/vanthu/vanthu/app/internal/i18n"
	"github.com/vanthu/vanthu/signing/stamp"
)

// cmdImage implements
//
//	vanthu image import --kind signature|seal --owner NAME FILE.png
//	vanthu image check [--kind signature|seal] FILE.png
//	vanthu image list [--json]
//	vanthu image remove --kind signature|seal --owner NAME
//
// Images live in --data-dir (default $VANTHU_DATA_DIR, else the user
// config dir/vanthu), under images/<kind>/<owner>.png.
func cmdImage(e *env, args []string) int {
	if e.askedHelp(args, "image.usage") {
		return exitOK
	}
	if len(args) == 0 {
		e.usagef(e.tr("image.usage"))
		return exitUsage
	}
	sub := args[0]
	fs := e.newFlagSet("image " + sub)
	c := imageCmd{e: e,
		kind:   fs.String("kind", "", e.tr("image.flag.kind")),
		owner:  fs.String("owner", "", e.tr("image.flag.owner")),
		asJSON: fs.Bool("json", false, e.tr("token.flag.json")),
	}
	dataDir := fs.String("data-dir", "", e.tr("image.flag.data_dir"))
	rest, code, ok := e.parseFlags(fs, args[1:])
	if !ok {
		return code
	}
	dir, err := e.dataDir(*dataDir)
	if err != nil {
		e.errorf(err.Error())
		return exitFailure
	}
	c.store = &stamp.Store{Dir: dir}
	switch sub {
	case "import", "check":
		if len(rest) != 1 {
			e.usagef(e.tr("image.usage"))
			return exitUsage
		}
		data, err := os.ReadFile(rest[0])
		if err != nil {
			e.usagef(e.tr("sign.no_input", rest[0]))
			return exitUsage
		}
		if sub == "check" {
			return c.check(rest[0], data)
		}
		return c.importImage(data)
	case "list":
		if !e.noArgs(rest) {
			return exitUsage
		}
		return c.list()
	case "remove":
		if !e.noArgs(rest) {
			return exitUsage
		}
		return c.remove()
	}
	e.usagef(e.tr("image.unknown", sub))
	return exitUsage
}

// imageCmd is one `vanthu image` command: its flags and the image store.
type imageCmd struct {
	e           *env
	kind, owner *string
	asJSON      *bool
	store       *stamp.Store
}

// kindOwner is the --kind and --owner the command needs (a usage error
// printed when either is missing).
func (c imageCmd) kindOwner() (stamp.Kind, bool) {
	k, err := stamp.ParseKind(*c.kind)
	if err != nil || strings.TrimSpace(*c.owner) == "" {
		c.e.usagef(c.e.tr("image.need_kind_owner"))
		return "", false
	}
	return k, true
}

func (c imageCmd) check(name string, data []byte) int {
	e := c.e
	info, _, err := stamp.Check(data)
	if err != nil {
		e.failImage(err)
		return exitFailure
	}
	fmt.Fprintln(e.stdout, e.tr("image.checked", name, info.Width, info.Height, info.Transparent*100, e.tr("image.ink."+string(info.Ink))))
	e.warnInk(*c.kind, info.Ink)
	return exitOK
}

func (c imageCmd) importImage(data []byte) int {
	e := c.e
	k, ok := c.kindOwner()
	if !ok {
		return exitUsage
	}
	ent, err := c.store.Import(k, *c.owner, data)
	if err != nil {
		e.failImage(err)
		return exitFailure
	}
	if *c.asJSON {
		return e.writeJSON(ent)
	}
	fmt.Fprintln(e.stdout, e.tr("image.imported", e.tr("image.kind."+string(k)), ent.Owner, ent.Path))
	e.warnInk(string(k), ent.Ink)
	return exitOK
}

func (c imageCmd) list() int {
	e := c.e
	list, err := c.store.List()
	if err != nil {
		e.errorf(err.Error())
		return exitFailure
	}
	if *c.asJSON {
		if list == nil {
			list = []stamp.Entry{}
		}
		return e.writeJSON(list)
	}
	if len(list) == 0 {
		fmt.Fprintln(e.stdout, e.tr("image.none", c.store.Dir))
		return exitOK
	}
	for _, ent := range list {
		fmt.Fprintf(e.stdout, "%-9s %-40s %4dx%-4d %s\n", ent.Kind, ent.Owner, ent.Width, ent.Height, ent.Path)
	}
	return exitOK
}

func (c imageCmd) remove() int {
	e := c.e
	k, ok := c.kindOwner()
	if !ok {
		return exitUsage
	}
	if err := c.store.Remove(k, *c.owner); err != nil {
		e.failImage(err)
		return exitFailure
	}
	fmt.Fprintln(e.stdout, e.tr("image.removed", e.tr("image.kind."+string(k)), *c.owner))
	return exitOK
}

// failImage prints an image store error.
func (e *env) failImage(err error) {
	msg, hint := i18n.ExplainSign(i18n.Language(e.getenv), "", err)
	e.errorf(msg)
	if hint != "" {
		e.hintf(hint)
	}
}

// warnInk warns when a signature is not blue or a seal not red.
func (e *env) warnInk(kind string, ink stamp.Ink) {
	k, err := stamp.ParseKind(kind)
	if err != nil {
		return
	}
	if k == stamp.KindSignature && ink != stamp.InkBlue {
		e.warnf(e.tr("sign.role.warn.signature_not_blue", e.tr("image.ink."+string(ink))))
	}
	if k == stamp.KindSeal && ink != stamp.InkRed {
		e.warnf(e.tr("sign.role.warn.seal_not_red", e.tr("image.ink."+string(ink))))
	}
}
