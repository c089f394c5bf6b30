package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chicago-welcoming-city/transparency/tools/internal/period"
	"github.com/chicago-welcoming-city/transparency/tools/internal/publish"
	"github.com/chicago-welcoming-city/transparency/tools/internal/site"
)

// TestFailedBuildKeepsPreviousOutput: after a good build, a bad delivery,
// a failing render or a cancelled build changes nothing in data/current,
// data/downloads or public/, and leaves no generation behind.
func TestFailedBuildKeepsPreviousOutput(t *testing.T) {
	t.Parallel()
	cfg := loadConfig(t, nil)
	good := synthDelivery(t, 150, 9)
	o := newOutputs(t)
	mustBuild(t, o.pipe(cfg, good, &pages{}))
	before := o.snapshot(t)
	if len(before) < 30 {
		t.Fatalf("the good build wrote only %d files", len(before))
	}

	t.Run("bad delivery", func(t *testing.T) {
		bad := synthDelivery(t, 150, 10)
		path := filepath.Join(bad, "visa_certifications.csv")
		b, _ := os.ReadFile(path)
		lines := strings.SplitN(string(b), "\r\n", 4)
		lines[2] = strings.Replace(lines[2], ",U,", ",Q,", 1) // an unknown visa type on line 3
		if err := os.WriteFile(path, []byte(strings.Join(lines, "\r\n")), 0o644); err != nil {
			t.Fatal(err)
		}
		var log strings.Builder
		r := &pages{}
		_, err := New(cfg, Options{Source: bad, DataDir: o.data, PublicDir: o.public, Renderer: r, Log: &log}).Build(context.Background())
		if err == nil {
			t.Fatal("build of a bad delivery succeeded")
		}
		if !strings.Contains(log.String(), `visa_certifications.csv:3: column "visa_type": unknown-code`) {
			t.Errorf("the log does not name file, line and column:\n%s", log.String())
		}
		if !strings.Contains(log.String(), "manifest-mismatch") {
			t.Errorf("a file changed after export must not match its manifest:\n%s", log.String())
		}
		if len(r.jobs) != 0 {
			t.Error("a delivery that fails its check was rendered")
		}
		sameSnapshot(t, "after a bad delivery", before, o.snapshot(t))
	})

	t.Run("failing render", func(t *testing.T) {
		_, err := o.pipe(cfg, good, &pages{fail: errInjected}).Build(context.Background())
		if !errors.Is(err, errInjected) {
			t.Fatalf("build with a failing render: %v", err)
		}
		sameSnapshot(t, "after a failing render", before, o.snapshot(t))
	})

	t.Run("cancelled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if _, err := o.pipe(cfg, good, &pages{}).Build(ctx); err == nil {
			t.Fatal("a cancelled build succeeded")
		}
		sameSnapshot(t, "after a cancelled build", before, o.snapshot(t))
	})

	leftovers, _ := filepath.Glob(filepath.Join(filepath.Dir(o.public), ".wco-out", "gen-*"))
	if len(leftovers) != 1 {
		t.Errorf("want the active generation only, found %v", leftovers)
	}
}

