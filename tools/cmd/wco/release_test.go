package main

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chicago-welcoming-city/transparency/tools/internal/publish"
	"github.com/chicago-welcoming-city/transparency/tools/internal/synth"
)

// lateRecords copies a delivery with n detainers logged late (see
// synth.WithLateRecords).
func lateRecords(t *testing.T, src string, n int) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "late")
	if err := synth.WithLateRecords(src, dir, n); err != nil {
		t.Fatal(err)
	}
	return dir
}

// TestReleaseCommands: wco release, revise and audit from the command
// line, and the revision's note on the built report page. The rules of
// releases are tested in the pipeline package.
func TestReleaseCommands(t *testing.T) {
	t.Parallel()
	env := map[string]string{"WCO_DELIVERIES_STORE": t.TempDir()}
	cfg := filepath.Join(repoRoot(t), "config.yaml")
	a := synthDelivery(t, 500, 1)
	o := newOutputs(t)
	run := func(args ...string) (string, string, error) {
		return wcoEnv(t, env, append(args, "--config", cfg, "--data", o.data)...)
	}
	out, stderr, err := run("release", "2025-Q3", "--source", a)
	if err != nil {
		t.Fatalf("release: %v\n%s%s", err, out, stderr)
	}
	if !strings.Contains(out, "released 2025-Q3 into") || !strings.Contains(out, "merging it publishes 2025-Q3") ||
		!regexp.MustCompile(`with the Quarterly Welcoming City compliance report, which the site publishes \(oemc-notifications: \d+, detainers: \d+; wco filing 2025-Q3`).MatchString(out) {
		t.Errorf("release says:\n%s", out)
	}
	if _, _, err := run("release", "2025-Q3", "--source", a); err == nil || !strings.Contains(err.Error(), "already released") {
		t.Errorf("second release of a quarter: %v", err)
	}
	if _, _, err := run("revise", "2025-Q3", "--source", a); !isUsage(err) {
		t.Errorf("revise without --reason: %v, want a usage error", err)
	}
	late := lateRecords(t, a, 3)
	// Nightly, the late records wait: the quarter stays as released, the
	// build goes on and names the pending revision, as a warning under
	// GitHub Actions.
	gh := map[string]string{"WCO_DELIVERIES_STORE": env["WCO_DELIVERIES_STORE"], "GITHUB_ACTIONS": "true"}
	out, stderr, err = wcoEnv(t, gh, "publish", "--source", late, "--config", cfg, "--data", o.data)
	if err != nil {
		t.Fatalf("publish with late records in a released quarter: %v\n%s", err, stderr)
	}
	if !strings.Contains(out, "pending revision: 2025-Q3 (detainer_log): ") || !strings.Contains(out, "::warning title=Pending revision of 2025-Q3::") ||
		!strings.Contains(out, "wco revise 2025-Q3 --reason") {
		t.Errorf("publish with a revision pending says:\n%s\n%s", out, stderr)
	}
	out, _, err = run("diff", "--source", late)
	if err != nil || !strings.Contains(out, "Pending revisions") || !strings.Contains(out, "2025-Q3 (detainer_log)") {
		t.Errorf("diff with a revision pending: %v\n%s", err, out)
	}
	out, stderr, err = run("revise", "2025-q3", "--source", late, "--reason", "Three detainers were logged late.")
	if err != nil {
		t.Fatalf("revise: %v\n%s", err, stderr)
	}
	if !strings.Contains(out, "revised 2025-Q3: version 2 in") || !strings.Contains(out, "3 records added, 0 removed, 0 changed") {
		t.Errorf("revise says:\n%s", out)
	}
	if _, stderr, err := o.build(t, "--source", late); err != nil {
		t.Fatalf("build after the revision: %v\n%s", err, stderr)
	}
	page, _ := os.ReadFile(filepath.Join(o.public, "reports", "2025-q3", "index.html"))
	if !strings.Contains(string(page), "Revised (version 2): Three detainers were logged late.") {
		t.Error("the report page does not carry the revision note")
	}
	// The feed of every language has the release and the revision, newest first.
	for _, l := range siteLanguages(t) {
		b, err := os.ReadFile(filepath.Join(o.public, filepath.FromSlash(strings.TrimPrefix(l.prefix, "/")), "feed.xml"))
		if err != nil {
			t.Fatal(err)
		}
		entries := checkAtom(t, l.key+" feed", b)
		if len(entries) != 2 || !strings.HasSuffix(entries[0].IDs[0], "/2025-q3/v2") || !strings.Contains(entries[0].Summary[0], "Three detainers were logged late.") {
			t.Errorf("%s feed: %d entries: %+v", l.key, len(entries), entries)
		}
	}
	// Each version's tables are served at their own address, linked from
	// the revisions page.
	revisions, _ := os.ReadFile(filepath.Join(o.public, "revisions", "index.html"))
	for _, v := range []string{"v1", "v2"} {
		link := "/downloads/2025-q3/" + v + "/detainer-log.csv"
		if !strings.Contains(string(revisions), `href="`+link+`"`) {
			t.Errorf("the revisions page does not link %s", link)
		}
		if _, err := os.Stat(filepath.Join(o.public, filepath.FromSlash(link))); err != nil {
			t.Errorf("the site does not serve %s: %v", link, err)
		}
	}
	if out, _, err := run("audit"); err != nil || !strings.Contains(out, "detainer_log 2025-Q3 v1") {
		t.Fatalf("audit after the revision, of both versions: %v\n%s", err, out)
	}
	for _, q := range []string{"2025-Q1", "2025-Q2"} {
		if _, stderr, err := run("release", q, "--source", late); err != nil {
			t.Fatalf("release %s: %v\n%s", q, err, stderr)
		}
	}
	if out, _, err := run("release", "2025-Q4", "--source", late); err != nil || !strings.Contains(out, "released 2025 into") || !strings.Contains(out, "publishes 2025-Q4 and 2025") {
		t.Errorf("release of the year's last quarter: %v\n%s", err, out)
	}
}

