package client_test

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/vanthu/vanthu/exchange/client"
	"github.com/vanthu/vanthu/exchange/hub"
	"github.com/vanthu/vanthu/exchange/register"
	"github.com/vanthu/vanthu/exchange/wire"
	"github.com/vanthu/vanthu/internal/exchangetest"
	"github.com/vanthu/vanthu/internal/pgtest"
	"github.com/vanthu/vanthu/internal/proccpu"
)

// benchPair is a hub served as `vanthu hub serve` serves it — its own
// process, loopback mutual TLS, the registers kept on the hub — with a
// sender A and a receiver B reached through the HTTP transport.
type benchPair struct {
	env   *exchangetest.Env
	admin *exchangetest.Hub // the hub's database, opened beside the process
	proc  *exchangetest.Process
	a     *exchangetest.Agency
	ta    *client.HTTPTransport
	tb    *client.HTTPTransport
	pdf   []byte
	seq   atomic.Int64
	runs  string
	pg    bool
	regs  bool // the registers are kept on the hub
	start time.Time
	cpu0  cpuSample
}

// VANTHU_BENCH_HUB_CPUPROFILE names a file for the hub process's CPU
// profile of the last run.
const hubProfileEnv = "VANTHU_BENCH_HUB_CPUPROFILE"

// newBenchPair serves a hub on dsn ("" SQLite) with the registers, or,
// with exchangeOnly, without them (the exchange path alone).
func newBenchPair(b *testing.B, dsn string, exchangeOnly bool) *benchPair {
	env := exchangetest.Shared(b)
	ctx := context.Background()
	d := env.InitDir(b, dsn, hub.Limits{RequestsPerMinute: -1})
	addr := exchangetest.FreeAddr(b)
	p := &benchPair{env: env, runs: strconv.FormatInt(time.Now().UnixNano(), 36), pg: dsn != "", regs: !exchangeOnly}
	p.admin = env.AdminHub(b, d, "https://"+addr)
	p.a = env.AddAgency(b, p.admin, codeA, "Sở A")
	bb := env.AddAgency(b, p.admin, codeB, "Sở B")
	// Both agencies keep their registers on the hub: each document makes
	// A's outgoing and B's incoming entry.
	reg, err := register.Open(ctx, register.Config{DB: p.admin.DB})
	if err != nil {
		b.Fatal(err)
	}
	for _, u := range []string{codeA, codeB} {
		if _, err := reg.AddUnit(ctx, register.Actor{Admin: true, Name: "bench"}, u, "Sở "+u, ""); err != nil {
			b.Fatal(err)
		}
	}
	p.proc = env.StartHub(b, exchangetest.HubProcess{Dir: d.Path, Addr: addr, DSN: dsn, Registers: !exchangeOnly, CPUProfile: os.Getenv(hubProfileEnv)})
	p.ta, p.tb = transport(b, p.a, "https://"+addr), transport(b, bb, "https://"+addr)
	path := env.SignedPDFs(b, filepath.Join(b.TempDir(), "pdf"), 1, 200<<10)[0]
	if p.pdf, err = os.ReadFile(path); err != nil {
		b.Fatal(err)
	}
	return p
}

// cpuSample is the CPU time used so far by the benchmark process (the
// clients), the hub process and the PostgreSQL server.
type cpuSample struct{ client, hub, pg time.Duration }

func (p *benchPair) cpu(b *testing.B) cpuSample {
	s := cpuSample{client: proccpu.Self()}
	var err error
	if s.hub, err = proccpu.Process(p.proc.Cmd.Process.Pid); err != nil {
		b.Fatal(err)
	}
	if p.pg {
		if s.pg, err = proccpu.Tree(pgtest.ServerPID(b)); err != nil {
			b.Fatal(err)
		}
	}
	return s
}

// begin starts the clock and the CPU counters.
func (p *benchPair) begin(b *testing.B) {
	b.ResetTimer()
	p.cpu0, p.start = p.cpu(b), time.Now()
}

