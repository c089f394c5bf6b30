package check

import (
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/chicago-welcoming-city/transparency/tools/internal/contract"
	"github.com/chicago-welcoming-city/transparency/tools/internal/delivery"
	"github.com/chicago-welcoming-city/transparency/tools/internal/records"
	"github.com/chicago-welcoming-city/transparency/tools/internal/synth"
)

// benchDelivery writes (once, kept in the temporary folder) a synthetic
// federal_incidents.csv of WCO_BENCH_ROWS rows, one million by default.
func benchDelivery(b *testing.B) string {
	b.Helper()
	rows := 1_000_000
	if s := os.Getenv("WCO_BENCH_ROWS"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			b.Fatalf("WCO_BENCH_ROWS: %v", err)
		}
		rows = n
	}
	dir := filepath.Join(os.TempDir(), fmt.Sprintf("wco-bench-federal-%d", rows))
	if _, err := os.Stat(filepath.Join(dir, "manifest.json")); err != nil {
		if _, err := synth.Write(dir, synth.Options{Rows: rows, Seed: 1, Exports: []string{"federal_incidents"}}); err != nil {
			b.Fatal(err)
		}
	}
	return dir
}

// BenchmarkCheckVsBareCSV times, in turns within one run, a bare
// encoding/csv read of federal_incidents.csv and the full check of the same
// file (both passes: sha256 and encoding, then decode and validate every
// row). The ratio is what to compare across machines:
//
//	go test ./tools/internal/check -run '^$' -bench CheckVsBareCSV -benchtime 3x
func BenchmarkCheckVsBareCSV(b *testing.B) {
	dir := benchDelivery(b)
	path := filepath.Join(dir, "federal_incidents.csv")
	d, err := delivery.Open(dir, nil)
	if err != nil {
		b.Fatal(err)
	}
	e, _ := contract.Lookup("federal_incidents")
	var bare, check time.Duration
	rows := 0
	for b.Loop() {
		t0 := time.Now()
		rows = bareRead(b, path)
		bare += time.Since(t0)

		t1 := time.Now()
		rep := Export(d, e, Options{}, func(records.Incident) {})
		check += time.Since(t1)
		if rep.RowsValid != rows {
			b.Fatalf("check: %d valid of %d rows", rep.RowsValid, rows)
		}
	}
	n := float64(b.N)
	b.ReportMetric(bare.Seconds()/n, "bare-csv-s")
	b.ReportMetric(check.Seconds()/n, "check-s")
	b.ReportMetric(float64(check)/float64(bare), "check/bare")
	b.ReportMetric(float64(rows)*n/check.Seconds(), "check-rows/s")
}

func bareRead(b *testing.B, path string) int {
	f, err := os.Open(path)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.ReuseRecord = true
	n := -1 // the header
	for {
		_, err := r.Read()
		if errors.Is(err, io.EOF) {
			return n
		}
		if err != nil {
			b.Fatal(err)
		}
		n++
	}
}
