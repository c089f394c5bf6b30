package records

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"strings"
	"testing"
)

// chunks reads its text in pieces of random sizes, as a network or a
// decompressor does.
type chunks struct {
	s   string
	rng *rand.Rand
}

func (c *chunks) Read(p []byte) (int, error) {
	if c.s == "" {
		return 0, io.EOF
	}
	n := min(len(p), len(c.s), 1+c.rng.IntN(40))
	copy(p, c.s[:n])
	c.s = c.s[n:]
	return n, nil
}

// reference is the scanner one byte at a time: what it passes on before
// failing, and the failure.
func reference(s string, lim Limits) (string, error) {
	l := NewLimitReader(nil, lim).(*limitReader)
	for i := range len(s) {
		if err := l.step(s[i]); err != nil {
			return s[:i], err
		}
	}
	return s, nil
}

// TestTheLimitScannerCountsRunsAsBytes: counting a run of a field's bytes
// at once passes on the same bytes and fails at the same byte, line and
// limit as counting them one by one, whatever the text, the limits and
// the sizes of the pieces it arrives in.
func TestTheLimitScannerCountsRunsAsBytes(t *testing.T) {
	t.Parallel()
	rng := rand.New(rand.NewPCG(7, 24))
	alphabet := []string{"a", "bcd", "efghij", ",", ",", "\"", "\"\"", "\n", "\r\n", "\r", "x"}
	for trial := range 3000 {
		var b strings.Builder
		for range rng.IntN(120) {
			b.WriteString(alphabet[rng.IntN(len(alphabet))])
		}
		s := b.String()
		lim := Limits{FieldBytes: 1 + rng.IntN(12), RowBytes: 1 + rng.IntN(40), Columns: 1 + rng.IntN(6)}
		lim.RowBytes = max(lim.RowBytes, lim.FieldBytes)
		wantOut, wantErr := reference(s, lim)
		got, err := io.ReadAll(NewLimitReader(&chunks{s: s, rng: rng}, lim))
		if string(got) != wantOut || fmt.Sprint(err) != fmt.Sprint(wantErr) {
			t.Fatalf("trial %d, %+v, %q:\n got %q, %v\nwant %q, %v", trial, lim, s, got, err, wantOut, wantErr)
		}
		var le *LimitError
		if wantErr != nil && !errors.As(err, &le) {
			t.Fatalf("trial %d: %v is not a LimitError", trial, err)
		}
	}
}
