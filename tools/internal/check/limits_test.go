//go:build unix

package check

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"
	"time"

	"github.com/chicago-welcoming-city/transparency/tools/internal/contract"
	"github.com/chicago-welcoming-city/transparency/tools/internal/delivery"
	"github.com/chicago-welcoming-city/transparency/tools/internal/records"
)

func TestLimitsRefuseTheFileNamingLineAndLimit(t *testing.T) {
	t.Parallel()
	lim := records.Limits{FieldBytes: 100, RowBytes: 300, Columns: 20}
	for name, tc := range map[string]struct {
		body, want string
	}{
		"long unquoted field":                {visaHeader + visaRow("V1") + strings.Replace(visaRow("V2"), "CERTIFIED", strings.Repeat("X", 101), 1), "line 3: a field's length in bytes is over the limit of 100 (params.check.max_field_bytes)"},
		"long quoted field with line breaks": {visaHeader + visaRow("V1") + visaRow("V2") + strings.Replace(visaRow("V3"), "Fakey Notreal CANARYNAME", `"`+strings.Repeat("Fakey\n", 30)+`"`, 1), "the row starting on line 4 (passed on line 20): a field's length in bytes is over the limit of 100"},
		"long row of short fields":           {visaHeader + strings.Replace(visaRow("V1"), "CANARYRD", strings.Repeat("Y", 90)+`,"`+strings.Repeat("Z", 90)+`",`+strings.Repeat("W", 90), 1), "line 2: a row's length in bytes is over the limit of 300 (params.check.max_row_bytes)"},
		"too many columns":                   {visaHeader + strings.Repeat(",", 25) + "\n", "line 2: the number of columns in a row is over the limit of 20 (params.check.max_columns)"},
		"too large a header":                 {strings.Repeat("a,", 30) + "\n", "line 1: the number of columns in a row is over the limit of 20"},
	} {
		t.Run(name, func(t *testing.T) {
			d := &delivery.Delivery{FS: mapFS("visa_certifications.csv", tc.body), Origin: "test"}
			e, _ := contract.Lookup("visa_certifications")
			rep := Export(d, e, Options{Now: time.Now(), Limits: lim}, func(records.Visa) {})
			if rep.ByKind[OverLimit] != 1 || !rep.fileFailed() {
				t.Fatalf("want one over-limit problem that fails the file: %+v", rep.Problems)
			}
			var msg string
			for _, p := range rep.Problems {
				if p.Kind == OverLimit {
					msg = p.Error()
				}
			}
			if !strings.Contains(msg, tc.want) || !strings.HasPrefix(msg, "visa_certifications.csv:") {
				t.Errorf("got %q, want it to say %q", msg, tc.want)
			}
			if strings.Contains(msg, "Fakey") || strings.Contains(msg, "XXXX") {
				t.Errorf("the message echoes the field: %q", msg)
			}
		})
	}
	// Within the limits, the same kind of file reads.
	d := &delivery.Delivery{FS: mapFS("visa_certifications.csv", visaHeader+visaRow("V1")), Origin: "test"}
	e, _ := contract.Lookup("visa_certifications")
	if rep := Export(d, e, Options{Now: time.Now(), Limits: lim}, func(records.Visa) {}); rep.RowsValid != 1 || len(rep.Problems) != 0 {
		t.Errorf("a file within the limits: %+v", rep.Problems)
	}
}

// hugeFieldEnv makes the test binary, run again, check one file and exit.
const hugeFieldEnv = "WCO_TEST_HUGE_FIELD_DIR"

