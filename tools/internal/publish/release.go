package publish

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"github.com/chicago-welcoming-city/transparency/tools/internal/filing"
	"github.com/chicago-welcoming-city/transparency/tools/internal/period"
	"github.com/chicago-welcoming-city/transparency/tools/internal/records"
)

// ReleasesDir is the folder under data/ that holds released periods, one
// file each, committed and reviewed like code.
const ReleasesDir = "releases"

// SampleKey keys the fingerprints of the embedded sample delivery only.
// It is public: fingerprints of the sample protect nothing real.
const SampleKey = "wco-sample-delivery-key-not-secret"

// Release is a period frozen for publication: every version of it, the
// last in force.
type Release struct {
	Period   string    `json:"period"` // 2026-Q3 or 2025
	Kind     string    `json:"kind"`   // quarter or year
	Versions []Version `json:"versions"`
}

// Version is one publication of a released period.
type Version struct {
	Version    int          `json:"version"`
	Reason     string       `json:"reason,omitempty"` // why it was revised
	Delivery   DeliveryMeta `json:"delivery"`
	ConfigHash string       `json:"config_hash"`
	Threshold  int          `json:"threshold"`
	Exports    []Frozen     `json:"exports"`
	// Filings are the statutory filings the site publishes for the
	// period (params.filings), frozen with it.
	Filings []*filing.Filing `json:"filings,omitempty"`
}

// Frozen is one export's numbers for a released period, and a keyed
// fingerprint of the true counts behind them.
type Frozen struct {
	Export string `json:"export"`
	// Fingerprint is HMAC-SHA-256, keyed with WCO_PSEUDONYM_KEY, of every
	// true count of every catalog breakdown of the period. Without the key
	// it reveals nothing; with it, a build proves the period unchanged.
	Fingerprint string `json:"fingerprint"`
	Period      Period `json:"period"`
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

// Releases are the released periods, by period.
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
		out[r.Period] = &r
	}
	return out, nil
}

// Write writes a release into dir.
func (r *Release) Write(dir string) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	return writeJSON(filepath.Join(dir, ReleaseFile(r.Period)), r)
}

// fingerprint is the keyed HMAC of an export's true counts for a period:
// the total, every catalog breakdown and every median's day histogram.
func (a *aggregate) fingerprint(key []byte, p string, c *counts) string {
	m := hmac.New(sha256.New, key)
	fmt.Fprintf(m, "%s\x00%s\x00total=%d\n", a.export.Name, p, c.total)
	for i, d := range a.dims {
		for j, v := range d.Values {
			fmt.Fprintf(m, "%s=%s:%d\n", d.ID, v, c.dims[i][j])
		}
	}
	for i, ms := range a.measures {
		for day, n := range c.hist[i] {
			if n > 0 {
				fmt.Fprintf(m, "%s@%d:%d\n", ms.ID, day, n)
			}
		}
	}
	return "hmac-sha256:" + hex.EncodeToString(m.Sum(nil))
}

// ErrReleasedChanged is returned when a delivery changes a released period.
var ErrReleasedChanged = errors.New("the delivery changes a released period")

// ReleasedChangedError names the released periods a delivery changes, and
// the exports it changes them in. It is ErrReleasedChanged.
type ReleasedChangedError struct {
	Periods []string // sorted, each once
	Changes []string // "2025-Q3 (detainer_log)", sorted
}

func (e *ReleasedChangedError) add(p, export string) {
	e.Changes = append(e.Changes, fmt.Sprintf("%s (%s)", p, export))
	slices.Sort(e.Changes)
	if !slices.Contains(e.Periods, p) {
		e.Periods = append(e.Periods, p)
		slices.Sort(e.Periods)
	}
}

func (e *ReleasedChangedError) Error() string {
	return fmt.Sprintf("%v: %s. A released period is frozen: if the change is right (late or corrected records), publish it with wco revise PERIOD --reason \"…\"; if not, find out why the records system changed it (or whether WCO_PSEUDONYM_KEY is the key it was released with)", ErrReleasedChanged, strings.Join(e.Changes, ", "))
}

// Is makes the error ErrReleasedChanged.
func (e *ReleasedChangedError) Is(target error) bool { return target == ErrReleasedChanged }

// Pseudonym is the keyed HMAC-SHA-256 of a record id: it follows a record
// across deliveries without naming it, and is never published.
func Pseudonym(key []byte, export, id string) string {
	m := hmac.New(sha256.New, key)
	fmt.Fprintf(m, "%s\x00%s", export, id)
	return hex.EncodeToString(m.Sum(nil))
}

// digest summarizes what the catalog reads of a record, to tell a changed
// record from an unchanged one.
func (a *aggregate) digest(r records.Record) string {
	h := sha256.New()
	fmt.Fprintf(h, "%s\n", period.Of(r.When().Time))
	for _, d := range a.dims {
		fmt.Fprintf(h, "%s=%s\n", d.ID, strings.Join(d.of(r), ";"))
	}
	for _, m := range a.measures {
		if m.days != nil {
			n, ok := m.days(r)
			fmt.Fprintf(h, "%s=%d,%v\n", m.ID, n, ok)
		}
	}
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// Release freezes period p of this publication: a first release when
// prior is nil, otherwise prior's next version, revised for reason.
func (pub *Publication) Release(p string, prior *Release, reason string, opt Options) (*Release, error) {
	v := Version{Version: 1, Reason: reason, Delivery: pub.Index.Meta.Delivery, ConfigHash: pub.Index.Meta.ConfigHash, Threshold: opt.Threshold}
	r := &Release{Period: p}
	if prior != nil {
		r = &Release{Period: prior.Period, Kind: prior.Kind, Versions: slices.Clone(prior.Versions)}
		v.Version = prior.Current().Version + 1
	}
	for _, e := range pub.Exports {
		for _, per := range e.Periods {
			if per.Period != p {
				continue
			}
			if per.Provisional {
				return nil, fmt.Errorf("release %s: the quarter had not ended when the delivery was exported; release it from a later delivery", p)
			}
			r.Kind = per.Kind
			per.Released, per.Version, per.Revisions = false, 0, nil
			v.Exports = append(v.Exports, Frozen{Export: e.Export, Fingerprint: pub.fingerprints[e.Export][p], Period: per})
		}
	}
	if len(v.Exports) == 0 {
		return nil, fmt.Errorf("release %s: the publication has no such period", p)
	}
	if f := pub.filings[p]; f != nil {
		v.Filings = []*filing.Filing{f}
	}
	r.Versions = append(r.Versions, v)
	return r, nil
}

// LedgerFile is a period's ledger in the local deliveries store.
func LedgerFile(store, p string) string {
	return filepath.Join(store, "ledger", strings.ToLower(p)+".json")
}

// WriteLedger keeps a period's records, by pseudonym, in the local store.
func WriteLedger(path string, ledger map[string]string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return err
	}
	b, err := json.Marshal(ledger)
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o600)
}

// CompareLedger tells how the records of a period changed since a ledger
// was written: added, removed, and changed in what the catalog reads.
func CompareLedger(path string, now map[string]string) (added, removed, changed int, err error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return 0, 0, 0, err
	}
	var before map[string]string
	if err := json.Unmarshal(b, &before); err != nil {
		return 0, 0, 0, err
	}
	for id, d := range now {
		switch old, ok := before[id]; {
		case !ok:
			added++
		case old != d:
			changed++
		}
	}
	for id := range before {
		if _, ok := now[id]; !ok {
			removed++
		}
	}
	return added, removed, changed, nil
}
