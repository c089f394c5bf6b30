package main

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/text/encoding/charmap"

	"github.com/chicago-welcoming-city/transparency/tools/internal/contract"
	"github.com/chicago-welcoming-city/transparency/tools/internal/publish"
	"github.com/chicago-welcoming-city/transparency/tools/internal/records"
)

// TestAnotherRecordsSystemByConfigOnly: a records system that names
// columns its own way, writes dates as DD.MM.YYYY, gives the district
// instead of the beat and exports Windows-1252 is read by changing
// config.yaml only, and publishes the same numbers.
func TestAnotherRecordsSystemByConfigOnly(t *testing.T) {
	t.Parallel()
	orig := synthDelivery(t, 150, 77)
	e, _ := contract.Lookup("assistance_requests")
	header, rows := readExport(t, orig, e)

	renamed := map[string]string{"request_id": "Request No", "received_at": "Date Received", "beat": "Police District", "responded_at": "Response Time"}
	for i, h := range header {
		if n, ok := renamed[h]; ok {
			header[i] = n
		}
	}
	col := func(name string) int {
		for i, h := range header {
			if h == name {
				return i
			}
		}
		t.Fatalf("no column %s", name)
		return -1
	}
	var b strings.Builder
	b.WriteString(csvLine(header))
	for _, r := range rows {
		for _, name := range []string{"Date Received", "Response Time"} {
			if v := r[col(name)]; v != "" {
				tm, err := records.ParseDatetime(v)
				if err != nil {
					t.Fatal(err)
				}
				r[col(name)] = tm.Format("02.01.2006 15:04:05")
			}
		}
		if v := strings.TrimSuffix(r[col("Police District")], ".0"); v != "" && v != "0" {
			_, d, _, err := records.ParseBeat(v)
			if err != nil {
				t.Fatal(err)
			}
			r[col("Police District")] = itoa(d)
		}
		r[col("notes")] = "Notiz für die Akte: café " + r[col("notes")]
		b.WriteString(csvLine(r))
	}
	enc, err := charmap.Windows1252.NewEncoder().String(b.String())
	if err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(t.TempDir(), "other")
	if err := os.CopyFS(other, os.DirFS(orig)); err != nil {
		t.Fatal(err)
	}
	os.Remove(filepath.Join(other, "manifest.json")) // this system sends none
	if err := os.WriteFile(filepath.Join(other, e.File()), []byte(enc), 0o644); err != nil {
		t.Fatal(err)
	}

	site := copySite(t)
	cfgPath := filepath.Join(site, "config.yaml")
	cfg, _ := os.ReadFile(cfgPath)
	mapping := `  exports:
    assistance_requests:
      columns:
        request_id: Request No
        received_at: Date Received
        responded_at: Response Time
        beat: Police District
      datetime_formats: ["DD.MM.YYYY HH:mm:ss"]
      location: district
      encoding: auto
`
	cfg = []byte(strings.Replace(string(cfg), "  exports: {}\n", mapping, 1))
	if !strings.Contains(string(cfg), "Police District") {
		t.Fatal("config.yaml no longer has the exports: {} line this test replaces")
	}
	os.WriteFile(cfgPath, cfg, 0o644)

	if out, _, err := wco(t, "check", "--config", filepath.Join(repoRoot(t), "config.yaml"), "--source", other); err == nil {
		t.Fatalf("without the mapping the other system's file must fail:\n%s", out)
	}
	out, _, err := wco(t, "check", "--config", cfgPath, "--source", other)
	if err != nil {
		t.Fatalf("with the mapping: %v\n%s", err, out)
	}
	if !strings.Contains(out, "assistance_requests.csv  windows-1252") {
		t.Errorf("encoding not reported:\n%s", out)
	}
	o := newOutputs(t)
	if _, stderr, err := wco(t, "publish", "--config", cfgPath, "--source", other, "--data", o.data, "--exported-at", "2026-11-16T06:00:00-06:00"); err != nil {
		t.Fatalf("publish: %v\n%s", err, stderr)
	}
	// Every quarter's total is the delivery's count (the open quarter's,
	// a count of its ended months, may be suppressed).
	want := expectedCounts(t, orig)
	tables, err := publish.LoadTables(filepath.Join(o.data, "current"))
	if err != nil {
		t.Fatal(err)
	}
	compared := 0
	for _, tab := range tables {
		if tab.Export != "assistance_requests" {
			continue
		}
		for _, p := range tab.Periods {
			n, ok := want["assistance_requests"][p.Period]
			switch {
			case !ok || p.Total.Count == nil:
			case *p.Total.Count != n:
				t.Errorf("%s assistance requests: published %d, delivery %d", p.Period, *p.Total.Count, n)
			default:
				compared++
			}
		}
	}
	if compared < 4 {
		t.Errorf("only %d quarters compared", compared)
	}
	assertNoLeak(t, orig, o.data)
}

func csvLine(fields []string) string {
	out := make([]string, len(fields))
	for i, f := range fields {
		if strings.ContainsAny(f, ",\"\r\n") {
			f = `"` + strings.ReplaceAll(f, `"`, `""`) + `"`
		}
		out[i] = f
	}
	return strings.Join(out, ",") + "\r\n"
}

func itoa(n int) string { return strconv.Itoa(n) }
