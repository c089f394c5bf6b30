package delivery

import (
	"compress/gzip"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
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

// FindExport is the file of fsys an export is read from: with no pattern,
// the contract's name (or its .gz form, see ExportFile); with one, the one
// plain file of the folder whose name it matches (path.Match), as is or
// with .gz added. None, or several, is an error naming the pattern.
func FindExport(fsys fs.FS, pattern, contractName string) (string, error) {
	if pattern == "" {
		return ExportFile(fsys, contractName), nil
	}
	if err := CheckPattern(pattern); err != nil {
		return "", err
	}
	entries, err := fs.ReadDir(fsys, ".")
	if err != nil {
		return "", err
	}
	var names []string
	for _, e := range entries {
		if e.Type().IsRegular() { // a folder, link or device is never read
			names = append(names, e.Name())
		}
	}
	return MatchExport(names, pattern)
}

// MatchExport is the one of names that pattern matches (path.Match), as
// is or with .gz added; none, or several, is an error naming the pattern
// (fs.ErrNotExist for none).
func MatchExport(names []string, pattern string) (string, error) {
	var found []string
	for _, name := range names {
		for _, p := range []string{pattern, pattern + Compressed} {
			if ok, _ := path.Match(p, name); ok {
				found = append(found, name)
				break
			}
		}
	}
	switch len(found) {
	case 0:
		return "", fmt.Errorf("no file of the delivery matches %q: %w", pattern, fs.ErrNotExist)
	case 1:
		return found[0], nil
	}
	return "", fmt.Errorf("%d files match %q (%s): the pattern must name one file; make it narrower", len(found), pattern, strings.Join(found, ", "))
}

// CheckPattern refuses a file name or pattern that could name anything
// but a file of the delivery's own folder.
func CheckPattern(pattern string) error {
	if _, err := path.Match(pattern, ""); err != nil {
		return fmt.Errorf("%q is not a valid pattern: %w", pattern, err)
	}
	if strings.ContainsAny(pattern, `/\`) || pattern == "." || pattern == ".." || strings.HasPrefix(pattern, ".") || strings.ContainsRune(pattern, 0) {
		return fmt.Errorf("%q must be a file name of the delivery's own folder, without a folder, and not hidden", pattern)
	}
	return nil
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
