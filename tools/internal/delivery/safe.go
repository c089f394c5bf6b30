package delivery

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"regexp"
	"slices"
	"strings"
	"syscall"
)

// A delivery is only regular files directly in its folder. Every name that
// reaches a path, from a manifest, a URL or the contract, is a plain base
// name; a file is opened inside its folder only (a symbolic link that
// leads out of it is refused, by the kernel's openat, not by a check that
// could race); and devices, FIFOs and sockets are refused without being
// read, so /dev/zero or a FIFO with no writer cannot hang a command.

// ErrNotRegular is returned for a delivery entry that is not a regular file.
var ErrNotRegular = errors.New("not a regular file: a delivery holds only plain files (no devices, FIFOs, sockets or folders)")

// ErrOutside is returned for a link that leads out of the delivery's folder.
var ErrOutside = errors.New("a link out of the delivery's folder is refused")

// IsRefused reports whether err is a delivery entry refused for what it
// is (a name, a link out, a file that is not plain), not a read failure.
func IsRefused(err error) bool {
	return errors.Is(err, ErrNotRegular) || errors.Is(err, ErrOutside) || errors.Is(err, fs.ErrInvalid)
}

// baseName is what a file name in a delivery may look like: a letter or
// digit first, then letters, digits, '.', '_' or '-'. No separator, no
// leading dot (the store's temporary files start with one), no '..'.
var baseName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$`)

// CheckName refuses a file name that is not a plain base name.
func CheckName(name string) error {
	if !baseName.MatchString(name) {
		return fmt.Errorf("%w: "+"file name %q is refused: a delivery's files are plain names such as detainer_log.csv (letters, digits, '.', '_' and '-', no folders, no leading dot, at most 128 characters)", fs.ErrInvalid, name)
	}
	return nil
}

// folderFS reads the files of one local folder through os.Root.
type folderFS struct {
	root *os.Root
	dir  string
}

// FolderFS returns an fs.FS that opens only regular files directly in dir,
// never leaving it. Closing is left to the process's end: a delivery is
// opened once per command.
func FolderFS(dir string) (fs.FS, error) {
	root, err := os.OpenRoot(dir)
	if err != nil {
		return nil, err
	}
	return &folderFS{root: root, dir: dir}, nil
}

// Open implements fs.FS.
func (f *folderFS) Open(name string) (fs.File, error) {
	return OpenIn(f.root, name)
}

// MaxEntries is the most entries a delivery's folder is listed with: a
// folder of more is refused, so that listing it cannot exhaust memory.
const MaxEntries = 10000

// ReadDir lists the folder itself (name "."), for finding an export by a
// pattern: every entry as the folder holds it, a link as a link (never
// followed); names a delivery may not have are left out.
func (f *folderFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if name != "." {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrInvalid}
	}
	return ListIn(f.root)
}

// ListIn lists the folder root, at most MaxEntries entries (a folder of
// more is refused, so that listing it cannot exhaust memory): every entry
// as the folder holds it, a link as a link, sorted by name; names a
// delivery may not have are left out.
func ListIn(root *os.Root) ([]fs.DirEntry, error) {
	dir, err := root.Open(".")
	if err != nil {
		return nil, err
	}
	defer dir.Close()
	entries, err := dir.ReadDir(MaxEntries + 1)
	if err != nil && !errors.Is(err, io.EOF) {
		return nil, err
	}
	if len(entries) > MaxEntries {
		return nil, fmt.Errorf("the delivery's folder holds more than %d entries: a delivery is a few files", MaxEntries)
	}
	out := entries[:0]
	for _, e := range entries {
		if CheckName(e.Name()) == nil {
			out = append(out, e)
		}
	}
	slices.SortFunc(out, func(a, b fs.DirEntry) int { return strings.Compare(a.Name(), b.Name()) })
	return out, nil
}

// OpenIn opens the regular file name directly in root. The file is opened
// non-blocking, so a FIFO answers at once, and its type is read from the
// open file itself.
func OpenIn(root *os.Root, name string) (*os.File, error) {
	if err := CheckName(name); err != nil {
		return nil, err
	}
	file, err := root.OpenFile(name, os.O_RDONLY|syscall.O_NONBLOCK|syscall.O_NOCTTY, 0)
	if err != nil {
		// os.Root names an escape only in its message ("path escapes
		// from parent"); it is told apart here, once.
		if strings.Contains(err.Error(), "escapes") {
			return nil, fmt.Errorf("open %s: %w: %w", name, errors.Unwrap(err), ErrOutside)
		}
		return nil, err
	}
	st, err := file.Stat()
	if err != nil {
		file.Close()
		return nil, err
	}
	if !st.Mode().IsRegular() {
		file.Close()
		return nil, fmt.Errorf("%s: %w", name, ErrNotRegular)
	}
	return file, nil
}

// ReadContext wraps r so that every read first checks ctx: a command
// reading a file stops within one buffer of a signal.
func ReadContext(ctx context.Context, r io.Reader) io.Reader {
	if ctx == nil || ctx.Done() == nil {
		return r
	}
	return &ctxReader{ctx: ctx, r: r}
}

type ctxReader struct {
	ctx context.Context
	r   io.Reader
}

func (c *ctxReader) Read(p []byte) (int, error) {
	if err := c.ctx.Err(); err != nil {
		return 0, err
	}
	return c.r.Read(p)
}