// finish waits until the hub has registered every document, then reports
// registrations per second and the CPU time per document of the hub
// (receiving, storing, serving and registering), the clients (packing,
// signing, fetching) and the PostgreSQL server.
func (p *benchPair) finish(b *testing.B, n int) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	for {
		pending, failed, err := p.admin.Hub.HookBacklog(ctx)
		if err != nil || failed > 0 {
			b.Fatalf("register queue: %d set aside, %v", failed, err)
		}
		if pending == 0 {
			break
		}
		time.Sleep(5 * time.Millisecond)
	}
	b.StopTimer()
	elapsed, c := time.Since(p.start), p.cpu(b)
	per := func(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 / float64(n) }
	if p.regs {
		b.ReportMetric(float64(n)/elapsed.Seconds(), "registered/s")
	}
	b.ReportMetric(per(c.hub-p.cpu0.hub), "hub-cpu-ms/doc")
	b.ReportMetric(per(c.client-p.cpu0.client), "client-cpu-ms/doc")
	if p.pg {
		b.ReportMetric(per(c.pg-p.cpu0.pg), "pg-cpu-ms/doc")
	}
	if os.Getenv(hubProfileEnv) != "" {
		p.proc.Stop(30 * time.Second) // writes the profile
	}
}

// docID is the ID of the benchmark's document n.
func (p *benchPair) docID(n int64) string {
	return fmt.Sprintf("%s,2026/03/10,%d/B%s", codeA, n, strings.ToUpper(p.runs))
}

// send packs, signs and sends document n, 200 KB, to B.
func (p *benchPair) send(ctx context.Context, n int64) error {
	doc := wire.Document{From: wire.Organization{Code: codeA}, To: []wire.Organization{{Code: codeB}},
		DocumentID: p.docID(n), Subject: "bench",
		Files: []wire.File{{Name: "vb.pdf", ContentType: "application/pdf", Size: int64(len(p.pdf)),
			Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(p.pdf)), nil }}}}
	var buf bytes.Buffer
	if _, err := p.env.Codec.WriteDocument(ctx, &buf, doc, p.a.Signer.Key, p.a.Signer.Chain); err != nil {
		return err
	}
	raw := buf.Bytes()
	_, err := p.ta.Send(ctx, client.OutgoingPackage{ClientID: doc.DocumentID, Kind: wire.KindDocument, Size: int64(len(raw)),
		SHA256: sha256hex(raw), Open: func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(raw)), nil }})
	return err
}

// receive lists, fetches (checking the SHA-256) and acknowledges until
// want documents have been taken, calling done for each with its ID.
func (p *benchPair) receive(ctx context.Context, want int, done func(docID string)) error {
	got := 0
	for got < want {
		items, err := p.tb.Inbox(ctx, 0, 5*time.Second)
		if err != nil {
			return err
		}
		var ids []int64
		var docs []string
		var mu sync.Mutex
		var wg sync.WaitGroup
		var ferr error
		sem := make(chan struct{}, 4)
		for _, it := range items {
			if it.Kind != wire.KindDocument {
				ids = append(ids, it.DeliveryID)
				continue
			}
			wg.Add(1)
			sem <- struct{}{}
			go func() {
				defer wg.Done()
				defer func() { <-sem }()
				err := p.tb.Fetch(ctx, it, io.Discard)
				mu.Lock()
				defer mu.Unlock()
				if err != nil {
					ferr = err
					return
				}
				ids = append(ids, it.DeliveryID)
				docs = append(docs, it.DocumentID)
			}()
		}
		wg.Wait()
		if ferr != nil {
			return ferr
		}
		for len(ids) > 0 {
			k := min(len(ids), 200)
			if err := p.tb.Ack(ctx, ids[:k]); err != nil {
				return err
			}
			ids = ids[k:]
		}
		for _, d := range docs {
			done(d)
		}
		got += len(docs)
	}
	return nil
}

