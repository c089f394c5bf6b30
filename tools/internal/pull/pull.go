// Package pull copies a delivery from the records system into the local
// deliveries store, one folder per delivery, named by its export time.
//
// A source is a local folder or an https:// URL (plain http only to this
// machine's loopback addresses, for tests and local mirrors). Over HTTPS the
// bearer token from WCO_SOURCE_TOKEN is sent, and never over a redirect to
// another host or to plain http. Timeouts, dropped connections and 5xx
// answers are retried with exponential backoff; each file is written under a
// temporary name and renamed only when complete and verified against the
// manifest (row count and sha256). The delivery's folder appears in the
// store by one rename, complete or not at all. Pulling a delivery that is
// already in the store changes nothing, and only the newest N deliveries
// are kept.
package pull

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/url"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/chicago-welcoming-city/transparency/tools/internal/commit"
	"github.com/chicago-welcoming-city/transparency/tools/internal/contract"
	"github.com/chicago-welcoming-city/transparency/tools/internal/delivery"
	"github.com/chicago-welcoming-city/transparency/tools/internal/records"
)

// Options tune a pull.
type Options struct {
	Store    string       // the deliveries store
	Keep     int          // deliveries kept in the store, newest first
	Token    string       // bearer token for HTTPS sources
	Client   *http.Client // nil: a client with sane timeouts
	Attempts int          // tries per request (default 5)
	Backoff  time.Duration
	// Backoff is the wait before the second try, doubled each time (default 1s).
	IdleTimeout time.Duration // a download with no bytes for this long is retried (default 60s)
	Progress    io.Writer     // progress lines for large files; nil for none
	// MaxFileBytes is the most one file may weigh (default 4 GiB): a
	// source that never ends its answer cannot fill the disk.
	MaxFileBytes int64
	// Limits bound a row while rows are counted against the manifest.
	Limits records.Limits
	// Exports are the configuration's exports (params.exports): which the
	// records system delivers, and by which file names; nil: all four,
	// by the contract's names.
	Exports map[string]records.Mapping
	// Journal is the folder of the pull's journal (package commit);
	// empty: the store's name with .journal, beside it.
	Journal string
}

// The store's defaults (params.deliveries.store and keep).
const (
	DefaultStore = ".wco/deliveries"
	DefaultKeep  = 10
)

// Result describes a pull.
type Result struct {
	Dir    string   // the delivery's folder in the store
	NoOp   bool     // it was already there
	Files  []string // files pulled
	Bytes  int64
	Pruned []string // older deliveries removed to keep Keep
}

// IsURL reports whether a source names a URL rather than a folder.
func IsURL(source string) bool {
	return strings.HasPrefix(source, "https://") || strings.HasPrefix(source, "http://")
}

