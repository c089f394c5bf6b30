// Package site builds the static site with Hugo and puts it in place only
// when everything worked, all at once.
//
// A build writes a complete generation of outputs — data files, downloads
// and the rendered site — into a new folder under .wco-out beside the
// outputs; Hugo reads the staged data through a module mount and renders
// into the generation too. data/current, data/downloads and public are
// symbolic links through .wco-out/active, so putting a generation in place
// is one atomic rename of that link: a build killed at any moment leaves
// either the previous generation or the new one, whole. On any failure the
// previous outputs stay byte-for-byte as they were. Where symbolic links
// cannot be made, the three folders are swapped in by rename instead.
//
// Hugo is the version pinned in go.mod, always run as `go tool hugo` from
// the module root.
package site

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/gofrs/flock"
)

// Site locates a Hugo site and where a build writes.
type Site struct {
	Dir          string // the site: config.yaml, content/, layouts/, i18n/, assets/, static/
	DataDir      string // data/; a build owns its subfolders DataSub and DownloadsSub
	DataSub      string // the subfolder of DataDir holding Hugo's data files
	DownloadsSub string // the subfolder of DataDir holding the public downloads
	PublicDir    string // public/, replaced whole
	ConfigFile   string // config.yaml
	Params       map[string]any
	// Params are the effective toolkit settings, given to Hugo on top of
	// config.yaml so the site shows the values the tools used.
}

// Components Hugo reads from the site folder, mounted explicitly so the
// build's staged data can be mounted beside them.
var components = []string{"content", "layouts", "i18n", "assets", "static", "archetypes"}

// Stage is a build in progress. It holds the outputs' lock from NewStage
// to Close, so two builds into the same folders cannot interleave.
type Stage struct {
	site      Site
	dir       string
	lock      *flock.Flock
	committed bool
}

// DataDir is where the stage's data files go; it becomes DataDir/DataSub.
func (s *Stage) DataDir() string { return filepath.Join(s.dir, "current") }

// DownloadsDir is where the stage's downloads go; it becomes
// DataDir/DownloadsSub, and the site serves it at /downloads/.
func (s *Stage) DownloadsDir() string { return filepath.Join(s.dir, "downloads") }

// PublicDir is where Hugo renders the stage's site.
func (s *Stage) PublicDir() string { return filepath.Join(s.dir, "public") }

// genRoot holds the generations and the active link, beside the data
// folder, which every build writes.
func (s Site) genRoot() string { return filepath.Join(filepath.Dir(s.DataDir), ".wco-out") }

// NewStage makes a new generation folder beside the outputs, so that it can
// be put in place by a rename on one file system. Close removes it unless
// it was committed.
func (s Site) NewStage() (*Stage, error) {
	parent := filepath.Dir(s.DataDir)
	if err := os.MkdirAll(parent, 0o755); err != nil {
		return nil, err
	}
	lock := flock.New(filepath.Join(parent, ".wco-build.lock"))
	locked, err := lock.TryLock()
	if err != nil {
		return nil, fmt.Errorf("lock %s: %w", lock.Path(), err)
	}
	if !locked {
		return nil, fmt.Errorf("another wco build or publish is writing into %s: wait for it to finish", parent)
	}
	if err := os.MkdirAll(s.genRoot(), 0o755); err != nil {
		lock.Unlock()
		return nil, err
	}
	dir, err := os.MkdirTemp(s.genRoot(), "gen-")
	if err != nil {
		lock.Unlock()
		return nil, fmt.Errorf("make build folder: %w", err)
	}
	st := &Stage{site: s, dir: dir, lock: lock}
	for _, d := range []string{st.DataDir(), st.DownloadsDir()} {
		if err := os.Mkdir(d, 0o755); err != nil {
			st.Close()
			return nil, err
		}
	}
	return st, nil
}

// Close removes the generation unless it was committed, and releases the lock.
func (s *Stage) Close() error {
	var err error
	if !s.committed {
		err = os.RemoveAll(s.dir)
	}
	return errors.Join(err, s.lock.Unlock())
}

