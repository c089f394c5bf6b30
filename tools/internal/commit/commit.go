// Package commit is the one way the toolkit writes what a command
// produces: everything a command writes appears together, or not at all.
//
// A Set stages its files beside their destinations, then puts them all in
// place at once. Its journal, in the project's journal folder, makes the
// set one act even across a crash:
//
//  1. the journal is written as staged, listing every staged path and its
//     destination, before anything is staged;
//  2. the files are written and synced under temporary names;
//  3. one rename marks the journal committed: the moment the set takes
//     effect;
//  4. the staged paths are renamed onto their destinations, and the
//     journal is removed.
//
// Recover, which every command runs before it reads or writes, finishes
// what a killed command left: a staged journal is undone (its temporary
// files removed: the previous state), a committed one is completed (its
// renames redone: the new state). A journal whose command is still running
// holds a lock, and Recover leaves it alone. So a kill at any moment
// leaves, as the next command finds it, either everything the killed
// command wrote or nothing of it.
package commit

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/gofrs/flock"
)

// Between is called between the steps of a commit; nil in every command.
// The crash tests set it, to kill a command between any two steps.
var Between func(step string)

func between(step string) {
	if Between != nil {
		Between(step)
	}
}

// item is one staged path and where it goes.
type item struct {
	Staged string `json:"staged"`
	Dest   string `json:"dest"`
}

type journal struct {
	Items []item `json:"items"`
}

// Set is the files one command writes, put in place together.
type Set struct {
	dir   string // the journal folder
	id    string
	lock  *flock.Flock
	items []item
	done  bool
}

// The journal's names: set-ID.staged, then set-ID.commit; set-ID.lock is
// held while the command runs.
const (
	stagedExt = ".staged"
	commitExt = ".commit"
	lockExt   = ".lock"
)

// New starts a set whose journal goes in dir (the project's .wco/journal),
// after finishing what a killed command left there: a set is never
// written over one that is half done.
func New(dir string) (*Set, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, fmt.Errorf("make the journal folder: %w", err)
	}
	if err := Recover(dir); err != nil {
		return nil, err
	}
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		return nil, err
	}
	s := &Set{dir: dir, id: "set-" + hex.EncodeToString(b[:])}
	s.lock = flock.New(filepath.Join(dir, s.id+lockExt))
	if err := s.lock.Lock(); err != nil {
		return nil, fmt.Errorf("lock the journal: %w", err)
	}
	return s, nil
}

func (s *Set) path(ext string) string { return filepath.Join(s.dir, s.id+ext) }

// stage records a staged path in the journal before it exists, so that
// Recover can remove it if the command dies before the commit.
func (s *Set) stage(staged, dest string) error {
	if s.done {
		return errors.New("the set is already committed or abandoned")
	}
	abs := func(p string) (string, error) {
		if p == "" {
			return "", nil // named later, by Move
		}
		return filepath.Abs(p)
	}
	st, err := abs(staged)
	if err != nil {
		return err
	}
	d, err := abs(dest)
	if err != nil {
		return err
	}
	s.items = append(s.items, item{Staged: st, Dest: d})
	return writeJournal(s.path(stagedExt), s.items)
}

// Write stages data for dest (made with mode perm), in dest's folder.
func (s *Set) Write(dest string, data []byte, perm fs.FileMode) error {
	if err := os.MkdirAll(filepath.Dir(dest), 0o755); err != nil {
		return err
	}
	staged := filepath.Join(filepath.Dir(dest), "."+filepath.Base(dest)+"."+s.id)
	if err := s.stage(staged, dest); err != nil {
		return err
	}
	between("stage " + filepath.Base(dest))
	return writeSynced(staged, data, perm)
}

// TempDir makes a staged folder in parent, recorded in the journal before
// it exists so that it is removed if the set is not committed; Move names
// where it goes.
func (s *Set) TempDir(parent, prefix string) (string, error) {
	var b [6]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", err
	}
	dir := filepath.Join(parent, prefix+hex.EncodeToString(b[:]))
	if err := s.stage(dir, ""); err != nil {
		return "", err
	}
	return dir, os.Mkdir(dir, 0o755)
}

// Move stages a path the caller has made (a folder from TempDir, a link)
// for dest: at the commit it is renamed onto dest, replacing a file or
// link there (a folder at dest must be empty or absent). staged must be on
// dest's file system, and is removed if the set is not committed.
func (s *Set) Move(staged, dest string) error {
	abs, err := filepath.Abs(staged)
	if err != nil {
		return err
	}
	for i, it := range s.items {
		if it.Staged == abs && it.Dest == "" {
			d, err := filepath.Abs(dest)
			if err != nil {
				return err
			}
			s.items[i].Dest = d
			return writeJournal(s.path(stagedExt), s.items)
		}
	}
	return s.stage(staged, dest)
}

