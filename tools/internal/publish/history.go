package publish

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/chicago-welcoming-city/transparency/tools/internal/filing"
)

// The published history is every version of every released period, one
// file per period in data/releases/, committed and reviewed like code. It
// is all a later publication must stay consistent with: nightly builds
// publish no protected count of their own, so what the site has ever
// shown of a protected count is in these files.

// ReleasesDir is the folder under data/ that holds released periods.
const ReleasesDir = "releases"

// Release is a released period: every version of it, the last in force.
type Release struct {
	Period   string    `json:"period"` // 2026-Q3 or 2025
	Kind     string    `json:"kind"`   // quarter or year
	Versions []Version `json:"versions"`
}

// Version is one publication of a released period.
type Version struct {
	Version int `json:"version"`
	// ReleasedAt is when the version was published (RFC 3339, Chicago
	// time): versions released together (a fourth quarter and its year)
	// share it, and the audit replays the history in its order.
	ReleasedAt string       `json:"released_at"`
	Reason     string       `json:"reason,omitempty"` // why it was revised
	Delivery   DeliveryMeta `json:"delivery"`
	ConfigHash string       `json:"config_hash"`
	Threshold  int          `json:"threshold"`
	// Sums are, for a year, the quarter versions it adds up.
	Sums    []QuarterVersion `json:"sums,omitempty"`
	Exports []Frozen         `json:"exports"`
	// Filings are the statutory filings the site publishes for the
	// period (params.filings), frozen with it.
	Filings []*filing.Filing `json:"filings,omitempty"`
	// FilingsWithheld are the filings the policy publishes that this
	// version does not, and why.
	FilingsWithheld []WithheldFiling `json:"filings_withheld,omitempty"`
}

// WithheldFiling is a filing a version does not publish, though the policy
// would: it would tell what an earlier release hid.
type WithheldFiling struct {
	ID     string `json:"id"`
	Title  string `json:"title"`
	Reason string `json:"reason"`
}

// Frozen is one export's numbers for a released version.
type Frozen struct {
	Export string `json:"export"`
	Period Period `json:"period"`
}

// Current is the version in force.
func (r *Release) Current() Version { return r.Versions[len(r.Versions)-1] }

// Frozen returns the version's numbers for an export.
func (v Version) Frozen(export string) (Frozen, bool) {
	i := slices.IndexFunc(v.Exports, func(f Frozen) bool { return f.Export == export })
	if i < 0 {
		return Frozen{}, false
	}
	return v.Exports[i], true
}

// Releases are the released periods, by period: the published history.
type Releases map[string]*Release

// ReleaseFile is the file name of a period's release: 2026-q3.json, 2025.json.
func ReleaseFile(p string) string { return strings.ToLower(p) + ".json" }

// LoadReleases reads every release in dir; a missing dir means none.
func LoadReleases(dir string) (Releases, error) {
	out := Releases{}
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return out, nil
	}
	if err != nil {
		return nil, err
	}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".json") {
			continue
		}
		b, err := os.ReadFile(filepath.Join(dir, e.Name()))
		if err != nil {
			return nil, err
		}
		var r Release
		if err := json.Unmarshal(b, &r); err != nil {
			return nil, fmt.Errorf("read release %s: %w", e.Name(), err)
		}
		if len(r.Versions) == 0 || ReleaseFile(r.Period) != e.Name() {
			return nil, fmt.Errorf("release %s: it must hold period %s and at least one version", e.Name(), strings.TrimSuffix(e.Name(), ".json"))
		}
		for i, v := range r.Versions {
			if v.Version != i+1 {
				return nil, fmt.Errorf("release %s: version %d is listed as number %d", e.Name(), i+1, v.Version)
			}
			if _, err := time.Parse(time.RFC3339, v.ReleasedAt); err != nil {
				return nil, fmt.Errorf("release %s version %d: released_at %q is not an RFC 3339 time", e.Name(), v.Version, v.ReleasedAt)
			}
		}
		out[r.Period] = &r
	}
	return out, nil
}

