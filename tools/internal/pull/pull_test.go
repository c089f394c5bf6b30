package pull

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chicago-welcoming-city/transparency/tools/internal/delivery"
	"github.com/chicago-welcoming-city/transparency/tools/internal/records"
	"github.com/chicago-welcoming-city/transparency/tools/internal/synth"
)

// server serves a delivery folder under /d/, with faults to inject.
type server struct {
	dir      string
	token    string
	mu       sync.Mutex
	requests map[string]int
	fail5xx  map[string]int // answer 503 this many times first
	drop     map[string]int // cut the connection mid-file this many times first
}

func newServer(t *testing.T, dir string) *server {
	return &server{dir: dir, requests: map[string]int{}, fail5xx: map[string]int{}, drop: map[string]int{}}
}

func (s *server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, "/d/")
	s.mu.Lock()
	s.requests[name]++
	fail, drop := s.fail5xx[name] > 0, s.drop[name] > 0
	if fail {
		s.fail5xx[name]--
	} else if drop {
		s.drop[name]--
	}
	s.mu.Unlock()
	if s.token != "" && r.Header.Get("Authorization") != "Bearer "+s.token {
		http.Error(w, "no", http.StatusUnauthorized)
		return
	}
	if fail {
		http.Error(w, "busy", http.StatusServiceUnavailable)
		return
	}
	b, err := os.ReadFile(filepath.Join(s.dir, name))
	if err != nil {
		http.NotFound(w, r)
		return
	}
	if drop {
		w.Header().Set("Content-Length", strconv.Itoa(len(b)))
		w.WriteHeader(http.StatusOK)
		w.Write(b[:len(b)/2])
		conn, _, err := http.NewResponseController(w).Hijack()
		if err == nil {
			conn.Close()
		}
		return
	}
	w.Write(b)
}

func (s *server) count(name string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.requests[name]
}

func synthDir(t *testing.T, rows int, exported time.Time) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "src")
	if _, err := synth.Write(dir, synth.Options{Rows: rows, Seed: 1, ExportedAt: exported}); err != nil {
		t.Fatal(err)
	}
	return dir
}

func fastOptions(store string) Options {
	return Options{Store: store, Keep: 5, Attempts: 4, Backoff: time.Millisecond, IdleTimeout: 2 * time.Second}
}

func TestPullOverHTTPAndNoOpSecondTime(t *testing.T) {
	t.Parallel()
	src := synthDir(t, 60, synth.DefaultExportedAt)
	s := newServer(t, src)
	s.token = "s3cret"
	ts := httptest.NewServer(s)
	defer ts.Close()
	store := t.TempDir()
	opt := fastOptions(store)
	opt.Token = "s3cret"

	res, err := Pull(context.Background(), ts.URL+"/d/", opt)
	if err != nil {
		t.Fatal(err)
	}
	if want := filepath.Join(store, "2026-11-16T120000Z"); res.Dir != want || res.NoOp || len(res.Files) != 4 {
		t.Fatalf("result = %+v, want the folder %s with 4 files", res, want)
	}
	for _, f := range []string{"manifest.json", "detainer_log.csv", "visa_certifications.csv"} {
		a, _ := os.ReadFile(filepath.Join(src, f))
		b, err := os.ReadFile(filepath.Join(res.Dir, f))
		if err != nil || !bytes.Equal(a, b) {
			t.Errorf("%s not copied intact: %v", f, err)
		}
	}
	again, err := Pull(context.Background(), ts.URL+"/d/", opt)
	if err != nil || !again.NoOp {
		t.Fatalf("second pull = %+v, %v; want a no-op", again, err)
	}
	if n := s.count("detainer_log.csv"); n != 1 {
		t.Errorf("detainer_log.csv requested %d times; the second pull must not download again", n)
	}
	if leftovers, _ := filepath.Glob(filepath.Join(store, ".pull-*")); len(leftovers) > 0 {
		t.Errorf("scratch left in the store: %v", leftovers)
	}
}

func TestPullNeedsTheToken(t *testing.T) {
	t.Parallel()
	s := newServer(t, synthDir(t, 10, synth.DefaultExportedAt))
	s.token = "s3cret"
	ts := httptest.NewServer(s)
	defer ts.Close()
	store := t.TempDir()
	_, err := Pull(context.Background(), ts.URL+"/d/", fastOptions(store))
	if err == nil || !strings.Contains(err.Error(), "WCO_SOURCE_TOKEN") {
		t.Fatalf("pull without the token: %v", err)
	}
	if s.count("manifest.json") != 1 {
		t.Errorf("a refusal must not be retried: %d requests", s.count("manifest.json"))
	}
	assertEmptyStore(t, store)
}