// benchStores runs fn on both stores with the hub as served (registers
// kept); with exchangeOnly, also without the registers (sub-benchmarks
// sqlite-exchange-only and postgres-exchange-only).
func benchStores(b *testing.B, exchangeOnly bool, fn func(b *testing.B, dsn string, exchangeOnly bool)) {
	b.Run("sqlite", func(b *testing.B) { fn(b, "", false) })
	b.Run("postgres", func(b *testing.B) { fn(b, pgtest.DSN(b), false) })
	if exchangeOnly {
		b.Run("sqlite-exchange-only", func(b *testing.B) { fn(b, "", true) })
		b.Run("postgres-exchange-only", func(b *testing.B) { fn(b, pgtest.DSN(b), true) })
	}
}

// BenchmarkEndToEnd: 200 KB signed PDFs from A to B over loopback mutual
// TLS, each sent (packed, signed, stored durably), listed, fetched and
// acknowledged (the hub emitting status 01); reports documents per second,
// and, as served, registrations per second (the hub registers each
// document: its PDF verified, A's outgoing and B's incoming entry).
func BenchmarkEndToEnd(b *testing.B) {
	benchStores(b, true, func(b *testing.B, dsn string, exchangeOnly bool) {
		p := newBenchPair(b, dsn, exchangeOnly)
		ctx := context.Background()
		b.SetBytes(int64(len(p.pdf)))
		p.begin(b)
		errc := make(chan error, 1)
		go func() { errc <- p.receive(ctx, b.N, func(string) {}) }()
		var next atomic.Int64
		var wg sync.WaitGroup
		for w := 0; w < 8; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for n := next.Add(1); n <= int64(b.N); n = next.Add(1) {
					if err := p.send(ctx, n); err != nil {
						b.Error(err)
						return
					}
				}
			}()
		}
		wg.Wait()
		if err := <-errc; err != nil {
			b.Fatal(err)
		}
		b.ReportMetric(float64(b.N)/time.Since(p.start).Seconds(), "docs/s")
		p.finish(b, b.N)
	})
}

// BenchmarkLatencyAt50PerSecond sends 200 KB documents at a steady 50 a
// second and reports the median and 99th percentile of the time from the
// start of a send to the end of its acknowledgement.
func BenchmarkLatencyAt50PerSecond(b *testing.B) {
	benchStores(b, false, func(b *testing.B, dsn string, _ bool) {
		p := newBenchPair(b, dsn, false)
		ctx := context.Background()
		n := max(b.N, 100)
		var mu sync.Mutex
		started := map[string]time.Time{}
		var lat []time.Duration
		p.begin(b)
		errc := make(chan error, 1)
		go func() {
			errc <- p.receive(ctx, n, func(id string) {
				mu.Lock()
				lat = append(lat, time.Since(started[id]))
				mu.Unlock()
			})
		}()
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		var wg sync.WaitGroup
		for i := 0; i < n; i++ {
			<-tick.C
			wg.Add(1)
			n := p.seq.Add(1)
			go func() {
				defer wg.Done()
				mu.Lock()
				started[p.docID(n)] = time.Now()
				mu.Unlock()
				if err := p.send(ctx, n); err != nil {
					b.Error(err)
				}
			}()
		}
		wg.Wait()
		if err := <-errc; err != nil {
			b.Fatal(err)
		}
		slices.Sort(lat)
		b.ReportMetric(float64(lat[len(lat)/2].Microseconds())/1000, "p50-ms")
		b.ReportMetric(float64(lat[len(lat)*99/100].Microseconds())/1000, "p99-ms")
		p.finish(b, n)
	})
}