// TestKeyNew: wco key new prints a key every command accepts, a new one
// each time; a passphrase's hash is refused, saying how to make a key.
func TestKeyNew(t *testing.T) {
	t.Parallel()
	a, _, err := wco(t, "key", "new")
	if err != nil {
		t.Fatal(err)
	}
	b, _, _ := wco(t, "key", "new")
	a, b = strings.TrimSpace(a), strings.TrimSpace(b)
	if err := publish.CheckKey(a); err != nil || a == b {
		t.Errorf("wco key new: %q then %q: %v", a, b, err)
	}
	cfg := filepath.Join(repoRoot(t), "config.yaml")
	if _, _, err := wcoEnv(t, map[string]string{"WCO_PSEUDONYM_KEY": a}, "check", "--config", cfg); err != nil {
		t.Errorf("a key wco made is refused: %v", err)
	}
	// sha256("password"), as a key: 64 hex digits that look random.
	_, _, err = wcoEnv(t, map[string]string{"WCO_PSEUDONYM_KEY": "5e884898da28047151d0e56f8dc6292773603d0d6aabbdd62a11ef721d1542d8"}, "check", "--config", cfg)
	if err == nil || !strings.Contains(err.Error(), "wco key new") {
		t.Errorf("a hash of a passphrase as the key: %v", err)
	}
	if _, _, err := wco(t, "key"); !isUsage(err) {
		t.Errorf("wco key: %v, want a usage error", err)
	}
}

// A range of quarters is read oldest first, its ends included; one that
// ends before it begins, or names no quarter, is refused before anything
// is read.
func TestAReleaseRangeIsRead(t *testing.T) {
	t.Parallel()
	qs, err := quarterRange("2022-Q3..2023-Q2")
	if err != nil || len(qs) != 4 || qs[0].String() != "2022-Q3" || qs[3].String() != "2023-Q2" {
		t.Errorf("2022-Q3..2023-Q2: %v %v", qs, err)
	}
	if qs, err := quarterRange("2026-Q3"); err != nil || len(qs) != 1 {
		t.Errorf("one quarter: %v %v", qs, err)
	}
	for bad, want := range map[string]string{
		"2023-Q2..2022-Q3": "the range ends before it begins",
		"2022-Q3..":        `quarter "": want the form 2026-Q3`,
		"2022..2023":       `quarter "2022": want the form 2026-Q3`,
		"2022-Q5..2023-Q1": "the quarter is 1, 2, 3 or 4",
	} {
		if _, _, err := wco(t, "release", bad, "--sample"); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", bad, err, want)
		}
	}
}