// overlay writes the Hugo configuration that mounts the site's components,
// the site's own data (less the part the build owns) and the staged data,
// and sets the effective params.
func (s *Stage) overlay() (string, error) {
	var mounts []map[string]any
	for _, c := range components {
		if _, err := os.Stat(filepath.Join(s.site.Dir, c)); err == nil {
			mounts = append(mounts, map[string]any{"source": filepath.Join(s.site.Dir, c), "target": c})
		}
	}
	if _, err := os.Stat(s.site.DataDir); err == nil {
		mounts = append(mounts, map[string]any{
			"source": s.site.DataDir, "target": "data",
			"files": []string{"! " + s.site.DataSub + "/**", "! " + s.site.DownloadsSub + "/**"},
		})
	}
	mounts = append(mounts,
		map[string]any{"source": s.DataDir(), "target": "data/" + s.site.DataSub},
		map[string]any{"source": s.DownloadsDir(), "target": "static/downloads"},
	)
	cfg := map[string]any{"module": map[string]any{"mounts": mounts}}
	if len(s.site.Params) > 0 {
		cfg["params"] = s.site.Params
	}
	b, err := json.Marshal(cfg)
	if err != nil {
		return "", err
	}
	path := filepath.Join(s.dir, "overlay.json")
	return path, os.WriteFile(path, b, 0o644)
}

// hugoArgs are the arguments every Hugo run of a stage shares.
func (s *Stage) hugoArgs() ([]string, error) {
	overlay, err := s.overlay()
	if err != nil {
		return nil, err
	}
	return []string{
		"--source", s.site.Dir,
		"--config", s.site.ConfigFile + "," + overlay,
		"--noBuildLock",
		"--printI18nWarnings", "--printPathWarnings", "--panicOnWarning",
	}, nil
}

// Render runs Hugo on the staged data, into the stage's public folder.
func (s *Stage) Render(ctx context.Context, log io.Writer) error {
	args, err := s.hugoArgs()
	if err != nil {
		return err
	}
	args = append(args, "--destination", s.PublicDir(), "--logLevel", "warn")
	var out bytes.Buffer
	if err := hugo(ctx, s.site.Dir, &out, args...); err != nil {
		return fmt.Errorf("render site with hugo: %w\n%s", err, indent(hugoMessages(out.String())))
	}
	_, err = io.Copy(log, &out)
	return err
}

// Serve runs Hugo's local preview server on the staged data until ctx ends.
func (s *Stage) Serve(ctx context.Context, bind string, port int, log io.Writer) error {
	args, err := s.hugoArgs()
	if err != nil {
		return err
	}
	args = append([]string{"server"}, args...)
	args = append(args, "--bind", bind, "--port", fmt.Sprint(port), "--renderToMemory", "--disableFastRender")
	err = hugo(ctx, s.site.Dir, log, args...)
	if ctx.Err() != nil {
		return nil // stopped on purpose
	}
	return err
}

// Commit puts the generation in place: data/current, data/downloads and,
// withSite, public. Without the site (wco publish), the generation keeps
// the site now in place, by hard links.
func (s *Stage) Commit(withSite bool) error {
	active := filepath.Join(s.site.genRoot(), "active")
	links := []struct{ path, name string }{
		{filepath.Join(s.site.DataDir, s.site.DataSub), "current"},
		{filepath.Join(s.site.DataDir, s.site.DownloadsSub), "downloads"},
	}
	switch {
	case withSite:
		links = append(links, struct{ path, name string }{s.site.PublicDir, "public"})
	case linksTo(s.site.PublicDir, filepath.Join(active, "public")):
		// The site in place is part of the active generation: keep it.
		if err := s.keepSite(); err != nil {
			return err
		}
	}
	if err := os.MkdirAll(s.site.DataDir, 0o755); err != nil {
		return err
	}
	for _, l := range links {
		if err := ensureLink(l.path, filepath.Join(active, l.name), s.site.genRoot()); err != nil {
			if errors.Is(err, errNoSymlinks) {
				return s.swapByRename(withSite)
			}
			return err
		}
	}
	// The switch: one rename of the active link.
	tmp := filepath.Join(s.site.genRoot(), "active.new")
	_ = os.Remove(tmp)
	if err := os.Symlink(filepath.Base(s.dir), tmp); err != nil {
		return fmt.Errorf("link the new outputs: %w", err)
	}
	if err := os.Rename(tmp, active); err != nil {
		return fmt.Errorf("put the new outputs in place: %w", err)
	}
	s.committed = true
	s.collect()
	return nil
}

var errNoSymlinks = errors.New("symbolic links are not available")

// linksTo reports whether path is a symbolic link to target.
func linksTo(path, target string) bool {
	got, err := os.Readlink(path)
	if err != nil {
		return false
	}
	want, err := filepath.Rel(filepath.Dir(path), target)
	return err == nil && got == want
}

