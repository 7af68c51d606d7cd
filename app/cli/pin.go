package cli

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"strings"

	"golang.org/x/term"

	"github.com/vanthu/vanthu/app/internal/bridge"
	"github.com/vanthu/vanthu/app/internal/i18n"
	"github.com/vanthu/vanthu/token"
)

// pinSource returns where the CLI takes the PIN from, in order: --pin-file,
// $VANTHU_PIN, then a prompt without echo when standard input is a
// terminal.
func (e *env) pinSource(pinFile string) token.PINSource {
	return token.PINFunc(func(ctx context.Context, req token.PINRequest) (string, error) {
		if pinFile != "" {
			b, err := os.ReadFile(pinFile)
			if err != nil {
				return "", fmt.Errorf("failed to read PIN file: %w", err)
			}
			pin := strings.TrimRight(string(b), "\r\n")
			if pin == "" {
				return "", token.ErrPINRequired
			}
			return pin, nil
		}
		if pin := e.getenv("VANTHU_PIN"); pin != "" {
			return pin, nil
		}
		fd, ok := e.terminal()
		if !ok {
			return "", token.ErrPINRequired
		}
		prompt := e.tr("pin.prompt", req.Token.Label)
		if req.ContextSpecific {
			prompt = e.tr("pin.prompt_again", req.Token.Label)
		}
		fmt.Fprint(e.stderr, prompt)
		b, err := term.ReadPassword(fd)
		fmt.Fprintln(e.stderr)
		if err != nil {
			return "", fmt.Errorf("failed to read PIN: %w", err)
		}
		if len(b) == 0 {
			return "", token.ErrPINRequired
		}
		return string(b), nil
	})
}

// terminal returns standard input's descriptor when it is a terminal.
func (e *env) terminal() (int, bool) {
	f, ok := e.stdin.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return 0, false
	}
	return int(f.Fd()), true
}

// confirmFinalTry asks the user, on a terminal, to confirm a login attempt
// that would lock the token if the PIN is wrong.
func (e *env) confirmFinalTry() bool {
	if _, ok := e.terminal(); !ok {
		return false
	}
	e.warnf(e.tr("pin.final_try_confirm"))
	line, err := bufio.NewReader(e.stdin).ReadString('\n')
	if err != nil && line == "" {
		return false
	}
	ans := strings.ToLower(strings.TrimSpace(line))
	return ans == "yes" || ans == "có" || ans == "co"
}

// unlock is the CLI's way of logging in: the PIN from pinSource, the
// token's PIN state warned about first, and the final try only with
// --confirm-final-try or a "có"/"yes" typed at the terminal.
func (e *env) unlock(pinFile string, confirmed bool) bridge.Unlock {
	return bridge.Unlock{
		PINs:            e.pinSource(pinFile),
		ConfirmFinalTry: confirmed,
		AskFinalTry:     func(context.Context, token.TokenInfo) bool { return e.confirmFinalTry() },
		Warn: func(t token.TokenInfo) {
			if w := i18n.PINWarning(i18n.Language(e.getenv), t.Flags); w != "" {
				e.warnf(w)
			}
		},
	}
}

// login logs s in under the rules of unlock (without the warning, which
// the caller shows). A wrong PIN is never retried.
func (e *env) login(ctx context.Context, s *token.Session, pinFile string, confirmed bool) error {
	u := e.unlock(pinFile, confirmed)
	u.Warn = nil
	return bridge.Login(ctx, u, s.Token(), func(o token.LoginOptions) error { return s.Login(ctx, u.PINs, o) })
}