// Pull copies the delivery at source into the store.
func Pull(ctx context.Context, source string, opt Options) (*Result, error) {
	if opt.Store == "" {
		return nil, errors.New("pull: no deliveries store configured")
	}
	if opt.Keep < 1 {
		opt.Keep = 1
	}
	if opt.MaxFileBytes <= 0 {
		opt.MaxFileBytes = delivery.DefaultMaxFileBytes
	}
	src, err := newSource(source, opt)
	if err != nil {
		return nil, err
	}
	if err := os.MkdirAll(opt.Store, 0o755); err != nil {
		return nil, fmt.Errorf("make deliveries store: %w", err)
	}

	manifestBytes, err := src.fetchAll(ctx, delivery.ManifestName)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("pull %s: %w", src, err)
	}
	var m *delivery.Manifest
	if err == nil {
		if m, err = delivery.ParseManifest(manifestBytes); err != nil {
			return nil, fmt.Errorf("pull %s: %w", src, err)
		}
	}

	// A delivery already in the store: compare manifests, verify, done.
	if m != nil {
		dir := filepath.Join(opt.Store, FolderName(m.ExportedAt))
		if existing, err := os.ReadFile(filepath.Join(dir, delivery.ManifestName)); err == nil {
			if !bytes.Equal(existing, manifestBytes) {
				return nil, fmt.Errorf("pull %s: the store already holds a different delivery exported at the same time (%s): move it aside to pull this one", src, dir)
			}
			if err := verifyFolder(dir, m, opt.Limits); err != nil {
				return nil, fmt.Errorf("pull %s: the copy in %s no longer matches its manifest (%w): remove it and pull again", src, dir, err)
			}
			return &Result{Dir: dir, NoOp: true}, nil
		}
	}

	// The delivery is pulled into a staged folder, put in the store whole
	// or not at all.
	journal := opt.Journal
	if journal == "" {
		journal = filepath.Clean(opt.Store) + ".journal"
	}
	set, err := commit.New(journal)
	if err != nil {
		return nil, err
	}
	defer set.Abandon()
	stage, err := set.TempDir(opt.Store, ".pull-")
	if err != nil {
		return nil, err
	}
	res := &Result{}
	names, err := exportNames(src, m, opt.Exports)
	if err != nil {
		return nil, fmt.Errorf("pull %s: %w", src, err)
	}
	exportFiles := slices.Clone(names)
	if m != nil {
		// An export may come gzip-compressed: the manifest then names
		// detainer_log.csv.gz in place of detainer_log.csv.
		for i, name := range names {
			_, plain := m.File(name)
			if _, gz := m.File(name + delivery.Compressed); gz && !plain {
				names[i] = name + delivery.Compressed
			}
		}
		for _, f := range m.Files {
			if !slices.Contains(names, f.Name) {
				names = append(names, f.Name)
			}
		}
	}
	for _, name := range names {
		if err := delivery.CheckName(name); err != nil {
			return nil, fmt.Errorf("pull %s: %w", src, err)
		}
		var want *delivery.ManifestFile
		if m != nil {
			if mf, ok := m.File(name); ok {
				want = &mf
			} else {
				return nil, fmt.Errorf("pull %s: manifest.json does not list %s: the delivery is incomplete", src, name)
			}
		}
		n, err := src.download(ctx, name, filepath.Join(stage, name), want)
		if errors.Is(err, fs.ErrNotExist) && m == nil && !strings.HasSuffix(name, delivery.Compressed) && slices.Contains(exportFiles, name) {
			// Without a manifest, an export may still come compressed.
			if gn, gerr := src.download(ctx, name+delivery.Compressed, filepath.Join(stage, name+delivery.Compressed), nil); !errors.Is(gerr, fs.ErrNotExist) {
				name, n, err = name+delivery.Compressed, gn, gerr
			}
		}
		if errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("pull %s: the delivery has no %s", src, name)
		}
		if err != nil {
			return nil, fmt.Errorf("pull %s: %s: %w", src, name, err)
		}
		res.Files = append(res.Files, name)
		res.Bytes += n
	}

	folder := ""
	if m != nil {
		if err := os.WriteFile(filepath.Join(stage, delivery.ManifestName), manifestBytes, 0o644); err != nil {
			return nil, err
		}
		folder = FolderName(m.ExportedAt)
	} else {
		d := &delivery.Delivery{FS: os.DirFS(stage)}
		digest, err := d.Digest(res.Files)
		if err != nil {
			return nil, err
		}
		folder = "undated-" + strings.TrimPrefix(digest, "sha256:")[:16]
	}
	res.Dir = filepath.Join(opt.Store, folder)
	if _, err := os.Stat(res.Dir); err == nil {
		// Only an undated delivery gets here: same content, same name.
		res.NoOp = true
		res.Files, res.Bytes = nil, 0
		return res, nil
	}
	if err := set.Move(stage, res.Dir); err != nil {
		return nil, err
	}
	if err := set.Commit(); err != nil {
		return nil, fmt.Errorf("put delivery in the store: %w", err)
	}
	res.Pruned, err = prune(opt.Store, opt.Keep)
	return res, err
}

// FolderName names a delivery's folder by its export time, in UTC so that
// names sort in time order: 2026-11-16T120000Z.
func FolderName(exportedAt time.Time) string {
	return exportedAt.UTC().Format("2006-01-02T150405Z")
}

func contractFiles() []string {
	var out []string
	for _, e := range contract.Exports() {
		out = append(out, e.File())
	}
	return out
}

