package check

import (
	"os"
	"runtime"
	"testing"

	"github.com/chicago-welcoming-city/transparency/tools/internal/contract"
	"github.com/chicago-welcoming-city/transparency/tools/internal/delivery"
	"github.com/chicago-welcoming-city/transparency/tools/internal/records"
	"github.com/chicago-welcoming-city/transparency/tools/internal/synth"
)

// TestMemoryDoesNotGrowWithRows: what the checker keeps per row is a few
// bytes (the id's hash), never the row. 100,000 rows of about 370 bytes
// would pin 37 MB if rows were kept; the live heap must stay far below.
func TestMemoryDoesNotGrowWithRows(t *testing.T) {
	if testing.Short() {
		t.Skip("writes a 37 MB file")
	}
	dir := t.TempDir()
	if _, err := synth.Write(dir, synth.Options{Rows: 100_000, Seed: 1, Exports: []string{"federal_incidents"}}); err != nil {
		t.Fatal(err)
	}
	d, err := delivery.Open(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	e, _ := contract.Lookup("federal_incidents")
	var before, at runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	n := 0
	rep := Export(d, e, Options{}, func(records.Incident) {
		if n++; n == 99_000 {
			runtime.GC()
			runtime.ReadMemStats(&at)
		}
	})
	if rep.RowsValid != 100_000 {
		t.Fatalf("%d valid rows: %v", rep.RowsValid, rep.Problems)
	}
	grew := int64(at.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("live heap grew by %.1f MB over 99,000 rows", float64(grew)/(1<<20))
	if grew > 12<<20 {
		t.Errorf("live heap grew by %d MB over 99,000 rows: rows are being kept", grew>>20)
	}
	_ = os.RemoveAll(dir)
}
