package exchangetest

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"runtime/pprof"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vanthu/vanthu/exchange/client"
	"github.com/vanthu/vanthu/exchange/edxmlcodec"
	"github.com/vanthu/vanthu/exchange/hub"
	"github.com/vanthu/vanthu/exchange/register"
	"github.com/vanthu/vanthu/exchange/registerhub"
	"github.com/vanthu/vanthu/exchange/report"
	"github.com/vanthu/vanthu/exchange/revcache"
	"github.com/vanthu/vanthu/exchange/wire"
	"github.com/vanthu/vanthu/signing/trust"
	"github.com/vanthu/vanthu/signing/verify"
)

// childEnv names the role a re-executed test binary plays.
const childEnv = "VANTHU_EXCHANGETEST_CHILD"

// Child runs the child role this process was started for, if any: call it
// first in TestMain, and exit with the code when ok is true.
//
//	func TestMain(m *testing.M) {
//		if code, ok := exchangetest.Child(); ok {
//			os.Exit(code)
//		}
//		os.Exit(pgtest.Run(m))
//	}
func Child() (code int, ok bool) {
	spec := os.Getenv(childEnv)
	if spec == "" {
		return 0, false
	}
	var err error
	switch role, arg, _ := strings.Cut(spec, ":"); role {
	case "hub":
		err = childHub(arg)
	case "send":
		err = childSend(arg)
	default:
		err = fmt.Errorf("unknown child role %q", role)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "child:", err)
		return 1, true
	}
	return 0, true
}

type hubSpec struct {
	HubProcess
	Trust []byte `json:"trust"` // DER of the root the agencies' keys chain to
}

// HubProcess is what a hub child process serves.
type HubProcess struct {
	// Dir is the hub folder and Addr its address ("127.0.0.1:0" is not
	// allowed: the address must survive restarts).
	Dir  string `json:"dir"`
	Addr string `json:"addr"`
	// DSN, when set, overrides the folder's database.
	DSN string `json:"dsn,omitempty"`
	// Registers keeps the registers on the hub as `vanthu hub serve` does
	// (exchange/registerhub, signatures verified online against the test
	// PKI).
	Registers bool `json:"registers,omitempty"`
	// CPUProfile, when set, is the file the child writes its CPU profile to
	// (complete once it has been stopped with Process.Stop).
	CPUProfile string `json:"cpu_profile,omitempty"`
}

// childCodec is the codec of a child process: the test root from the
// parent, and the hub's CA for its status 01.
func childCodec(rootDER []byte, hubCA *x509.Certificate) (*edxmlcodec.Codec, error) {
	root, err := x509.ParseCertificate(rootDER)
	if err != nil {
		return nil, err
	}
	ts, hubs := trust.New(), trust.New()
	ts.Add(root, trust.RoleAnchor, "test")
	if hubCA != nil {
		hubs.Add(hubCA, trust.RoleAnchor, "hub")
	}
	return &edxmlcodec.Codec{Trust: ts, HubTrust: hubs}, nil
}