func TestPullRetriesServerErrorsAndDroppedConnections(t *testing.T) {
	t.Parallel()
	src := synthDir(t, 400, synth.DefaultExportedAt)
	s := newServer(t, src)
	s.fail5xx["manifest.json"] = 2
	s.drop["federal_incidents.csv"] = 2
	ts := httptest.NewServer(s)
	defer ts.Close()
	var log bytes.Buffer
	opt := fastOptions(t.TempDir())
	opt.Progress = &log
	res, err := Pull(context.Background(), ts.URL+"/d", opt)
	if err != nil {
		t.Fatalf("pull: %v\n%s", err, log.String())
	}
	if s.count("manifest.json") != 3 || s.count("federal_incidents.csv") != 3 {
		t.Errorf("requests: manifest %d, federal_incidents %d; want 3 each", s.count("manifest.json"), s.count("federal_incidents.csv"))
	}
	if !strings.Contains(log.String(), "try 1 of 4 failed") {
		t.Errorf("retries not reported:\n%s", log.String())
	}
	if _, err := os.Stat(filepath.Join(res.Dir, "federal_incidents.csv")); err != nil {
		t.Error(err)
	}
}

func TestPullGivesUpAfterAttempts(t *testing.T) {
	t.Parallel()
	s := newServer(t, synthDir(t, 10, synth.DefaultExportedAt))
	s.drop["detainer_log.csv"] = 100
	ts := httptest.NewServer(s)
	defer ts.Close()
	store := t.TempDir()
	_, err := Pull(context.Background(), ts.URL+"/d/", fastOptions(store))
	if err == nil || !strings.Contains(err.Error(), "after 4 tries") {
		t.Fatalf("pull with a file that always drops: %v", err)
	}
	assertEmptyStore(t, store)
}

func TestPullRejectsWrongChecksum(t *testing.T) {
	t.Parallel()
	src := synthDir(t, 30, synth.DefaultExportedAt)
	m := readManifest(t, src)
	m.Files[1].SHA256 = strings.Repeat("ab", 32)
	writeManifest(t, src, m)
	s := newServer(t, src)
	ts := httptest.NewServer(s)
	defer ts.Close()
	store := t.TempDir()
	_, err := Pull(context.Background(), ts.URL+"/d/", fastOptions(store))
	if err == nil || !strings.Contains(err.Error(), "assistance_requests.csv") || !strings.Contains(err.Error(), "sha256") {
		t.Fatalf("pull with a wrong checksum: %v", err)
	}
	if n := s.count("assistance_requests.csv"); n != 1 {
		t.Errorf("a file that arrives whole but does not verify must not be retried (%d requests)", n)
	}
	assertEmptyStore(t, store)
}

func TestPullRejectsWrongRowCount(t *testing.T) {
	t.Parallel()
	src := synthDir(t, 30, synth.DefaultExportedAt)
	m := readManifest(t, src)
	m.Files[0].Rows = 31
	writeManifest(t, src, m)
	store := t.TempDir()
	_, err := Pull(context.Background(), src, fastOptions(store))
	if err == nil || !strings.Contains(err.Error(), "30 rows, the manifest says 31") {
		t.Fatalf("pull with a wrong row count: %v", err)
	}
	assertEmptyStore(t, store)
}

func TestPullOverTLSAndFromFolder(t *testing.T) {
	t.Parallel()
	src := synthDir(t, 20, synth.DefaultExportedAt)
	ts := httptest.NewTLSServer(newServer(t, src))
	defer ts.Close()
	opt := fastOptions(t.TempDir())
	opt.Client = ts.Client()
	if _, err := Pull(context.Background(), ts.URL+"/d/", opt); err != nil {
		t.Fatalf("https: %v", err)
	}
	res, err := Pull(context.Background(), src, fastOptions(t.TempDir()))
	if err != nil || len(res.Files) != 4 {
		t.Fatalf("folder: %+v %v", res, err)
	}
}

func TestPullRefusesPlainHTTPBeyondLoopback(t *testing.T) {
	t.Parallel()
	for _, src := range []string{"http://records.example.org/d/", "http://10.0.0.5/d/", "https://user:pw@records.example.org/d/"} {
		_, err := Pull(context.Background(), src, fastOptions(t.TempDir()))
		if err == nil || strings.Contains(err.Error(), "pw") {
			t.Errorf("%s: %v", src, err)
		}
	}
	for _, h := range []string{"localhost", "127.0.0.1", "127.8.9.1", "::1"} {
		if !isLoopback(h) {
			t.Errorf("%s is loopback", h)
		}
	}
}

