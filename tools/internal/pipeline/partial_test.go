package pipeline

import (
	"context"
	"encoding/csv"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/chicago-welcoming-city/transparency/tools/internal/config"
	"github.com/chicago-welcoming-city/transparency/tools/internal/delivery"
	"github.com/chicago-welcoming-city/transparency/tools/internal/period"
	"github.com/chicago-welcoming-city/transparency/tools/internal/publish"
	"github.com/chicago-welcoming-city/transparency/tools/internal/synth"
)

// TestASystemThatDeliversOneExport: a records system produces the detainer
// log alone, under its own dated file name. The configuration says so,
// with no script: the delivery is its one file as it comes; the check asks
// for nothing else; the build publishes the detainer log and says of the
// three others, on the site's data and in every download, that they are
// not reported, never zeros.
func TestASystemThatDeliversOneExport(t *testing.T) {
	t.Parallel()
	full := synthDelivery(t, 200, 5)
	delivery := filepath.Join(t.TempDir(), "delivery")
	if err := os.MkdirAll(delivery, 0o755); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(filepath.Join(full, "detainer_log.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(delivery, "I247_LOG_2026-11-16.csv"), b, 0o644); err != nil {
		t.Fatal(err)
	}
	project, err := os.ReadFile(projectConfig(t))
	if err != nil {
		t.Fatal(err)
	}
	cfgPath := filepath.Join(t.TempDir(), "config.yaml")
	body := strings.Replace(string(project), "  exports: {}\n", `  exports:
    detainer_log: {file: "I247_LOG_*.csv"}
    assistance_requests: {delivered: false}
    federal_incidents: {delivered: false}
    visa_certifications: {delivered: false}
`, 1)
	if err := os.WriteFile(cfgPath, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(cfgPath, config.MapEnv(map[string]string{config.EnvPseudonymKey: testKey}), nil)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Deliveries.Store = filepath.Join(t.TempDir(), "store")
	o := newOutputs(t)
	var log strings.Builder
	// Pulled into the store as it comes (one file, matched by its
	// pattern), then built from there.
	res, err := New(cfg, Options{}).Pull(context.Background(), delivery)
	if err != nil {
		t.Fatalf("pull: %v", err)
	}
	if len(res.Files) != 1 || res.Files[0] != "I247_LOG_2026-11-16.csv" {
		t.Errorf("pulled %v, want the system's one file", res.Files)
	}
	// The files come without a manifest: the export time is never
	// guessed from the records (the last weeks of a closed quarter would
	// be taken as unfinished). Without one given, nothing is published.
	if _, err := New(cfg, Options{Source: "latest", DataDir: o.data, PublicDir: o.public, Renderer: &pages{}}).Build(context.Background()); !errors.Is(err, publish.ErrUndated) {
		t.Fatalf("a delivery without a manifest or an export time: %v", err)
	}
	if _, err := os.Stat(o.data); err == nil {
		t.Error("an undated delivery wrote the data folder")
	}
	p := New(cfg, Options{Source: "latest", DataDir: o.data, PublicDir: o.public, Renderer: &pages{}, Log: &log, ExportedAt: mustTime(t, "2026-11-16T12:00:00Z")})
	if _, err := p.Build(context.Background()); err != nil {
		t.Fatalf("build: %v\n%s", err, log.String())
	}
	idx, err := publish.LoadIndex(filepath.Join(o.data, "current"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range idx.Exports {
		if want := e.Name != "detainer_log"; e.NotReported != want {
			t.Errorf("%s: not reported = %v, want %v", e.Name, e.NotReported, want)
		}
	}
	// Every download row of the three says not reported; none is a zero.
	for _, name := range []string{"assistance-requests-quarterly-totals.csv", "federal-incidents-quarterly-totals.csv", "visa-certifications-yearly-totals.csv"} {
		f, err := os.Open(filepath.Join(o.data, "downloads", name))
		if err != nil {
			t.Errorf("%s: %v", name, err)
			continue
		}
		rows, err := csv.NewReader(f).ReadAll()
		f.Close()
		if err != nil || len(rows) < 2 {
			t.Fatalf("%s: %v %v", name, err, rows)
		}
		status := -1
		for i, h := range rows[0] {
			if h == "status" {
				status = i
			}
		}
		for _, r := range rows[1:] {
			if r[status] != publish.NotReported {
				t.Errorf("%s: a row %v is not %s", name, r, publish.NotReported)
			}
		}
	}
	// The detainer log is published from its file, by the system's name.
	tables, err := publish.LoadTables(filepath.Join(o.data, "current"))
	if err != nil {
		t.Fatal(err)
	}
	periods := 0
	for _, et := range tables {
		if et.Export == "detainer_log" {
			periods = len(et.Periods)
		}
	}
	if periods == 0 {
		t.Error("the detainer log published no period")
	}
}

func mustTime(t *testing.T, s string) time.Time {
	t.Helper()
	v, err := time.Parse(time.RFC3339, s)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

// TestAManifestSaysWhatTheSystemDelivers: the same system, saying in its
// manifest which exports it does not produce, needs no configuration for
// it: the pull and the build ask only for the detainer log, and the three
// others are not reported. A manifest that names no export of the
// contract is refused.
func TestAManifestSaysWhatTheSystemDelivers(t *testing.T) {
	t.Parallel()
	dir := synthDelivery(t, 150, 9)
	b, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := delivery.ParseManifest(b)
	if err != nil {
		t.Fatal(err)
	}
	var files []delivery.ManifestFile
	for _, f := range m.Files {
		if f.Name == "detainer_log.csv" {
			files = append(files, f)
		} else if err := os.Remove(filepath.Join(dir, f.Name)); err != nil {
			t.Fatal(err)
		}
	}
	m.Files = files
	write := func(notDelivered ...string) {
		m.NotDelivered = notDelivered
		out, err := m.Marshal()
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "manifest.json"), out, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	cfg := loadConfig(t, map[string]string{"WCO_DELIVERIES_STORE": filepath.Join(t.TempDir(), "store")})
	write("assistance_requests", "federal_incidents", "visa_certification")
	o := newOutputs(t)
	if _, err := New(cfg, Options{Source: dir, DataDir: o.data, PublicDir: o.public, Renderer: &pages{}}).Build(context.Background()); err == nil || !strings.Contains(err.Error(), `not_delivered names "visa_certification"`) {
		t.Fatalf("a manifest naming no export: %v", err)
	}
	write("assistance_requests", "federal_incidents", "visa_certifications")
	if _, err := New(cfg, Options{}).Pull(context.Background(), dir); err != nil {
		t.Fatalf("pull: %v", err)
	}
	if _, err := New(cfg, Options{Source: "latest", DataDir: o.data, PublicDir: o.public, Renderer: &pages{}}).Build(context.Background()); err != nil {
		t.Fatalf("build: %v", err)
	}
	idx, err := publish.LoadIndex(filepath.Join(o.data, "current"))
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range idx.Exports {
		if want := e.Name != "detainer_log"; e.NotReported != want {
			t.Errorf("%s: not reported = %v, want %v", e.Name, e.NotReported, want)
		}
	}
}

// TestAPartialSystemPublishesAfterTheYearEnds: the nightly build of a
// system that delivers the detainer log alone, on the first nights of
// 2027. Its fourth quarter and its year are released, then a delivery
// with late records of a released quarter arrives. Every night publishes;
// the exports it does not deliver stay not reported in every period, the
// year included; and the audit, over every version, finds nothing.
func TestAPartialSystemPublishesAfterTheYearEnds(t *testing.T) {
	t.Parallel()
	ctx := context.Background()
	cfg := loadConfig(t, map[string]string{"WCO_DELIVERIES_STORE": t.TempDir()})
	delivered := func(at time.Time) string {
		dir := filepath.Join(t.TempDir(), "d")
		m, err := synth.Write(dir, synth.Options{Rows: 400, Seed: 21, ExportedAt: at, Exports: []string{"detainer_log"}})
		if err != nil {
			t.Fatal(err)
		}
		m.NotDelivered = []string{"assistance_requests", "federal_incidents", "visa_certifications"}
		b, err := m.Marshal()
		if err == nil {
			err = os.WriteFile(filepath.Join(dir, "manifest.json"), b, 0o644)
		}
		if err != nil {
			t.Fatal(err)
		}
		return dir
	}
	o := newOutputs(t)
	night := func(source, what string) {
		t.Helper()
		if _, err := o.pipe(cfg, source, &pages{}).Build(ctx); err != nil {
			t.Fatalf("%s: the nightly build did not publish: %v", what, err)
		}
		idx, err := publish.LoadIndex(filepath.Join(o.data, "current"))
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range idx.Exports {
			if want := e.Name != "detainer_log"; e.NotReported != want {
				t.Errorf("%s: %s not reported = %v", what, e.Name, e.NotReported)
			}
		}
		if !slices.ContainsFunc(idx.Years, func(y publish.YearInfo) bool { return y.Year == 2026 }) {
			t.Errorf("%s: 2026 is not published as a year", what)
		}
		reports, err := o.pipe(cfg, "", nil).Audit()
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range reports {
			if r.Failed() {
				t.Errorf("%s: the audit finds %+v %+v", what, r.Findings, r.Problems)
			}
		}
	}
	jan2 := delivered(time.Date(2027, 1, 2, 6, 0, 0, 0, period.Chicago))
	night(jan2, "2 January")
	for q := 1; q <= 4; q++ {
		if _, err := o.pipe(cfg, jan2, nil).Release(ctx, period.Quarter{Year: 2026, Q: q}); err != nil {
			t.Fatalf("release 2026-Q%d: %v", q, err)
		}
	}
	night(jan2, "after the year's release")
	// Two detainers of the released third quarter entered late, in the
	// next delivery: the released versions stay in force, pending.
	late := filepath.Join(t.TempDir(), "late")
	if err := synth.WithLateRecordsOf(delivered(time.Date(2027, 1, 5, 6, 0, 0, 0, period.Chicago)), late, 2, 8, 2026); err != nil {
		t.Fatal(err)
	}
	night(late, "5 January, two records late")
	idx, _ := publish.LoadIndex(filepath.Join(o.data, "current"))
	if !slices.ContainsFunc(idx.Pending, func(p publish.Pending) bool { return p.Period == "2026-Q3" }) {
		t.Errorf("the late records of 2026-Q3 are not pending: %+v", idx.Pending)
	}
}