// BenchmarkHubRSS sends a 50 MB package (and, to show the peak does not
// follow the size, a 10 MB one) to a hub running as its own process, as
// served (registers kept) and with the exchange alone, and reports that
// process's peak resident memory (VmHWM) before and after it stored (and
// registered) the package: the package is streamed to disk and into the
// database in pieces, never held whole.
func BenchmarkHubRSS(b *testing.B) {
	for _, c := range []struct {
		name      string
		size      int64
		registers bool
	}{{"50MB", 50 << 20, true}, {"10MB", 10 << 20, true}, {"50MB-exchange-only", 50 << 20, false}} {
		b.Run(c.name, func(b *testing.B) { benchHubRSS(b, c.size, c.registers) })
	}
}

func benchHubRSS(b *testing.B, size int64, registers bool) {
	env := exchangetest.Shared(b)
	d := env.InitDir(b, "", hub.Limits{})
	addr := exchangetest.FreeAddr(b)
	h := env.AdminHub(b, d, "https://"+addr)
	a := env.AddAgency(b, h, codeA, "Sở A")
	env.AddAgency(b, h, codeB, "Sở B")
	proc := env.StartHub(b, exchangetest.HubProcess{Dir: d.Path, Addr: addr, Registers: registers})
	ta := transport(b, a, "https://"+addr)
	big := filepath.Join(b.TempDir(), "big.pdf")
	// base64 makes the package 4/3 as large as the PDF
	if err := os.WriteFile(big, exchangetest.PaddedPDF(int((size-(256<<10))*3/4)), 0o600); err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	var before, after int64
	for i := 0; i < min(b.N, 3); i++ { // each round moves the whole package: a few are enough
		if i == 0 {
			before = vmHWM(b, proc.Cmd.Process.Pid) // a high-water mark: the first reading is the baseline
		}
		pkg := filepath.Join(b.TempDir(), "pkg")
		f, err := os.Create(pkg)
		if err != nil {
			b.Fatal(err)
		}
		st, _ := os.Stat(big)
		_, err = env.Codec.WriteDocument(ctx, f, wire.Document{From: wire.Organization{Code: codeA}, To: []wire.Organization{{Code: codeB}},
			DocumentID: fmt.Sprintf("%s,2026/03/10,%d/BIG", codeA, i+1), Subject: "big",
			Files: []wire.File{{Name: "big.pdf", ContentType: "application/pdf", Size: st.Size(), Open: func() (io.ReadCloser, error) { return os.Open(big) }}}},
			a.Signer.Key, a.Signer.Chain)
		f.Close()
		if err != nil {
			b.Fatal(err)
		}
		pst, _ := os.Stat(pkg)
		sum := sha256File(b, pkg)
		if _, err := ta.Send(ctx, client.OutgoingPackage{ClientID: fmt.Sprintf("big-%d", i), Kind: wire.KindDocument, Size: pst.Size(),
			SHA256: sum, Open: func() (io.ReadCloser, error) { return os.Open(pkg) }}); err != nil {
			b.Fatal(err)
		}
		if err := h.Hub.WaitHooks(ctx); err != nil { // registered too
			b.Fatal(err)
		}
		after = vmHWM(b, proc.Cmd.Process.Pid)
	}
	b.ReportMetric(float64(before)/1024, "hub-rss-before-MB")
	b.ReportMetric(float64(after)/1024, "hub-peak-rss-MB")
}

// vmHWM reads a process's peak resident set size in kB.
func vmHWM(b *testing.B, pid int) int64 {
	raw, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		b.Fatal(err)
	}
	for _, line := range strings.Split(string(raw), "\n") {
		if strings.HasPrefix(line, "VmHWM:") {
			v, _ := strconv.ParseInt(strings.Fields(line)[1], 10, 64)
			return v
		}
	}
	b.Fatal("no VmHWM")
	return 0
}

// sha256File is the hex SHA-256 of a file, read in a stream.
func sha256File(b *testing.B, path string) string {
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		b.Fatal(err)
	}
	return hex.EncodeToString(h.Sum(nil))
}
