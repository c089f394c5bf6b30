// Package delivery opens a records delivery: a folder holding the four CSV
// exports of the contract and, optionally, manifest.json. A delivery is read
// through an fs.FS, so the embedded sample, a local folder and a folder in
// the deliveries store are all the same to the rest of the toolkit.
package delivery

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
)

// SampleOrigin names the embedded sample delivery in messages and metadata.
const SampleOrigin = "embedded sample delivery"

// Delivery is an opened delivery.
type Delivery struct {
	FS       fs.FS
	Origin   string    // where it came from, for messages
	Sample   bool      // the embedded sample delivery
	Manifest *Manifest // nil when the delivery has none
}

// Open opens the delivery named by source: empty for the sample delivery
// (its files in sampleFS), otherwise a local folder.
func Open(source string, sampleFS fs.FS) (*Delivery, error) {
	var d *Delivery
	switch {
	case source == "":
		d = &Delivery{FS: sampleFS, Origin: SampleOrigin, Sample: true}
	case strings.HasPrefix(source, "https://") || strings.HasPrefix(source, "http://"):
		return nil, fmt.Errorf("source %s: a URL is pulled into the deliveries store first (wco pull), then opened from there", source)
	default:
		st, err := os.Stat(source)
		if err != nil {
			return nil, fmt.Errorf("open delivery: %w", err)
		}
		if !st.IsDir() {
			return nil, fmt.Errorf("open delivery %s: not a folder: a delivery is a folder holding the exports", source)
		}
		fsys, err := FolderFS(source)
		if err != nil {
			return nil, fmt.Errorf("open delivery: %w", err)
		}
		d = &Delivery{FS: fsys, Origin: source}
	}
	b, err := fs.ReadFile(d.FS, ManifestName)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return d, nil
	case err != nil:
		return nil, fmt.Errorf("open delivery %s: %w", d.Origin, err)
	}
	if d.Manifest, err = ParseManifest(b); err != nil {
		return nil, fmt.Errorf("open delivery %s: %w", d.Origin, err)
	}
	return d, nil
}

// Digest identifies the delivery's content: the sha256 of the manifest when
// there is one, otherwise of the listed files' names and contents. It lets
// every published number be traced to the delivery it came from, and
// reveals nothing about any record.
func (d *Delivery) Digest(files []string) (string, error) {
	h := sha256.New()
	if b, err := fs.ReadFile(d.FS, ManifestName); err == nil {
		h.Write(b)
		return "sha256:" + hex.EncodeToString(h.Sum(nil)), nil
	}
	sums := make([]string, len(files))
	for i, name := range files {
		f, err := d.FS.Open(name)
		if err != nil {
			return "", err
		}
		fh := sha256.New()
		_, err = io.Copy(fh, f)
		f.Close()
		if err != nil {
			return "", fmt.Errorf("read %s: %w", name, err)
		}
		sums[i] = hex.EncodeToString(fh.Sum(nil))
	}
	return FilesDigest(files, sums), nil
}

// FilesDigest identifies a delivery without a manifest by its files' names
// and sha256 sums (hex), in the order given.
func FilesDigest(files, sums []string) string {
	h := sha256.New()
	for i, name := range files {
		fmt.Fprintf(h, "%s %s\n", name, sums[i])
	}
	return "sha256:" + hex.EncodeToString(h.Sum(nil))
}