func childHub(arg string) error {
	var s hubSpec
	if err := json.Unmarshal([]byte(arg), &s); err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	if s.CPUProfile != "" {
		f, err := os.Create(s.CPUProfile)
		if err != nil {
			return err
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer func() { pprof.StopCPUProfile(); _ = f.Close() }()
	}
	d, err := hub.LoadDir(s.Dir)
	if err != nil {
		return err
	}
	dsn := d.DSN()
	if s.DSN != "" {
		dsn = s.DSN
	}
	db, err := hub.OpenDB(ctx, dsn)
	if err != nil {
		return err
	}
	defer db.Close()
	codec, err := childCodec(s.Trust, d.CA.Cert)
	if err != nil {
		return err
	}
	var hook *registerhub.Hook
	var rp *report.Reporter
	cfg := hub.Config{DB: db, Codec: codec}
	if s.Registers {
		if hook, rp, err = registerhub.New(ctx, db, codec, register.VerifyWith(verify.Options{Trust: codec.Trust, Online: true, HTTPClient: revcache.Client(10 * time.Second)}),
			filepath.Join(s.Dir, "spool"), report.Options{}); err != nil {
			return err
		}
		cfg.Hook = hook
	}
	h, err := d.OpenHub(ctx, cfg)
	if err != nil {
		return err
	}
	defer h.Close()
	if hook != nil {
		hook.Attach(h, rp, nil)
	}
	ln, err := net.Listen("tcp", s.Addr)
	if err != nil {
		return err
	}
	fmt.Println("ready")
	return h.Serve(ctx, ln, d.CA.Cert, d.Server)
}

// SendSpec is what a "send" child does: queue Docs (re-running an
// interrupted batch) from the agency in ConfigDir/DataDir to To, then
// deliver until the outbox is empty.
type SendSpec struct {
	ConfigDir, DataDir string
	Trust              []byte // DER of the test root
	KeyPEM             []byte
	ChainDER           [][]byte
	To                 []string
	Docs               []client.OutgoingDocument
}

func childSend(arg string) error {
	raw, err := os.ReadFile(arg)
	if err != nil {
		return err
	}
	var s SendSpec
	if err := json.Unmarshal(raw, &s); err != nil {
		return err
	}
	ctx := context.Background()
	key, err := hub.ParseKeyPEM(s.KeyPEM)
	if err != nil {
		return err
	}
	signer := client.Signer{Key: key}
	for _, der := range s.ChainDER {
		c, err := parseCert(der)
		if err != nil {
			return err
		}
		signer.Chain = append(signer.Chain, c)
	}
	t, cfg, err := client.Dial(s.ConfigDir)
	if err != nil {
		return err
	}
	_, cas, err := client.LoadTLS(s.ConfigDir)
	if err != nil {
		return err
	}
	codec, err := childCodec(s.Trust, cas[0])
	if err != nil {
		return err
	}
	c, err := client.Open(ctx, client.Options{DataDir: s.DataDir, Agency: wire.Organization{Code: cfg.Agency, Name: cfg.AgencyName},
		Transport: t, Codec: codec, Verify: func(context.Context, string) client.Verdict {
			return client.Verdict{Status: client.VerdictValid} // the parent checked the files
		}, RetryMin: 20 * time.Millisecond, RetryMax: 200 * time.Millisecond})
	if err != nil {
		return err
	}
	defer c.Close()
	var to []wire.Organization
	for _, code := range s.To {
		to = append(to, wire.Organization{Code: code})
	}
	if _, err := c.QueueDocuments(ctx, s.Docs, to, signer, func(p client.QueueProgress) {
		if p.Stage == "queued" || p.Stage == "skipped" {
			fmt.Println(p.Stage, p.DocumentID)
		}
	}); err != nil {
		return err
	}
	_, err = c.Deliver(ctx, client.DeliverOptions{Wait: true}, func(p client.DeliverProgress) {
		fmt.Println(p.State, p.Entry.DocumentID)
	})
	return err
}

// Process is a running child process.
type Process struct {
	Cmd    *exec.Cmd
	Stdout *lineBuffer
	exited chan struct{}
}

// StartHubProcess serves the hub folder dir on addr ("127.0.0.1:0" is not
// allowed: the address must survive restarts) in a child process, with dsn
// overriding the folder's database when set. It returns once the hub
// listens.
func (e *Env) StartHubProcess(tb testing.TB, dir, addr, dsn string) *Process {
	return e.StartHub(tb, HubProcess{Dir: dir, Addr: addr, DSN: dsn})
}

// StartHub serves a hub in a child process as hp says and returns once it
// listens.
func (e *Env) StartHub(tb testing.TB, hp HubProcess) *Process {
	tb.Helper()
	spec, _ := json.Marshal(hubSpec{HubProcess: hp, Trust: e.PKI.Root.Cert.Raw})
	p := startChild(tb, "hub:"+string(spec))
	deadline := time.Now().Add(30 * time.Second)
	for !p.Stdout.Contains("ready") {
		select {
		case <-p.exited:
			tb.Fatalf("hub process exited during start-up: %v", p.Cmd.ProcessState)
		default:
		}
		if time.Now().After(deadline) {
			tb.Fatal("hub process did not start within 30 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	return p
}

// StartSendProcess runs a "send" child with spec.
func (e *Env) StartSendProcess(tb testing.TB, spec SendSpec) *Process {
	tb.Helper()
	spec.Trust = e.PKI.Root.Cert.Raw
	raw, err := json.Marshal(spec)
	if err != nil {
		tb.Fatal(err)
	}
	f := filepath.Join(tb.TempDir(), "send.json")
	if err := os.WriteFile(f, raw, 0o600); err != nil {
		tb.Fatal(err)
	}
	return startChild(tb, "send:"+f)
}

func startChild(tb testing.TB, spec string) *Process {
	exe, err := os.Executable()
	if err != nil {
		tb.Fatal(err)
	}
	cmd := exec.Command(exe, "-test.run=^$")
	cmd.Env = append(os.Environ(), childEnv+"="+spec)
	p := &Process{Cmd: cmd, Stdout: &lineBuffer{}, exited: make(chan struct{})}
	cmd.Stdout = p.Stdout
	cmd.Stderr = os.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
	if err := cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	go func() { _ = cmd.Wait(); close(p.exited) }()
	tb.Cleanup(func() { p.Kill() })
	return p
}

// Kill sends SIGKILL and waits for the process to end.
func (p *Process) Kill() {
	select {
	case <-p.exited:
		return
	default:
	}
	_ = p.Cmd.Process.Signal(syscall.SIGKILL)
	<-p.exited
}

// Stop asks the process to end (SIGTERM) and waits for it, killing it
// after d.
func (p *Process) Stop(d time.Duration) {
	_ = p.Cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(d):
		p.Kill()
	}
}

// Wait waits up to d for the process to exit and reports its success.
func (p *Process) Wait(d time.Duration) error {
	select {
	case <-p.exited:
		if !p.Cmd.ProcessState.Success() {
			return fmt.Errorf("child failed: %v", p.Cmd.ProcessState)
		}
		return nil
	case <-time.After(d):
		return fmt.Errorf("child still running after %v", d)
	}
}

// FreeAddr returns a loopback address that was free a moment ago.
func FreeAddr(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	addr := ln.Addr().String()
	_ = ln.Close()
	return addr
}
