package delivery

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"time"
)

// ManifestName is the file name of a delivery's manifest.
const ManifestName = "manifest.json"

// Manifest is a delivery's optional manifest.json.
type Manifest struct {
	SchemaVersion int            `json:"schema_version"`
	ExportedAt    time.Time      `json:"exported_at"`
	Files         []ManifestFile `json:"files"`
	// NotDelivered names the exports the records system does not produce
	// (visa_certifications): they are not asked for, and are published as
	// not reported, as params.exports.<export>.delivered: false says.
	NotDelivered []string `json:"not_delivered,omitempty"`
}

// Delivers reports whether the manifest says the records system produces
// the export.
func (m *Manifest) Delivers(export string) bool {
	return m == nil || !slices.Contains(m.NotDelivered, export)
}

// ManifestFile is one file's entry in a manifest.
type ManifestFile struct {
	Name   string `json:"name"`
	Rows   int    `json:"rows"`
	SHA256 string `json:"sha256"`
	// CertifiedEmpty is the records system's certification that the
	// export had no records at all (805 ILCS 25 asks agencies to certify
	// when they received nothing). Without it, a file with no rows is
	// published as not reported, never as zeros.
	CertifiedEmpty bool `json:"certified_empty,omitempty"`
}

// File returns the manifest's entry for a file name.
func (m *Manifest) File(name string) (ManifestFile, bool) {
	for _, f := range m.Files {
		if f.Name == name {
			return f, true
		}
	}
	return ManifestFile{}, false
}

// exportName is what an export's name looks like.
var exportName = regexp.MustCompile(`^[a-z][a-z_]{0,63}$`)

// ParseManifest decodes and checks a manifest's shape.
func ParseManifest(b []byte) (*Manifest, error) {
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, fmt.Errorf("%s: %w", ManifestName, err)
	}
	if m.ExportedAt.IsZero() {
		return nil, fmt.Errorf("%s: exported_at is missing: the records system must say when it exported", ManifestName)
	}
	seen := map[string]bool{}
	for i, f := range m.Files {
		if f.Name == "" || len(f.SHA256) != 64 || f.Rows < 0 {
			return nil, fmt.Errorf("%s: files[%d]: each file needs a name, a row count and a 64-digit sha256", ManifestName, i)
		}
		if err := CheckName(f.Name); err != nil {
			return nil, fmt.Errorf("%s: files[%d]: %w", ManifestName, i, err)
		}
		if f.CertifiedEmpty && f.Rows != 0 {
			return nil, fmt.Errorf("%s: files[%d]: %s certifies it is empty but lists %d rows", ManifestName, i, f.Name, f.Rows)
		}
		if f.Name == ManifestName || seen[f.Name] {
			return nil, fmt.Errorf("%s: files[%d]: %q is refused: it is listed twice or names the manifest itself", ManifestName, i, f.Name)
		}
		seen[f.Name] = true
	}
	for i, e := range m.NotDelivered {
		if !exportName.MatchString(e) || slices.Index(m.NotDelivered, e) != i {
			return nil, fmt.Errorf("%s: not_delivered[%d]: %q is refused: name each export once, as the contract does (visa_certifications)", ManifestName, i, e)
		}
	}
	return &m, nil
}

// Marshal writes the manifest as indented JSON with a final newline.
func (m *Manifest) Marshal() ([]byte, error) {
	b, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}
