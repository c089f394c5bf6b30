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
// The renderer is swappable: Hugo (the version pinned in go.mod, run as
// `go tool hugo` from the module root) by default, another in tests of the
// stage's own guarantees, which need no Hugo.
package site

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/gofrs/flock"

	"github.com/chicago-welcoming-city/transparency/tools/internal/commit"
)

// Site locates a Hugo site and where a build writes.
type Site struct {
	Dir        string // the site: config.yaml, content/, layouts/, i18n/, assets/, static/
	DataDir    string // data/; a build owns its subfolders current/ and downloads/
	PublicDir  string // public/, replaced whole
	ConfigFile string // config.yaml
	Params     map[string]any
	// Params are the effective toolkit settings, given to Hugo on top of
	// config.yaml so the site shows the values the tools used.
	BaseURL string // when set, the address the site is built for, over config.yaml's
	// Renderer renders the site; nil is Hugo.
	Renderer Renderer
	// DisableLanguages leaves languages out of the build (Hugo's
	// disableLanguages), for a quicker render of what does not depend on
	// the language: a published site always has them all.
	DisableLanguages []string
}

// The subfolders of DataDir a build owns and replaces.
const (
	CurrentSub   = "current"   // Hugo's data files
	DownloadsSub = "downloads" // the public downloads, served at /downloads/
)

// JournalDir is where a command's writes keep their journal (package
// commit): .wco/journal beside the data folder.
func (s Site) JournalDir() string { return filepath.Join(filepath.Dir(s.DataDir), ".wco", "journal") }

// Current is the folder of the data files in place: DataDir/current.
func (s Site) Current() string { return filepath.Join(s.DataDir, CurrentSub) }

// Downloads is the folder of the downloads in place: DataDir/downloads.
func (s Site) Downloads() string { return filepath.Join(s.DataDir, DownloadsSub) }

// Renderer renders a stage's site into its public folder.
type Renderer interface {
	Render(ctx context.Context, job Job, log io.Writer) error
}

// Job is what a renderer renders: the site, read through Hugo's
// configuration files (config.yaml, then the stage's overlay, which mounts
// the staged data and sets the effective params), into Public.
type Job struct {
	Site        Site
	ConfigFiles []string
	Data        string // the staged data files
	Downloads   string // the staged downloads
	Public      string // where the site goes, empty beforehand
}

func (s Site) renderer() Renderer {
	if s.Renderer == nil {
		return Hugo{}
	}
	return s.Renderer
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
func (s *Stage) DataDir() string { return filepath.Join(s.dir, CurrentSub) }

// DownloadsDir is where the stage's downloads go; it becomes
// DataDir/DownloadsSub, and the site serves it at /downloads/.
func (s *Stage) DownloadsDir() string { return filepath.Join(s.dir, DownloadsSub) }

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
	return s.stageIn(dir, lock)
}

// stageIn makes the stage in folder dir, holding lock (nil for a scratch
// stage), with its data and downloads folders; on failure it is removed.
func (s Site) stageIn(dir string, lock *flock.Flock) (*Stage, error) {
	st := &Stage{site: s, dir: dir, lock: lock}
	for _, d := range []string{st.DataDir(), st.DownloadsDir()} {
		if err := os.Mkdir(d, 0o755); err != nil {
			st.Close()
			return nil, err
		}
	}
	return st, nil
}

// NewScratch makes a stage in the system's temporary folder that can be
// rendered, served and read but never committed: it takes no lock, so a
// build may run beside it (wco filing prints from one).
func (s Site) NewScratch() (*Stage, error) {
	dir, err := os.MkdirTemp("", "wco-scratch-")
	if err != nil {
		return nil, fmt.Errorf("make scratch folder: %w", err)
	}
	return s.stageIn(dir, nil)
}

// Close removes the generation unless it was committed, and releases the lock.
func (s *Stage) Close() error {
	var err error
	if !s.committed {
		err = os.RemoveAll(s.dir)
	}
	if s.lock == nil {
		return err
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
			"files": []string{"! " + CurrentSub + "/**", "! " + DownloadsSub + "/**"},
		})
	}
	mounts = append(mounts,
		map[string]any{"source": s.DataDir(), "target": "data/" + CurrentSub},
		map[string]any{"source": s.DownloadsDir(), "target": "static/downloads"},
	)
	cfg := map[string]any{"module": map[string]any{"mounts": mounts}}
	if s.site.BaseURL != "" {
		cfg["baseURL"] = s.site.BaseURL
	}
	if len(s.site.DisableLanguages) > 0 {
		cfg["disableLanguages"] = s.site.DisableLanguages
	}
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

// job is the stage's render job, with its overlay written.
func (s *Stage) job() (Job, error) {
	overlay, err := s.overlay()
	if err != nil {
		return Job{}, err
	}
	return Job{Site: s.site, ConfigFiles: []string{s.site.ConfigFile, overlay}, Data: s.DataDir(), Downloads: s.DownloadsDir(), Public: s.PublicDir()}, nil
}

// Render renders the staged data into the stage's public folder with the
// site's renderer.
func (s *Stage) Render(ctx context.Context, log io.Writer) error {
	job, err := s.job()
	if err != nil {
		return err
	}
	return s.site.renderer().Render(ctx, job, log)
}

// Serve runs Hugo's local preview server on the staged data until ctx ends.
func (s *Stage) Serve(ctx context.Context, bind string, port int, log io.Writer) error {
	job, err := s.job()
	if err != nil {
		return err
	}
	args := append([]string{"server"}, hugoArgs(job)...)
	args = append(args, "--bind", bind, "--port", fmt.Sprint(port), "--renderToMemory", "--disableFastRender")
	err = hugo(ctx, s.site.Dir, log, log, args...)
	if ctx.Err() != nil {
		return nil // stopped on purpose
	}
	return err
}

// Commit puts the generation in place: data/current, data/downloads and,
// withSite, public. Without the site (wco publish), the generation keeps
// the site now in place, by hard links.
func (s *Stage) Commit(withSite bool) error {
	if s.lock == nil {
		return errors.New("a scratch stage is never put in place")
	}
	active := filepath.Join(s.site.genRoot(), "active")
	links := []struct{ path, name string }{
		{s.site.Current(), CurrentSub},
		{s.site.Downloads(), DownloadsSub},
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
	// The switch: one rename of the active link, through the journal of
	// the command's writes.
	set, err := commit.New(s.site.JournalDir())
	if err != nil {
		return err
	}
	defer set.Abandon()
	tmp := filepath.Join(s.site.genRoot(), "active.new-"+filepath.Base(s.dir))
	if err := set.Move(tmp, active); err != nil {
		return err
	}
	if err := os.Symlink(filepath.Base(s.dir), tmp); err != nil {
		return fmt.Errorf("link the new outputs: %w", err)
	}
	if err := set.Commit(); err != nil {
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
		{s.DataDir(), s.site.Current(), filepath.Join(s.dir, "old-data")},
		{s.DownloadsDir(), s.site.Downloads(), filepath.Join(s.dir, "old-downloads")},
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