// TestHugeFieldStaysWithinMemory checks, in a child process whose peak
// memory the kernel reports, a file with a 200 MB quoted field: once in a
// personal-data column and once in a code column. Each must be refused at
// its line, with the process's peak resident memory under 200 MB.
func TestHugeFieldStaysWithinMemory(t *testing.T) {
	t.Parallel()
	if dir := os.Getenv(hugeFieldEnv); dir != "" {
		d, err := delivery.Open(dir, nil)
		if err != nil {
			fmt.Println("open:", err)
			os.Exit(3)
		}
		e, _ := contract.Lookup("visa_certifications")
		rep := Export(d, e, Options{Now: time.Now()}, func(records.Visa) {})
		for _, p := range rep.Problems {
			fmt.Println(p.Error())
		}
		os.Exit(0)
	}
	if testing.Short() {
		t.Skip("writes two 200 MB files")
	}
	for _, column := range []string{"victim_name", "decision"} {
		t.Run(column, func(t *testing.T) {
			dir := t.TempDir()
			f, err := os.Create(filepath.Join(dir, "visa_certifications.csv"))
			if err != nil {
				t.Fatal(err)
			}
			w := bufio.NewWriterSize(f, 1<<20)
			w.WriteString(visaHeader + visaRow("V1"))
			row := visaRow("V2")
			at := strings.Index(row, "Fakey Notreal CANARYNAME")
			if column == "decision" {
				at = strings.Index(row, "CERTIFIED")
			}
			w.WriteString(row[:at] + `"`)
			chunk := []byte(strings.Repeat("CANARYHUGE,\n", 1<<16))
			for written := 0; written < 200<<20; written += len(chunk) {
				w.Write(chunk)
			}
			w.WriteString(`",x` + "\n")
			if err := w.Flush(); err != nil {
				t.Fatal(err)
			}
			f.Close()

			cmd := exec.CommandContext(context.Background(), os.Args[0], "-test.run=^TestHugeFieldStaysWithinMemory$")
			cmd.Env = append(os.Environ(), hugeFieldEnv+"="+dir)
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Fatalf("child: %v\n%s", err, out)
			}
			peak := cmd.ProcessState.SysUsage().(*syscall.Rusage).Maxrss << 10 // Linux reports KiB
			t.Logf("peak RSS with a 200 MB field in %s: %.1f MB", column, float64(peak)/1e6)
			if peak > 200e6 {
				t.Errorf("peak RSS %.0f MB, over 200 MB", float64(peak)/1e6)
			}
			if !strings.Contains(string(out), "visa_certifications.csv:3: over-limit: the row starting on line 3 (passed on line 87384): a field's length in bytes is over the limit of 1048576") {
				t.Errorf("the file was not refused at line 3:\n%s", out)
			}
			if strings.Contains(string(out), "CANARYHUGE") {
				t.Errorf("the field was echoed:\n%.500s", out)
			}
		})
	}
}

// mapFS is a delivery of one file.
func mapFS(name, body string) fstest.MapFS {
	return fstest.MapFS{name: {Data: []byte(body)}}
}

// TestCheckRefusesLinksAndSpecialFiles: a delivery folder whose export is
// a link out of it, or a FIFO, is refused at once, naming the file.
func TestCheckRefusesLinksAndSpecialFiles(t *testing.T) {
	t.Parallel()
	for name, plant := range map[string]func(p string) error{
		"link to /etc/passwd": func(p string) error { return os.Symlink("/etc/passwd", p) },
		"link to /dev/zero":   func(p string) error { return os.Symlink("/dev/zero", p) },
		"relative link out":   func(p string) error { return os.Symlink("../outside.csv", p) },
		"FIFO":                func(p string) error { return syscall.Mkfifo(p, 0o644) },
	} {
		t.Run(name, func(t *testing.T) {
			base := t.TempDir()
			os.WriteFile(filepath.Join(base, "outside.csv"), []byte(visaHeader+visaRow("V1")), 0o644)
			dir := filepath.Join(base, "delivery")
			os.Mkdir(dir, 0o755)
			if err := plant(filepath.Join(dir, "visa_certifications.csv")); err != nil {
				t.Fatal(err)
			}
			d, err := delivery.Open(dir, nil)
			if err != nil {
				t.Fatal(err)
			}
			e, _ := contract.Lookup("visa_certifications")
			done := make(chan *FileReport, 1)
			go func() { done <- Export(d, e, Options{Now: time.Now()}, func(records.Visa) {}) }()
			select {
			case rep := <-done:
				if !rep.fileFailed() || len(rep.Problems) != 1 || !strings.Contains(rep.Problems[0].Error(), "visa_certifications.csv: missing-file: the file is refused") {
					t.Errorf("got %+v", rep.Problems)
				}
			case <-time.After(5 * time.Second):
				t.Fatal("the check hung")
			}
		})
	}
}