// TestRebuildReplacesData: a second build from another delivery puts only
// the new numbers in place, while data outside current/ stays the site's
// own; publishing alone keeps the site in place.
func TestRebuildReplacesData(t *testing.T) {
	t.Parallel()
	cfg := loadConfig(t, nil)
	first, second := synthDelivery(t, 150, 21), synthDelivery(t, 400, 22)
	o := newOutputs(t)
	kept := filepath.Join(o.data, "notes", "keep.json")
	if err := os.MkdirAll(filepath.Dir(kept), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(kept, []byte(`{"kept": true}`), 0o644); err != nil {
		t.Fatal(err)
	}
	mustBuild(t, o.pipe(cfg, first, &pages{}))
	fresh := newOutputs(t)
	mustBuild(t, fresh.pipe(cfg, second, &pages{}))
	mustBuild(t, o.pipe(cfg, second, &pages{}))
	for _, name := range []string{"detainer-log.json", "publication.json"} {
		if readFile(t, filepath.Join(o.data, "current", name)) != readFile(t, filepath.Join(fresh.data, "current", name)) {
			t.Errorf("%s after the rebuild differs from a fresh build of the second delivery", name)
		}
		if readFile(t, filepath.Join(o.public, "current", name+".html")) != readFile(t, filepath.Join(o.data, "current", name)) {
			t.Errorf("the site in place does not show the data in place: %s", name)
		}
	}
	if readFile(t, kept) != `{"kept": true}` {
		t.Error("data outside current/ was touched")
	}

	// publish replaces the data and keeps the site that is in place.
	site := readFile(t, filepath.Join(o.public, "index.html"))
	if _, err := o.pipe(cfg, first, &pages{fail: errInjected}).Publish(context.Background()); err != nil {
		t.Fatalf("publish: %v", err)
	}
	if readFile(t, filepath.Join(o.public, "index.html")) != site {
		t.Error("publish changed the site")
	}
	if readFile(t, filepath.Join(o.data, "current", "detainer-log.json")) == readFile(t, filepath.Join(fresh.data, "current", "detainer-log.json")) {
		t.Error("publish did not put the first delivery's data in place")
	}
}

// TestTheSettingsReachTheRenderer: the threshold the tools used, from the
// environment, is the one the renderer is given and the data files record.
func TestTheSettingsReachTheRenderer(t *testing.T) {
	t.Parallel()
	cfg := loadConfig(t, map[string]string{"WCO_DISCLOSURE_THRESHOLD": "15", "HUGO_BASEURL": "https://example.org/wco/"})
	o := newOutputs(t)
	r := &pages{}
	mustBuild(t, o.pipe(cfg, synthDelivery(t, 120, 42), r))
	job := r.lastJob(t)
	if len(job.ConfigFiles) != 2 || job.ConfigFiles[0] != cfg.Path {
		t.Fatalf("config files: %v", job.ConfigFiles)
	}
	var overlay struct {
		BaseURL string `json:"baseURL"`
		Params  struct {
			Disclosure struct{ Threshold int } `json:"disclosure"`
		} `json:"params"`
	}
	if err := json.Unmarshal([]byte(readFile(t, job.ConfigFiles[1])), &overlay); err != nil {
		t.Fatal(err)
	}
	if overlay.Params.Disclosure.Threshold != 15 || overlay.BaseURL != "https://example.org/wco/" {
		t.Errorf("the renderer's overlay: %+v", overlay)
	}
	if !strings.Contains(readFile(t, filepath.Join(o.data, "current", "publication.json")), `"threshold": 15`) {
		t.Error("publication.json does not record the threshold")
	}
}

// TestBuildIsDeterministic: the same delivery and settings give the same
// data files, downloads and site, byte for byte, in other folders.
func TestBuildIsDeterministic(t *testing.T) {
	t.Parallel()
	cfg := loadConfig(t, nil)
	delivery := synthDelivery(t, 200, 5)
	a, b := newOutputs(t), newOutputs(t)
	mustBuild(t, a.pipe(cfg, delivery, &pages{}))
	mustBuild(t, b.pipe(cfg, delivery, &pages{}))
	sa, sb := a.snapshot(t), b.snapshot(t)
	if len(sa) < 30 {
		t.Fatalf("only %d files", len(sa))
	}
	sameSnapshot(t, "second build", sa, sb)
}

// TestMaxInvalidRows: invalid rows fail the build unless configuration
// allows that many; then they are left out and the data files say so.
func TestMaxInvalidRows(t *testing.T) {
	t.Parallel()
	dir := synthDelivery(t, 150, 31)
	os.Remove(filepath.Join(dir, "manifest.json")) // the edit below would break its checksums
	path := filepath.Join(dir, "detainer_log.csv")
	b, _ := os.ReadFile(path)
	lines := strings.Split(string(b), "\n")
	for _, i := range []int{1, 2} { // two data rows with an unknown request type
		for _, code := range []string{"DETAINER", "ADMIN_WARRANT", "NOTIFICATION", "JUDICIAL_WARRANT"} {
			lines[i] = strings.Replace(lines[i], code, "BOGUS", 1)
		}
	}
	os.WriteFile(path, []byte(strings.Join(lines, "\n")), 0o644)

	publishWith := func(vars map[string]string) (string, error) {
		var log strings.Builder
		o := newOutputs(t)
		_, err := New(loadConfig(t, vars), Options{Source: dir, DataDir: o.data, PublicDir: o.public, Log: &log}).Publish(context.Background())
		if err == nil {
			log.WriteString(readFile(t, filepath.Join(o.data, "current", "publication.json")))
		}
		return log.String(), err
	}
	if log, err := publishWith(nil); err == nil {
		t.Fatal("invalid rows passed without max_invalid_rows")
	} else if strings.Contains(log, `BOGUS`) || !strings.Contains(log, "value not shown: it occurs fewer than 5 times") {
		// Seen twice, the value could be a person's data: it is withheld.
		t.Errorf("a value seen twice is echoed, or its absence is not explained:\n%s", log)
	}
	// A value the file repeats is the system's vocabulary: it is shown.
	if log, _ := publishWith(map[string]string{"WCO_CHECK_ECHO_MIN_COUNT": "2"}); !strings.Contains(log, `value "BOGUS"`) || !strings.Contains(log, `offending values of request_type: "BOGUS" ×2`) {
		t.Errorf("a value seen as often as echo_min_count is not echoed:\n%s", log)
	}
	// The edit dropped the manifest; staff give the export time.
	log, err := publishWith(map[string]string{"WCO_CHECK_MAX_INVALID_ROWS": "2", "WCO_DELIVERIES_EXPORTED_AT": "2026-11-16T06:00:00-06:00"})
	if err != nil {
		t.Fatalf("publish with 2 invalid rows allowed: %v\n%s", err, log)
	}
	if !regexp.MustCompile(`"kind": "excluded_invalid_rows",\s*"export": "detainer_log",\s*"rows": 2\b`).MatchString(log) {
		t.Errorf("publication.json does not record the 2 rows left out:\n%s", log)
	}
	if _, err := publishWith(map[string]string{"WCO_CHECK_MAX_INVALID_ROWS": "1"}); err == nil {
		t.Error("2 invalid rows passed with max_invalid_rows 1")
	}
}

// TestBuildFromURL: a URL source is pulled into the store, then published;
// pulling it again does nothing.
func TestBuildFromURL(t *testing.T) {
	t.Parallel()
	src := synthDelivery(t, 120, 42)
	ts := httptest.NewServer(http.StripPrefix("/exports/", http.FileServer(http.Dir(src))))
	defer ts.Close()
	store := t.TempDir()
	cfg := loadConfig(t, map[string]string{"WCO_DELIVERIES_STORE": store})
	o := newOutputs(t)
	p := o.pipe(cfg, ts.URL+"/exports/", &pages{})
	if _, err := p.Build(context.Background()); err != nil {
		t.Fatalf("build from URL: %v", err)
	}
	if _, err := os.Stat(filepath.Join(store, "2026-11-16T120000Z", "manifest.json")); err != nil {
		t.Errorf("the delivery is not in the store: %v", err)
	}
	local := newOutputs(t)
	mustBuild(t, local.pipe(cfg, src, &pages{}))
	if readFile(t, filepath.Join(o.data, "current", "detainer-log.json")) != readFile(t, filepath.Join(local.data, "current", "detainer-log.json")) {
		t.Error("the pulled delivery publishes other numbers than the folder it came from")
	}
	res, err := p.Pull(context.Background(), ts.URL+"/exports/")
	if err != nil || !res.NoOp {
		t.Errorf("second pull: %+v %v", res, err)
	}
	latest := o.pipe(cfg, "latest", &pages{})
	if _, err := latest.Publish(context.Background()); err != nil {
		t.Errorf("publish the latest delivery in the store: %v", err)
	}
}

// TestOnlyAReleaseNeedsTheKey: the key keys the local ledger a release
// or revision writes; nothing published depends on it, so a nightly build
// of a real delivery needs none, and a release without one is refused,
// saying how to make one. The embedded sample is released only when asked.
func TestOnlyAReleaseNeedsTheKey(t *testing.T) {
	t.Parallel()
	cfg := loadConfig(t, map[string]string{"WCO_PSEUDONYM_KEY": "", "WCO_DELIVERIES_STORE": t.TempDir()})
	o := newOutputs(t)
	src := synthDelivery(t, 50, 1)
	if _, err := o.pipe(cfg, src, nil).Publish(context.Background()); err != nil {
		t.Fatalf("publish without a key: %v", err)
	}
	q := period.Quarter{Year: 2025, Q: 2}
	if _, err := o.pipe(cfg, src, nil).Release(context.Background(), q); err == nil || !strings.Contains(err.Error(), "WCO_PSEUDONYM_KEY") || !strings.Contains(err.Error(), "wco key new") {
		t.Fatalf("release without a key: %v", err)
	}
	if _, err := o.pipe(cfg, "", nil).Publish(context.Background()); err != nil {
		t.Errorf("the embedded sample publishes without a key: %v", err)
	}
	if _, err := o.pipe(cfg, "", nil).Release(context.Background(), q); !errors.Is(err, ErrSample) || !strings.Contains(err.Error(), "--sample") {
		t.Errorf("a release of the embedded sample: %v", err)
	}
	// Asked for, a release of the sample is made, in a folder of its own.
	tried := newOutputs(t)
	p := New(cfg, Options{DataDir: tried.data, PublicDir: tried.public, AllowSample: true})
	if _, err := p.Release(context.Background(), period.Quarter{Year: 2026, Q: 3}); err != nil {
		t.Errorf("a release of the sample, asked for: %v", err)
	}
}

// TestStageWritesNothingOutside: a stage holds the data files, the
// downloads and the dictionary, and nothing is in place until a commit.
func TestStageWritesNothingOutside(t *testing.T) {
	t.Parallel()
	o := newOutputs(t)
	st, err := o.pipe(loadConfig(t, nil), "", nil).Stage(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer st.Stage.Close()
	for _, f := range []string{publish.DictionaryFile, publish.DownloadsIndexFile, "publication.json"} {
		if _, err := os.Stat(filepath.Join(st.Stage.DataDir(), f)); err != nil {
			t.Errorf("the stage lacks %s: %v", f, err)
		}
	}
	if _, err := os.Stat(filepath.Join(o.data, site.CurrentSub)); err == nil {
		t.Error("a stage put data in place")
	}
}
