package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/chicago-welcoming-city/transparency/tools/internal/config"
	"github.com/chicago-welcoming-city/transparency/tools/internal/contract"
	"github.com/chicago-welcoming-city/transparency/tools/internal/publish"
)

// lateRecords adds n copies of 2025-Q3 detainers under new ids, as a
// records system does when entries are logged late, and drops the manifest.
func lateRecords(t *testing.T, src string, n int) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "late")
	if err := os.CopyFS(dir, os.DirFS(src)); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(dir, "manifest.json"))
	e, _ := contract.Lookup("detainer_log")
	header, rows := readExport(t, dir, e)
	var b strings.Builder
	b.WriteString(csvLine(header))
	added := 0
	for _, r := range rows {
		b.WriteString(csvLine(r))
		if added < n && strings.HasPrefix(r[1], "08/") && strings.Contains(r[1], "/2025 ") {
			late := append([]string(nil), r...)
			late[0] = fmt.Sprintf("DL-LATE-%d", added)
			b.WriteString(csvLine(late))
			added++
		}
	}
	if added != n {
		t.Fatalf("found %d August 2025 rows to copy, want %d", added, n)
	}
	if err := os.WriteFile(filepath.Join(dir, e.File()), []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	return dir
}

func readRelease(t *testing.T, data, p string) *publish.Release {
	t.Helper()
	rs, err := publish.LoadReleases(filepath.Join(data, "releases"))
	if err != nil {
		t.Fatal(err)
	}
	return rs[p]
}