// Commit puts every staged path in place, together.
func (s *Set) Commit() error {
	if s.done {
		return errors.New("the set is already committed or abandoned")
	}
	for _, it := range s.items {
		if it.Dest == "" {
			return fmt.Errorf("commit: %s has nowhere to go", it.Staged)
		}
	}
	between("commit")
	if err := syncDir(s.dir); err != nil {
		return err
	}
	if err := os.Rename(s.path(stagedExt), s.path(commitExt)); err != nil {
		if errors.Is(err, os.ErrNotExist) && len(s.items) == 0 {
			s.release()
			return nil // nothing was staged
		}
		return fmt.Errorf("commit: %w", err)
	}
	if err := syncDir(s.dir); err != nil {
		return err
	}
	between("committed")
	err := complete(s.items)
	if err == nil {
		err = os.Remove(s.path(commitExt))
	}
	s.release()
	return err
}

// Abandon removes what was staged and leaves everything else as it was;
// after a Commit it does nothing, so it can be deferred.
func (s *Set) Abandon() {
	if s.done {
		return
	}
	undo(s.items)
	_ = os.Remove(s.path(stagedExt))
	s.release()
}

func (s *Set) release() {
	s.done = true
	_ = s.lock.Unlock()
	_ = os.Remove(s.lock.Path())
}

// complete renames each staged path onto its destination; a staged path
// already gone was renamed before a crash.
func complete(items []item) error {
	for _, it := range items {
		between("rename " + filepath.Base(it.Dest))
		if _, err := os.Lstat(it.Staged); errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err := os.Rename(it.Staged, it.Dest); err != nil {
			return fmt.Errorf("put %s in place: %w", it.Dest, err)
		}
	}
	dirs := map[string]bool{}
	for _, it := range items {
		dirs[filepath.Dir(it.Dest)] = true
	}
	for _, d := range slices.Sorted(func(yield func(string) bool) {
		for d := range dirs {
			if !yield(d) {
				return
			}
		}
	}) {
		if err := syncDir(d); err != nil {
			return err
		}
	}
	return nil
}

func undo(items []item) {
	for _, it := range items {
		_ = os.RemoveAll(it.Staged)
	}
}

// Recover finishes the sets in dir that a killed command left: undoes the
// staged ones and completes the committed ones, and removes what is left
// of their journals. Sets whose command still runs are left alone.
func Recover(dir string) error {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	ids := map[string]bool{}
	for _, e := range entries {
		if id, _, ok := strings.Cut(e.Name(), "."); ok && strings.HasPrefix(id, "set-") {
			ids[id] = true
		}
	}
	var errs []error
	for _, id := range slices.Sorted(maps.Keys(ids)) {
		lock := flock.New(filepath.Join(dir, id+lockExt))
		if ok, err := lock.TryLock(); err != nil || !ok {
			continue // its command is running
		}
		err := finish(dir, id)
		if err != nil {
			errs = append(errs, fmt.Errorf("finish the interrupted write %s: %w", id, err))
		} else {
			for _, ext := range []string{stagedExt + ".tmp", commitExt, stagedExt} {
				_ = os.Remove(filepath.Join(dir, id+ext))
			}
		}
		_ = lock.Unlock()
		if err == nil {
			_ = os.Remove(lock.Path())
		}
	}
	return errors.Join(errs...)
}

// finish undoes set id if it was only staged, or completes it if it was
// committed.
func finish(dir, id string) error {
	if items, err := readJournal(filepath.Join(dir, id+commitExt)); err == nil {
		return complete(items)
	} else if !errors.Is(err, os.ErrNotExist) {
		return err
	}
	items, err := readJournal(filepath.Join(dir, id+stagedExt))
	if errors.Is(err, os.ErrNotExist) {
		return nil // killed before it staged anything
	}
	if err != nil {
		return err
	}
	undo(items)
	return nil
}

func writeJournal(path string, items []item) error {
	b, err := json.Marshal(journal{Items: items})
	if err != nil {
		return err
	}
	tmp := path + ".tmp"
	if err := writeSynced(tmp, b, 0o644); err != nil {
		return err
	}
	return os.Rename(tmp, path)
}

func readJournal(path string) ([]item, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var j journal
	if err := json.Unmarshal(b, &j); err != nil {
		return nil, err
	}
	return j.Items, nil
}

// writeSynced writes a file and syncs it to disk before it is renamed.
func writeSynced(path string, data []byte, perm fs.FileMode) error {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, perm)
	if err != nil {
		return err
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// syncDir syncs a folder, so the renames in it are on disk.
func syncDir(dir string) error {
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	defer d.Close()
	if err := d.Sync(); err != nil && !errors.Is(err, os.ErrInvalid) {
		return err
	}
	return nil
}
