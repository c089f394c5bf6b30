package check

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/chicago-welcoming-city/transparency/tools/internal/contract"
	"github.com/chicago-welcoming-city/transparency/tools/internal/delivery"
	"github.com/chicago-welcoming-city/transparency/tools/internal/period"
	"github.com/chicago-welcoming-city/transparency/tools/internal/records"
)

func gzipped(t *testing.T, b []byte) []byte {
	t.Helper()
	var out bytes.Buffer
	z := gzip.NewWriter(&out)
	if _, err := z.Write(b); err != nil {
		t.Fatal(err)
	}
	if err := z.Close(); err != nil {
		t.Fatal(err)
	}
	return out.Bytes()
}

// checkGz checks visa_certifications.csv.gz holding data, with a bound
// on what it may decompress to.
func checkGz(t *testing.T, data []byte, m *delivery.Manifest, maxInflated int64) (*FileReport, int) {
	t.Helper()
	d := &delivery.Delivery{FS: fstest.MapFS{"visa_certifications.csv.gz": {Data: data}}, Origin: "test", Manifest: m}
	e, _ := contract.Lookup("visa_certifications")
	n := 0
	rep := Export(d, e, Options{Now: time.Date(2026, 11, 1, 0, 0, 0, 0, period.Chicago), MaxInflated: maxInflated}, func(records.Visa) { n++ })
	return rep, n
}

// TestACompressedExportIsRead: records systems often send name.csv.gz.
// It is read as the .csv would be, its manifest entry names the .gz and
// its sha256 is of the compressed bytes as delivered.
func TestACompressedExportIsRead(t *testing.T) {
	t.Parallel()
	gz := gzipped(t, []byte(visaHeader+visaRow("1")+visaRow("2")+visaRow("3")))
	sum := sha256.Sum256(gz)
	m := &delivery.Manifest{ExportedAt: time.Date(2026, 11, 1, 0, 0, 0, 0, period.Chicago), Files: []delivery.ManifestFile{{Name: "visa_certifications.csv.gz", Rows: 3, SHA256: hex.EncodeToString(sum[:])}}}
	rep, n := checkGz(t, gz, m, 0)
	if (&Report{Files: []*FileReport{rep}}).Failed() || n != 3 || rep.File != "visa_certifications.csv.gz" || rep.SHA256 != hex.EncodeToString(sum[:]) {
		t.Errorf("compressed export: %d records, file %s, problems %v", n, rep.File, rep.Problems)
	}
}

// TestHostileCompressedExportsAreRefused: a gzip bomb (a few kilobytes
// that decompress past the bound), a .gz that is not gzip, and one cut
// short are each refused with a message, and nothing is read past them.
func TestHostileCompressedExportsAreRefused(t *testing.T) {
	t.Parallel()
	bomb := gzipped(t, append([]byte(visaHeader), bytes.Repeat([]byte("0"), 8<<20)...))
	whole := gzipped(t, []byte(visaHeader+visaRow("1")+visaRow("2")))
	for name, tt := range map[string]struct {
		data []byte
		want string
	}{
		"bomb":          {bomb, "decompresses to more than the limit of 1048576 bytes"},
		"not gzip":      {[]byte(visaHeader + visaRow("1")), "is named .gz but is not gzip-compressed"},
		"cut short":     {whole[:len(whole)-12], "unexpected EOF"},
		"empty archive": {gzipped(t, nil), "the file is empty"},
	} {
		rep, n := checkGz(t, tt.data, nil, 1<<20)
		if !(&Report{Files: []*FileReport{rep}}).Failed() || n != 0 || !strings.Contains(fmt.Sprint(rep.Problems), tt.want) {
			t.Errorf("%s (%d bytes): %d records read, problems %v; want %q", name, len(tt.data), n, rep.Problems, tt.want)
		}
	}
	if len(bomb) > 64<<10 {
		t.Errorf("the bomb is %d bytes: not a bomb", len(bomb))
	}
}