func TestReleaseFlow(t *testing.T) {
	env := map[string]string{"WCO_DELIVERIES_STORE": t.TempDir()}
	cfg := filepath.Join(repoRoot(t), "config.yaml")
	a := synthDelivery(t, 500, 1)
	o := newOutputs(t)
	run := func(args ...string) (string, string, error) {
		return wcoEnv(t, env, append(args, "--config", cfg, "--data", o.data)...)
	}

	if out, stderr, err := run("release", "2025-Q3", "--source", a); err != nil {
		t.Fatalf("release: %v\n%s%s", err, out, stderr)
	}
	r := readRelease(t, o.data, "2025-Q3")
	if r == nil || r.Current().Version != 1 || len(r.Current().Exports) != 3 {
		t.Fatalf("release file: %+v", r)
	}
	if _, _, err := run("release", "2025-Q3", "--source", a); err == nil || !strings.Contains(err.Error(), "already released") {
		t.Errorf("second release of a quarter: %v", err)
	}
	if _, _, err := run("release", "2026-Q4", "--source", a); err == nil || !strings.Contains(err.Error(), "had not ended") {
		t.Errorf("release of the provisional quarter: %v", err)
	}

	// The build publishes exactly what was released, and the audit passes.
	if _, stderr, err := o.build(t, "--source", a); err != nil {
		t.Fatalf("build: %v\n%s", err, stderr)
	}
	tables, _ := publish.LoadTables(filepath.Join(o.data, "current"))
	for _, tab := range tables {
		for _, p := range tab.Periods {
			if p.Period != "2025-Q3" {
				continue
			}
			f, ok := r.Current().Frozen(tab.Export)
			got, _ := json.Marshal([]any{p.Total, p.Breakdowns, p.Figures})
			want, _ := json.Marshal([]any{f.Period.Total, f.Period.Breakdowns, f.Period.Figures})
			if !ok || !p.Released || string(got) != string(want) {
				t.Errorf("%s 2025-Q3 differs from its release", tab.Export)
			}
		}
	}
	if out, _, err := run("audit"); err != nil {
		t.Fatalf("audit: %v\n%s", err, out)
	}

	// Late records: the build fails closed and names the quarter.
	before := snapshot(t, o.data, o.public)
	late := lateRecords(t, a, 3)
	_, _, err := o.build(t, "--source", late)
	if err == nil || !strings.Contains(err.Error(), "2025-Q3 (detainer_log)") || !strings.Contains(err.Error(), "wco revise") {
		t.Fatalf("build that changes a released quarter: %v", err)
	}
	sameSnapshot(t, "after a build that would change a release", before, snapshot(t, o.data, o.public))

	// A revision publishes the change with its reason, keeps the old
	// suppressions, and says what changed.
	out, stderr, err := run("revise", "2025-Q3", "--source", late, "--reason", "Three detainers were logged late.")
	if err != nil {
		t.Fatalf("revise: %v\n%s", err, stderr)
	}
	if !strings.Contains(out, "3 records added, 0 removed, 0 changed") {
		t.Errorf("revise did not explain the change from the ledger:\n%s", out)
	}
	r = readRelease(t, o.data, "2025-Q3")
	if len(r.Versions) != 2 || r.Current().Reason != "Three detainers were logged late." {
		t.Fatalf("versions: %+v", r.Versions)
	}
	v1, _ := r.Versions[0].Frozen("detainer_log")
	v2, _ := r.Versions[1].Frozen("detainer_log")
	for bi, b := range v1.Period.Breakdowns {
		for ci, c := range b.Cells {
			if now := v2.Period.Breakdowns[bi].Cells[ci]; c.Status != publish.Published && now.Status == publish.Published {
				t.Errorf("%s=%s was hidden in version 1 and is shown in version 2", b.Dimension, c.Value)
			}
		}
	}
	// Three late records: every protected breakdown they move by fewer
	// than k is withheld from the revision, and the audit of the release
	// history agrees.
	for _, b := range v2.Period.Breakdowns {
		if b.Clause == "" && b.Withheld == "" {
			if ch := publish.RevisionSinglesOut(v1.Period, v2.Period, b.Dimension, 11); len(ch) > 0 {
				t.Errorf("the revision singles out the late records: %v", ch)
			}
		}
	}
	if _, stderr, err := o.build(t, "--source", late); err != nil {
		t.Fatalf("build after the revision: %v\n%s", err, stderr)
	}
	page, _ := os.ReadFile(filepath.Join(o.public, "reports", "2025-q3", "index.html"))
	if !strings.Contains(string(page), "Revised (version 2): Three detainers were logged late.") {
		t.Error("the report page does not carry the revision note")
	}
	if out, _, err := run("audit"); err != nil || !strings.Contains(out, "detainer_log 2025-Q3 v1") {
		t.Fatalf("audit after the revision, of both versions: %v\n%s", err, out)
	}
	changelog, _ := os.ReadFile(filepath.Join(o.data, "downloads", "CHANGELOG.md"))
	if !strings.Contains(string(changelog), "2025-Q3 revised (version 2): Three detainers were logged late.") ||
		!strings.Contains(string(changelog), "2025-Q3 released (version 1)") {
		t.Errorf("changelog:\n%s", changelog)
	}

	// Releasing the year's last quarter freezes the year too.
	for _, q := range []string{"2025-Q1", "2025-Q2", "2025-Q4"} {
		if _, stderr, err := run("release", q, "--source", late); err != nil {
			t.Fatalf("release %s: %v\n%s", q, err, stderr)
		}
	}
	if readRelease(t, o.data, "2025") == nil {
		t.Error("releasing 2025-Q4 with Q1 to Q3 released did not freeze 2025")
	}
	if _, stderr, err := o.build(t, "--source", late); err != nil {
		t.Fatalf("build with the whole year released: %v\n%s", err, stderr)
	}
	if out, _, err := run("audit"); err != nil {
		t.Fatalf("audit with the whole year released: %v\n%s", err, out)
	}
	b, _ := os.ReadFile(filepath.Join(o.data, "releases", "2025.json"))
	var year publish.Release
	if err := json.Unmarshal(b, &year); err != nil || year.Kind != "year" {
		t.Errorf("2025.json: %v %+v", err, year.Kind)
	}
}

func TestPublishNeedsAKeyForRealDeliveries(t *testing.T) {
	o := newOutputs(t)
	_, _, err := wcoEnv(t, map[string]string{config.EnvPseudonymKey: ""}, "publish", "--config", filepath.Join(repoRoot(t), "config.yaml"), "--data", o.data, "--source", synthDelivery(t, 50, 1))
	if err == nil || !strings.Contains(err.Error(), "WCO_PSEUDONYM_KEY") {
		t.Fatalf("publish without a key: %v", err)
	}
	if _, _, err := wco(t, "publish", "--config", filepath.Join(repoRoot(t), "config.yaml"), "--data", o.data); err != nil {
		t.Errorf("the embedded sample publishes without a key: %v", err)
	}
}
