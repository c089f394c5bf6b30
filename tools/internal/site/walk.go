package site

import (
	"errors"
	"io/fs"
	"path/filepath"
)

// WalkFiles calls fn for every file under root, following symbolic links
// to folders (data/current, data/downloads and public are links into the
// active generation), with the path as seen through the links. A missing
// root has no files.
func WalkFiles(root string, fn func(path string) error) error {
	real, err := filepath.EvalSymlinks(root)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	return filepath.WalkDir(real, func(p string, e fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(real, p)
		seen := filepath.Join(root, rel)
		switch {
		case e.Type()&fs.ModeSymlink != 0:
			return WalkFiles(seen, fn)
		case e.IsDir():
			return nil
		}
		return fn(seen)
	})
}
