// Package pgtest starts a real PostgreSQL server for tests: Debian's
// postgresql binaries (scripts/install-deps.sh installs them), initdb in a
// temporary folder, listening only on a unix socket in that folder, owned by
// an unprivileged user when the tests run as root (PostgreSQL refuses to run
// as root), and stopped and removed when the test binary ends. One server
// serves the whole test binary; every test gets a fresh database.
//
// A package that uses it runs its tests through Run:
//
//	func TestMain(m *testing.M) { os.Exit(pgtest.Run(m)) }
//
// and asks for a database with DSN(t). If the server cannot start, the test
// fails; it never skips.
package pgtest

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // database/sql driver "pgx"
)

// Server is a running PostgreSQL server.
type Server struct {
	dir     string // temporary folder: data/, the socket, the log
	sockDir string
	cmd     *exec.Cmd
	exited  chan struct{}
	admin   *sql.DB
	stop    chan struct{} // closing it stops the server (from its own thread)
	stopped chan struct{}
}

var (
	mu      sync.Mutex
	running bool
	srv     *Server
	srvErr  error
	started bool
	dbSeq   atomic.Int64
)

// Run runs the tests of m and stops the server, if one was started, before
// it returns the exit code for os.Exit.
func Run(m *testing.M) int {
	mu.Lock()
	running = true
	mu.Unlock()
	code := m.Run()
	mu.Lock()
	s := srv
	mu.Unlock()
	if s != nil {
		s.Stop()
	}
	return code
}

// DSN creates a fresh, empty database for the test and returns its address
// ("postgres://…?host=<socket folder>"). The database is dropped when the
// test ends.
func DSN(tb testing.TB) string {
	tb.Helper()
	s, err := shared()
	if err != nil {
		tb.Fatalf("pgtest: %v", err)
	}
	name := fmt.Sprintf("t%d_%d", os.Getpid(), dbSeq.Add(1))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := s.admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		tb.Fatalf("pgtest: create database: %v", err)
	}
	tb.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := s.admin.ExecContext(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			tb.Errorf("pgtest: drop database: %v", err)
		}
	})
	return s.dsn(name)
}

// ServerPID is the process ID of the shared server's postmaster, which
// leads the process group of all its backends (for benchmarks that count
// the server's CPU time).
func ServerPID(tb testing.TB) int {
	tb.Helper()
	s, err := shared()
	if err != nil {
		tb.Fatalf("pgtest: %v", err)
	}
	return s.cmd.Process.Pid
}

func (s *Server) dsn(db string) string {
	q := url.Values{}
	q.Set("host", s.sockDir)
	q.Set("sslmode", "disable")
	return "postgres://postgres@/" + db + "?" + q.Encode()
}

func shared() (*Server, error) {
	mu.Lock()
	defer mu.Unlock()
	if !running {
		return nil, errors.New("the test binary must run its tests through pgtest.Run (func TestMain(m *testing.M) { os.Exit(pgtest.Run(m)) })")
	}
	if !started {
		started = true
		srv, srvErr = Start()
	}
	return srv, srvErr
}

// BinDir finds the PostgreSQL server binaries: the newest
// /usr/lib/postgresql/<version>/bin, else the folder of initdb on PATH.
func BinDir() (string, error) {
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool { return pgVersion(dirs[i]) > pgVersion(dirs[j]) })
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d, nil
		}
	}
	if p, err := exec.LookPath("initdb"); err == nil {
		return filepath.Dir(p), nil
	}
	return "", errors.New("PostgreSQL server binaries not found in /usr/lib/postgresql/*/bin or PATH (run scripts/install-deps.sh: it installs Debian's postgresql)")
}

func pgVersion(binDir string) int {
	v, _ := strconv.Atoi(filepath.Base(filepath.Dir(binDir)))
	return v
}