// Encode is the release file's bytes, to be written as ReleaseFile(r.Period)
// in the releases folder (with the rest of a command's writes).
func (r *Release) Encode() ([]byte, error) { return marshalJSON(r) }

// Clone copies the history, so that adding versions leaves the original
// as it was.
func (rs Releases) Clone() Releases {
	out := Releases{}
	for p, r := range rs {
		c := *r
		c.Versions = slices.Clone(r.Versions)
		out[p] = &c
	}
	return out
}

// event is one publication of the history: the versions released at one
// time.
type event struct {
	at       time.Time
	versions []QuarterVersion // period and version, sorted
}

// events lists the history's publications in the order they were made.
func (rs Releases) events() []event {
	byTime := map[string]*event{}
	for _, p := range sortedKeys(rs) {
		for _, v := range rs[p].Versions {
			e := byTime[v.ReleasedAt]
			if e == nil {
				at, _ := time.Parse(time.RFC3339, v.ReleasedAt)
				e = &event{at: at}
				byTime[v.ReleasedAt] = e
			}
			e.versions = append(e.versions, QuarterVersion{Period: p, Version: v.Version})
		}
	}
	out := make([]event, 0, len(byTime))
	for _, e := range byTime {
		out = append(out, *e)
	}
	slices.SortFunc(out, func(a, b event) int { return a.at.Compare(b.at) })
	return out
}

// tables are the history's versions of export, up to and including time
// until (all of them when until is zero), as the reader's system takes
// them; the versions released at until are not frozen.
func (rs Releases) tables(export string, until time.Time) []*table {
	var out []*table
	for _, p := range sortedKeys(rs) {
		for _, v := range rs[p].Versions {
			at, _ := time.Parse(time.RFC3339, v.ReleasedAt)
			if !until.IsZero() && at.After(until) {
				continue
			}
			f, ok := v.Frozen(export)
			if !ok {
				continue
			}
			out = append(out, &table{Period: f.Period, version: v.Version, frozen: until.IsZero() || at.Before(until), filings: v.Filings, sums: v.Sums})
		}
	}
	return out
}

// HistoryFile is the data file, beside the tables, that holds the history
// they were published with; the filings frozen with its versions are in
// filings.json beside it, once.
const HistoryFile = "history.json"

// historyFile is history.json: every release, by period.
type historyFile struct {
	Releases []*Release `json:"releases"`
}

// WriteHistory writes the history to path, without the filings, which
// filings.json holds.
func WriteHistory(path string, rs Releases) error {
	h := historyFile{Releases: []*Release{}}
	for _, p := range sortedKeys(rs) {
		r := *rs[p]
		r.Versions = slices.Clone(r.Versions)
		for i := range r.Versions {
			r.Versions[i].Filings = nil
		}
		h.Releases = append(h.Releases, &r)
	}
	return writeJSON(path, h)
}

// LoadHistory reads the history the tables in dir were published with:
// history.json, with each version's filings from filings.json.
func LoadHistory(dir string) (Releases, error) {
	path := filepath.Join(dir, HistoryFile)
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read the published history: %w (run wco publish or wco build first)", err)
	}
	var h historyFile
	if err := json.Unmarshal(b, &h); err != nil {
		return nil, fmt.Errorf("read %s: %w", path, err)
	}
	out := Releases{}
	for _, r := range h.Releases {
		if len(r.Versions) == 0 {
			return nil, fmt.Errorf("%s: release %s has no version", path, r.Period)
		}
		out[r.Period] = r
	}
	fs, err := LoadFilings(dir)
	if err != nil {
		return nil, err
	}
	for i := range fs.Filings {
		f := &fs.Filings[i]
		r := out[f.Period]
		if r == nil || f.Version < 1 || f.Version > len(r.Versions) {
			return nil, fmt.Errorf("%s: the filing %s of %s version %d is of no release in %s", FilingsFile, f.ID, f.Period, f.Version, HistoryFile)
		}
		r.Versions[f.Version-1].Filings = append(r.Versions[f.Version-1].Filings, &f.Filing)
	}
	return out, nil
}