// ensureLink makes path a symbolic link to target (relative), moving a
// folder left there by an older layout into the generations folder.
func ensureLink(path, target, genRoot string) error {
	rel, err := filepath.Rel(filepath.Dir(path), target)
	if err != nil {
		return err
	}
	if got, err := os.Readlink(path); err == nil {
		if got == rel {
			return nil
		}
		if err := os.Remove(path); err != nil {
			return err
		}
	} else if st, err := os.Lstat(path); err == nil && st.IsDir() {
		aside, err := os.MkdirTemp(genRoot, "legacy-")
		if err != nil {
			return err
		}
		if err := os.Rename(path, filepath.Join(aside, filepath.Base(path))); err != nil {
			return err
		}
	}
	if err := os.Symlink(rel, path); err != nil {
		if errors.Is(err, os.ErrPermission) || errors.Is(err, errors.ErrUnsupported) {
			return errNoSymlinks
		}
		return fmt.Errorf("link %s: %w", path, err)
	}
	return nil
}

// collect removes the generations and leftovers that are not active.
func (s *Stage) collect() {
	entries, err := os.ReadDir(s.site.genRoot())
	if err != nil {
		return
	}
	for _, e := range entries {
		if e.Name() != "active" && e.Name() != filepath.Base(s.dir) && e.IsDir() {
			_ = os.RemoveAll(filepath.Join(s.site.genRoot(), e.Name()))
		}
	}
}

// keepSite gives the generation the site now in place, by hard links (or
// copies where links cannot be made).
func (s *Stage) keepSite() error {
	src, err := filepath.EvalSymlinks(s.site.PublicDir)
	if err != nil {
		return nil // no site yet
	}
	dst := s.PublicDir()
	return filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		to := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(to, 0o755)
		}
		if os.Link(p, to) == nil {
			return nil
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(to, b, 0o644)
	})
}

// swapByRename swaps the three folders in one by one, putting back what
// was swapped if a rename fails; for systems without symbolic links.
func (s *Stage) swapByRename(withSite bool) error {
	type swap struct{ from, to, aside string }
	swaps := []swap{
		{s.DataDir(), filepath.Join(s.site.DataDir, s.site.DataSub), filepath.Join(s.dir, "old-data")},
		{s.DownloadsDir(), filepath.Join(s.site.DataDir, s.site.DownloadsSub), filepath.Join(s.dir, "old-downloads")},
	}
	if withSite {
		swaps = append(swaps, swap{s.PublicDir(), s.site.PublicDir, filepath.Join(s.dir, "old-public")})
	}
	var done []swap
	undo := func() {
		for i := len(done) - 1; i >= 0; i-- {
			sw := done[i]
			_ = os.Rename(sw.to, sw.from)
			_ = os.Rename(sw.aside, sw.to)
		}
	}
	for _, sw := range swaps {
		if err := os.Rename(sw.to, sw.aside); err != nil && !errors.Is(err, os.ErrNotExist) {
			undo()
			return fmt.Errorf("move %s aside: %w", sw.to, err)
		}
		if err := os.Rename(sw.from, sw.to); err != nil {
			_ = os.Rename(sw.aside, sw.to)
			undo()
			return fmt.Errorf("put %s in place: %w", sw.to, err)
		}
		done = append(done, sw)
	}
	return nil
}

// hugo runs `go tool hugo` from the Go module that holds the site dir or,
// for a site kept outside it, the working directory.
func hugo(ctx context.Context, dir string, out io.Writer, args ...string) error {
	root, err := moduleRoot(dir)
	if err != nil {
		if root, err = moduleRoot("."); err != nil {
			return err
		}
	}
	cmd := exec.CommandContext(ctx, "go", append([]string{"tool", "hugo"}, args...)...)
	cmd.Dir = root
	cmd.Stdout, cmd.Stderr = out, out
	cmd.Cancel = func() error { return cmd.Process.Signal(os.Interrupt) }
	return cmd.Run()
}

// moduleRoot finds the folder holding go.mod at or above dir.
func moduleRoot(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := abs; ; d = filepath.Dir(d) {
		if _, err := os.Stat(filepath.Join(d, "go.mod")); err == nil {
			return d, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no go.mod at or above %s: Hugo runs as a Go tool of this module", abs)
		}
	}
}

// hugoMessages keeps Hugo's ERROR and WARN lines, dropping the stack
// traces --panicOnWarning prints; without any, the last lines.
func hugoMessages(out string) string {
	var keep []string
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	for _, l := range lines {
		if t := strings.TrimSpace(l); strings.HasPrefix(t, "ERROR") || strings.HasPrefix(t, "WARN") || strings.HasPrefix(t, "Error:") {
			keep = append(keep, t)
		}
	}
	if len(keep) == 0 {
		keep = lines[max(0, len(lines)-20):]
	}
	return strings.Join(keep, "\n")
}

func indent(s string) string {
	s = strings.TrimRight(s, "\n")
	if s == "" {
		return ""
	}
	return "  " + strings.ReplaceAll(s, "\n", "\n  ")
}