// exportNames are the files of the exports the records system delivers,
// in the contract's order: the contract's names, or the system's own from
// the configuration. A pattern is matched against the manifest's files,
// or, without a manifest, the source folder's; over HTTPS without a
// manifest there is no list to match, and a pattern is refused.
func exportNames(src source, m *delivery.Manifest, exports map[string]records.Mapping) ([]string, error) {
	var out []string
	if m != nil {
		for _, name := range m.NotDelivered {
			if _, err := contract.Lookup(name); err != nil {
				return nil, fmt.Errorf("manifest.json: not_delivered names %q, which is not an export of the contract", name)
			}
		}
	}
	// The files a pattern is matched against, listed once, when a pattern
	// first asks for them.
	var candidates []string
	listed := false
	for _, e := range contract.Exports() {
		mp := exports[e.Name]
		if mp.NotDelivered || !m.Delivers(e.Name) {
			continue
		}
		// The main file, then its children, each by name or pattern.
		type want struct{ key, pattern string }
		wants := []want{{"params.exports." + e.Name + ".file", mp.File}}
		for _, c := range mp.Children {
			wants = append(wants, want{"params.exports." + e.Name + ".children." + c.Name + ".file", c.File})
		}
		for _, w := range wants {
			switch {
			case w.pattern == "":
				out = append(out, e.File())
				continue
			case !strings.ContainsAny(w.pattern, "*?[\\"):
				out = append(out, w.pattern)
				continue
			}
			if !listed {
				switch {
				case m != nil:
					for _, f := range m.Files {
						candidates = append(candidates, f.Name)
					}
				default:
					lister, ok := src.(interface{ list() ([]string, error) })
					if !ok {
						return nil, fmt.Errorf("%s %q is a pattern, and the source lists no files without a manifest: name the file, or deliver a manifest.json", w.key, w.pattern)
					}
					var err error
					if candidates, err = lister.list(); err != nil {
						return nil, err
					}
				}
				listed = true
			}
			name, err := delivery.MatchExport(candidates, w.pattern)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", w.key, err)
			}
			out = append(out, name)
		}
	}
	return out, nil
}

// verifyFile checks a file against its manifest entry.
// A compressed file (want.Name ends in .gz) is hashed as delivered and
// its rows counted as it decompresses.
func verifyFile(p string, want delivery.ManifestFile, lim records.Limits) error {
	f, err := os.Open(p)
	if err != nil {
		return err
	}
	defer f.Close()
	h := sha256.New()
	raw := io.TeeReader(f, h)
	text, err := delivery.Inflate(raw, want.Name, 0)
	if err != nil {
		return err
	}
	rows, err := countRows(records.NewLimitReader(text, lim))
	if err == nil {
		_, err = io.Copy(io.Discard, raw) // the hash covers the whole file
	}
	if err != nil {
		return fmt.Errorf("count rows: %w", err)
	}
	if sum := hex.EncodeToString(h.Sum(nil)); !strings.EqualFold(sum, want.SHA256) {
		return fmt.Errorf("sha256 %s… does not match the manifest's %s…", sum[:12], want.SHA256[:min(12, len(want.SHA256))])
	}
	if rows != want.Rows {
		return fmt.Errorf("%d rows, the manifest says %d", rows, want.Rows)
	}
	return nil
}

func verifyFolder(dir string, m *delivery.Manifest, lim records.Limits) error {
	for _, f := range m.Files {
		if err := verifyFile(filepath.Join(dir, f.Name), f, lim); err != nil {
			return fmt.Errorf("%s: %w", f.Name, err)
		}
	}
	return nil
}

// countRows counts a CSV file's data rows (records after the header),
// quoted line breaks included in their record.
func countRows(r io.Reader) (int, error) {
	cr := csv.NewReader(r)
	cr.FieldsPerRecord = -1
	cr.ReuseRecord = true
	n := -1
	for {
		_, err := cr.Read()
		if errors.Is(err, io.EOF) {
			return max(n, 0), nil
		}
		if err != nil {
			return 0, err
		}
		n++
	}
}

