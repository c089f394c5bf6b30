package delivery

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
)

// Compressed is the suffix of an export delivered gzip-compressed, as
// records systems often send them: detainer_log.csv.gz.
const Compressed = ".gz"

// DefaultMaxFileBytes is the most one file of a delivery may weigh, as
// pulled or as a compressed export decompresses (4 GiB), unless the
// configuration sets another bound (params.deliveries.max_file_bytes).
const DefaultMaxFileBytes = 4 << 30

// ErrInflated is returned when a compressed file decompresses to more
// than its bound: a few kilobytes of gzip can hold terabytes of zeros.
var ErrInflated = errors.New("decompresses to more than the limit")

// ExportFile names the file in fsys that holds an export: name, or, when
// there is no such file, name.gz if that exists.
func ExportFile(fsys fs.FS, name string) string {
	if _, err := fs.Stat(fsys, name); errors.Is(err, fs.ErrNotExist) {
		if _, err := fs.Stat(fsys, name+Compressed); err == nil {
			return name + Compressed
		}
	}
	return name
}

// Inflate returns what r holds: r itself, or when name ends in .gz its
// decompressed bytes, at most limit of them (then ErrInflated; limit ≤ 0
// means DefaultMaxFileBytes).
func Inflate(r io.Reader, name string, limit int64) (io.Reader, error) {
	if !strings.HasSuffix(name, Compressed) {
		return r, nil
	}
	if limit <= 0 {
		limit = DefaultMaxFileBytes
	}
	z, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("%s is named .gz but is not gzip-compressed (%v): compress it with gzip, or drop the .gz from its name", name, err)
	}
	return &capped{r: z, left: limit, limit: limit}, nil
}

// capped reads at most limit bytes from r, and fails past them.
type capped struct {
	r           io.Reader
	left, limit int64
}

func (c *capped) Read(p []byte) (int, error) {
	if c.left <= 0 {
		// One byte more than the bound says whether the file ends here.
		var one [1]byte
		n, err := io.ReadFull(c.r, one[:])
		switch {
		case n > 0:
			return 0, fmt.Errorf("%w of %d bytes (params.deliveries.max_file_bytes)", ErrInflated, c.limit)
		case err == io.ErrUnexpectedEOF || err == io.EOF:
			return 0, io.EOF
		}
		return 0, err
	}
	if int64(len(p)) > c.left {
		p = p[:c.left]
	}
	n, err := c.r.Read(p)
	c.left -= int64(n)
	return n, err
}