// Start initialises and starts a new server; Stop ends it. Most tests want
// DSN instead.
func Start() (*Server, error) {
	bin, err := BinDir()
	if err != nil {
		return nil, err
	}
	cred, owner, err := unprivileged()
	if err != nil {
		return nil, err
	}
	dir, err := os.MkdirTemp(tempBase(cred != nil), "pgtest-")
	if err != nil {
		return nil, fmt.Errorf("failed to create server folder: %w", err)
	}
	s := &Server{dir: dir, sockDir: dir, exited: make(chan struct{}), stop: make(chan struct{}), stopped: make(chan struct{})}
	fail := func(err error) (*Server, error) {
		_ = os.RemoveAll(dir)
		return nil, err
	}
	if owner != nil {
		if err := os.Chown(dir, owner[0], owner[1]); err != nil {
			return fail(fmt.Errorf("failed to hand the server folder to the postgres user: %w", err))
		}
	}
	data := filepath.Join(dir, "data")
	initdb := exec.Command(filepath.Join(bin, "initdb"), "-D", data, "-U", "postgres",
		"--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync", "--no-instructions")
	initdb.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	initdb.Dir = dir
	if out, err := initdb.CombinedOutput(); err != nil {
		return fail(fmt.Errorf("initdb failed: %w\n%s", err, out))
	}
	logPath := filepath.Join(dir, "server.log")
	logf, err := os.Create(logPath)
	if err != nil {
		return fail(err)
	}
	if owner != nil {
		_ = logf.Chown(owner[0], owner[1])
	}
	s.cmd = exec.Command(filepath.Join(bin, "postgres"), "-D", data,
		"-c", "listen_addresses=",
		"-c", "unix_socket_directories="+s.sockDir,
		"-c", "max_connections=300",
		"-c", "logging_collector=off",
		"-c", "log_min_messages=warning")
	s.cmd.Dir = dir
	s.cmd.Stdout, s.cmd.Stderr = logf, logf
	// The server dies with the test binary even if Stop never runs: the
	// parent-death signal is tied to the starting thread, which is locked
	// and kept until Stop.
	s.cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred, Pdeathsig: syscall.SIGQUIT, Setpgid: true}
	startErr := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		if err := s.cmd.Start(); err != nil {
			startErr <- err
			return
		}
		startErr <- nil
		go func() { _ = s.cmd.Wait(); _ = logf.Close(); close(s.exited) }()
		<-s.stop
		_ = s.cmd.Process.Signal(syscall.SIGINT) // fast shutdown
		select {
		case <-s.exited:
		case <-time.After(20 * time.Second):
			_ = s.cmd.Process.Kill()
			<-s.exited
		}
		close(s.stopped)
	}()
	if err := <-startErr; err != nil {
		return fail(fmt.Errorf("failed to start postgres: %w", err))
	}
	if err := s.waitReady(logPath); err != nil {
		s.Stop()
		return nil, err
	}
	return s, nil
}

func (s *Server) waitReady(logPath string) error {
	admin, err := sql.Open("pgx", s.dsn("postgres"))
	if err != nil {
		return err
	}
	admin.SetMaxOpenConns(4)
	deadline := time.Now().Add(60 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		err = admin.PingContext(ctx)
		cancel()
		if err == nil {
			s.admin = admin
			return nil
		}
		select {
		case <-s.exited:
			log, _ := os.ReadFile(logPath)
			_ = admin.Close()
			return fmt.Errorf("postgres exited during start-up:\n%s", log)
		default:
		}
		if time.Now().After(deadline) {
			log, _ := os.ReadFile(logPath)
			_ = admin.Close()
			return fmt.Errorf("postgres did not accept connections within a minute: %v\n%s", err, log)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// Stop shuts the server down and removes its folder.
func (s *Server) Stop() {
	if s.admin != nil {
		_ = s.admin.Close()
	}
	select {
	case <-s.stop:
	default:
		close(s.stop)
	}
	<-s.stopped
	_ = os.RemoveAll(s.dir)
}

// DSNFor returns the address of database db on this server.
func (s *Server) DSNFor(db string) string { return s.dsn(db) }

// unprivileged returns the credential to run the server with when the tests
// run as root (the "postgres" system user that Debian's package creates,
// else "nobody"), with its uid and gid; nil when no switch is needed.
func unprivileged() (*syscall.Credential, []int, error) {
	if os.Geteuid() != 0 {
		return nil, nil, nil
	}
	var u *user.User
	var err error
	for _, name := range []string{"postgres", "nobody"} {
		if u, err = user.Lookup(name); err == nil {
			break
		}
	}
	if u == nil {
		return nil, nil, fmt.Errorf("running as root and no unprivileged user (postgres, nobody) to run the server: %w", err)
	}
	uid, err1 := strconv.Atoi(u.Uid)
	gid, err2 := strconv.Atoi(u.Gid)
	if err1 != nil || err2 != nil {
		return nil, nil, fmt.Errorf("user %s has a non-numeric uid/gid", u.Username)
	}
	return &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid), NoSetGroups: true}, []int{uid, gid}, nil
}

// tempBase is the folder for the server's temporary folder. An
// unprivileged server user must be able to reach it, so as root a $TMPDIR
// that is not traversable by others falls back to /tmp.
func tempBase(needOthers bool) string {
	base := os.TempDir()
	if !needOthers {
		return base
	}
	for p := base; ; p = filepath.Dir(p) {
		st, err := os.Stat(p)
		if err != nil || st.Mode().Perm()&0o001 == 0 {
			return "/tmp"
		}
		if p == filepath.Dir(p) {
			return base
		}
	}
}

// String describes the server for logs.
func (s *Server) String() string {
	return "postgres at " + strings.TrimSpace(s.sockDir)
}