func TestPullKeepsNewestDeliveries(t *testing.T) {
	t.Parallel()
	store := t.TempDir()
	opt := fastOptions(store)
	opt.Keep = 2
	if err := os.MkdirAll(filepath.Join(store, "notes"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, day := range []int{14, 16, 15} {
		src := synthDir(t, 10, time.Date(2026, 11, day, 6, 0, 0, 0, time.UTC))
		if _, err := Pull(context.Background(), src, opt); err != nil {
			t.Fatal(err)
		}
	}
	entries, _ := os.ReadDir(store)
	var names []string
	for _, e := range entries {
		names = append(names, e.Name())
	}
	want := []string{"2026-11-15T060000Z", "2026-11-16T060000Z", "notes"}
	if strings.Join(names, " ") != strings.Join(want, " ") {
		t.Errorf("store holds %v, want %v", names, want)
	}
}

func TestPullShowsProgressForLargeFiles(t *testing.T) {
	t.Parallel()
	src := synthDir(t, 30_000, synth.DefaultExportedAt) // federal_incidents.csv is about 11 MB
	var log bytes.Buffer
	opt := fastOptions(t.TempDir())
	opt.Progress = &log
	if _, err := Pull(context.Background(), src, opt); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(log.String(), "federal_incidents.csv: 50%") || !strings.Contains(log.String(), "federal_incidents.csv: 100%") {
		t.Errorf("progress:\n%s", log.String())
	}
}

func assertEmptyStore(t *testing.T, store string) {
	t.Helper()
	entries, _ := os.ReadDir(store)
	if len(entries) != 0 {
		var names []string
		for _, e := range entries {
			names = append(names, e.Name())
		}
		t.Errorf("a failed pull left %v in the store", names)
	}
}

func readManifest(t *testing.T, dir string) *delivery.Manifest {
	b, err := os.ReadFile(filepath.Join(dir, delivery.ManifestName))
	if err != nil {
		t.Fatal(err)
	}
	m, err := delivery.ParseManifest(b)
	if err != nil {
		t.Fatal(err)
	}
	return m
}

func writeManifest(t *testing.T, dir string, m *delivery.Manifest) {
	b, _ := m.Marshal()
	if err := os.WriteFile(filepath.Join(dir, delivery.ManifestName), b, 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLatestIsTheNewestDelivery(t *testing.T) {
	t.Parallel()
	store := t.TempDir()
	if _, err := Latest(store); err == nil || !strings.Contains(err.Error(), "wco pull") {
		t.Errorf("empty store: %v, want an error saying to pull first", err)
	}
	for _, d := range []string{"2026-08-16T120000Z", "2026-11-16T120000Z", "2026-10-16T120000Z", "notes", ".partial-2027-01-01T000000Z"} {
		if err := os.MkdirAll(filepath.Join(store, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	got, err := Latest(store)
	if err != nil || filepath.Base(got) != "2026-11-16T120000Z" {
		t.Errorf("Latest = %q, %v; want the 2026-11-16 delivery", got, err)
	}
	all, _ := Deliveries(store)
	if strings.Join(all, " ") != "2026-11-16T120000Z 2026-10-16T120000Z 2026-08-16T120000Z" {
		t.Errorf("Deliveries = %v", all)
	}
}

// Over HTTPS without a manifest there is no list of files to match a
// pattern against: the pull is refused, saying how to go on; an export the
// system does not deliver is not asked for.
func TestPullByTheSystemsOwnNames(t *testing.T) {
	t.Parallel()
	src := t.TempDir()
	if err := os.WriteFile(filepath.Join(src, "I247_LOG_2026-11-16.csv"), []byte("log_id\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	exports := map[string]records.Mapping{
		"detainer_log":        {File: "I247_LOG_*.csv"},
		"assistance_requests": {NotDelivered: true},
		"federal_incidents":   {NotDelivered: true},
		"visa_certifications": {NotDelivered: true},
	}
	res, err := Pull(context.Background(), src, Options{Store: filepath.Join(t.TempDir(), "store"), Keep: 2, Exports: exports})
	if err != nil || len(res.Files) != 1 || res.Files[0] != "I247_LOG_2026-11-16.csv" {
		t.Fatalf("folder: %v %+v", err, res)
	}
	ts := httptest.NewServer(newServer(t, src))
	defer ts.Close()
	opt := fastOptions(filepath.Join(t.TempDir(), "store"))
	opt.Exports = exports
	_, err = Pull(context.Background(), ts.URL+"/d/", opt)
	if err == nil || !strings.Contains(err.Error(), "is a pattern, and the source lists no files without a manifest") {
		t.Errorf("a pattern over HTTPS without a manifest: %v", err)
	}
}

// A system that keeps a record across several files delivers each: the
// pull fetches the main file and every child file, by name or pattern.
func TestPullFetchesTheChildFiles(t *testing.T) {
	t.Parallel()
	src := t.TempDir()
	for _, name := range []string{"TRR-main_2021-2023.csv", "TRR-actions-responses_2021-2023.csv", "TRR-subjects_2021-2023.csv", "TRR-officers_2021-2023.csv"} {
		if err := os.WriteFile(filepath.Join(src, name), []byte("trr_id\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	exports := map[string]records.Mapping{
		"detainer_log":        {NotDelivered: true},
		"assistance_requests": {NotDelivered: true},
		"federal_incidents": {File: "TRR-main_*.csv", Children: []records.Child{
			{Name: "actions", File: "TRR-actions-responses_*.csv", Key: "trr_id"},
			{Name: "subjects", File: "TRR-subjects_2021-2023.csv", Key: "trr_id"},
		}},
		"visa_certifications": {NotDelivered: true},
	}
	res, err := Pull(context.Background(), src, Options{Store: filepath.Join(t.TempDir(), "store"), Keep: 2, Exports: exports})
	if err != nil || strings.Join(res.Files, " ") != "TRR-main_2021-2023.csv TRR-actions-responses_2021-2023.csv TRR-subjects_2021-2023.csv" {
		t.Fatalf("%v %+v", err, res)
	}
}