// Deliveries lists the deliveries in the store, newest first, judged by
// folder name (export time in UTC) and, for undated deliveries, by
// modification time. Other folders are not deliveries and are left out.
func Deliveries(store string) ([]string, error) {
	entries, err := os.ReadDir(store)
	if err != nil {
		return nil, err
	}
	type dl struct {
		name string
		when time.Time
	}
	var all []dl
	for _, e := range entries {
		if !e.IsDir() || strings.HasPrefix(e.Name(), ".") {
			continue
		}
		when, err := time.Parse("2006-01-02T150405Z", e.Name())
		if err != nil {
			if !strings.HasPrefix(e.Name(), "undated-") {
				continue // not a delivery folder: never touched
			}
			info, err := e.Info()
			if err != nil {
				continue
			}
			when = info.ModTime()
		}
		all = append(all, dl{e.Name(), when})
	}
	slices.SortFunc(all, func(a, b dl) int { return b.when.Compare(a.when) })
	names := make([]string, len(all))
	for i, d := range all {
		names[i] = d.name
	}
	return names, nil
}

// Latest is the folder of the newest delivery in the store.
func Latest(store string) (string, error) {
	all, err := Deliveries(store)
	if errors.Is(err, fs.ErrNotExist) || (err == nil && len(all) == 0) {
		return "", fmt.Errorf("the deliveries store %s holds no delivery: run wco pull first", store)
	}
	if err != nil {
		return "", fmt.Errorf("read the deliveries store: %w", err)
	}
	return filepath.Join(store, all[0]), nil
}

// prune removes the oldest deliveries beyond keep.
func prune(store string, keep int) ([]string, error) {
	all, err := Deliveries(store)
	if err != nil {
		return nil, err
	}
	var removed []string
	for _, d := range all[min(keep, len(all)):] {
		if err := os.RemoveAll(filepath.Join(store, d)); err != nil {
			return removed, fmt.Errorf("prune %s: %w", d, err)
		}
		removed = append(removed, d)
	}
	return removed, nil
}

// source is where a delivery is pulled from.
type source interface {
	fmt.Stringer
	// fetchAll reads a small file whole; fs.ErrNotExist if absent.
	fetchAll(ctx context.Context, name string) ([]byte, error)
	// download writes a file to dst via a temporary name, verified against
	// want when there is a manifest, and returns its size.
	download(ctx context.Context, name, dst string, want *delivery.ManifestFile) (int64, error)
}

func newSource(s string, opt Options) (source, error) {
	if !IsURL(s) {
		st, err := os.Stat(s)
		if err != nil {
			return nil, fmt.Errorf("pull: %w", err)
		}
		if !st.IsDir() {
			return nil, fmt.Errorf("pull %s: not a folder: a delivery is a folder holding the exports", s)
		}
		root, err := os.OpenRoot(s)
		if err != nil {
			return nil, fmt.Errorf("pull: %w", err)
		}
		return &dirSource{dir: s, root: root, progress: opt.Progress, limits: fileLimits{opt.MaxFileBytes, opt.Limits}}, nil
	}
	u, err := url.Parse(s)
	if err != nil {
		return nil, fmt.Errorf("pull: source %q: %w", s, err)
	}
	if u.Scheme == "http" && !isLoopback(u.Hostname()) {
		return nil, fmt.Errorf("pull %s: plain http is allowed only to this machine (loopback); use https", redact(u))
	}
	if u.User != nil {
		return nil, fmt.Errorf("pull %s: credentials in the URL are refused: set WCO_SOURCE_TOKEN instead", redact(u))
	}
	return newHTTPSource(u, opt), nil
}

// isLoopback reports whether host is localhost or a loopback address.
func isLoopback(host string) bool {
	if host == "localhost" {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
}

// redact drops any user information from a URL for messages.
func redact(u *url.URL) string {
	c := *u
	c.User = nil
	c.RawQuery = ""
	return c.String()
}

// list names the regular files directly in the folder (for a pattern).
func (s *dirSource) list() ([]string, error) {
	entries, err := delivery.ListIn(s.root)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, e := range entries {
		if e.Type().IsRegular() {
			out = append(out, e.Name())
		}
	}
	return out, nil
}

// dirSource copies from a local folder.
type dirSource struct {
	dir      string
	root     *os.Root // files are opened only inside dir
	progress io.Writer
	limits   fileLimits
}

// fileLimits bound one pulled file: its size, and its rows while they are
// counted.
type fileLimits struct {
	bytes int64
	rows  records.Limits
}

func (d *dirSource) String() string { return d.dir }

func (d *dirSource) fetchAll(ctx context.Context, name string) ([]byte, error) {
	f, err := delivery.OpenIn(d.root, name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(delivery.ReadContext(ctx, f), maxSmallFile+1))
	if len(b) > maxSmallFile {
		return nil, fmt.Errorf("%s is larger than 1 MB", name)
	}
	return b, err
}

// maxSmallFile is the most a manifest may weigh.
const maxSmallFile = 1 << 20

func (d *dirSource) download(ctx context.Context, name, dst string, want *delivery.ManifestFile) (int64, error) {
	f, err := delivery.OpenIn(d.root, name)
	if err != nil {
		return 0, err
	}
	defer f.Close()
	var size int64 = -1
	if st, err := f.Stat(); err == nil {
		size = st.Size()
	}
	return writeVerified(ctx, f, size, d.limits, name, dst, want, d.progress)
}

// writeVerified copies r to dst's temporary name, verifies it and renames it.
func writeVerified(ctx context.Context, r io.Reader, size int64, lim fileLimits, name, dst string, want *delivery.ManifestFile, progress io.Writer) (int64, error) {
	maxBytes := lim.bytes
	if size > maxBytes {
		return 0, fmt.Errorf("%w: it is larger than the limit of %d bytes (params.deliveries.max_file_bytes)", errTooLarge, maxBytes)
	}
	tmp := filepath.Join(filepath.Dir(dst), "."+filepath.Base(dst)+".part")
	out, err := os.Create(tmp)
	if err != nil {
		return 0, err
	}
	defer os.Remove(tmp)
	n, err := io.Copy(out, io.LimitReader(&progressReader{ctx: ctx, r: r, name: name, total: size, w: progress}, maxBytes+1))
	if cerr := out.Close(); err == nil {
		err = cerr
	}
	if err != nil {
		return n, err
	}
	if n > maxBytes {
		return n, fmt.Errorf("%w: it is larger than the limit of %d bytes (params.deliveries.max_file_bytes)", errTooLarge, maxBytes)
	}
	if size >= 0 && n != size {
		return n, fmt.Errorf("%w: got %d of %d bytes", io.ErrUnexpectedEOF, n, size)
	}
	if want != nil {
		if err := verifyFile(tmp, *want, lim.rows); err != nil {
			return n, fmt.Errorf("%w: %w", errVerify, err)
		}
	}
	return n, os.Rename(tmp, dst)
}

// errVerify marks a file that arrived whole but does not match its
// manifest: trying again will not help.
var errVerify = errors.New("does not match the manifest")

// errTooLarge marks a file over the size limit: trying again will not help.
var errTooLarge = errors.New("file refused")

// progressReader reports progress of large copies every tenth, and stops
// when ctx ends.
type progressReader struct {
	ctx   context.Context
	r     io.Reader
	name  string
	total int64
	done  int64
	shown int64 // tenths shown
	w     io.Writer
}

// progressMin is the size from which progress is shown.
const progressMin = 8 << 20

func (p *progressReader) Read(b []byte) (int, error) {
	if err := p.ctx.Err(); err != nil {
		return 0, err
	}
	n, err := p.r.Read(b)
	p.done += int64(n)
	if p.w != nil && p.total >= progressMin {
		if tenth := p.done * 10 / p.total; tenth > p.shown {
			p.shown = tenth
			fmt.Fprintf(p.w, "%s: %d%% (%s of %s)\n", p.name, tenth*10, mb(p.done), mb(p.total))
		}
	}
	return n, err
}

func mb(n int64) string { return fmt.Sprintf("%.1f MB", float64(n)/(1<<20)) }

// join appends a file name to a base URL's path.
func join(base *url.URL, name string) string {
	u := *base
	u.Path = path.Join("/", u.Path, name)
	return u.String()
}
