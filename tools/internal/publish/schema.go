package publish

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"github.com/chicago-welcoming-city/transparency/tools/internal/contract"
)

// Statuses of a published value.
const (
	Published = "published" // a number; 0 is a true zero
	// Suppressed: hidden, and at least 1 (zeros are published).
	Suppressed = "suppressed"
	// Withheld: hidden with its whole breakdown, zeros included, so it
	// may be 0; the breakdown says why.
	Withheld      = "withheld"
	NotApplicable = "not_applicable"
)

// Statuses are every status a number of the downloads may have.
var Statuses = []string{Published, Suppressed, Withheld, NotApplicable, NotReported}

// HiddenStatuses are the statuses of a number not shown, which carries a
// reason.
var HiddenStatuses = []string{Suppressed, Withheld}

// hidden reports whether a status hides a count.
func hidden(status string) bool { return slices.Contains(HiddenStatuses, status) }

// Meta opens every data file.
type Meta struct {
	Schema      string       `json:"schema"`
	Tool        string       `json:"tool"`
	ToolVersion string       `json:"tool_version"`
	ConfigHash  string       `json:"config_hash"`
	Delivery    DeliveryMeta `json:"delivery"`
	Disclosure  Disclosure   `json:"disclosure"`
}

// DeliveryMeta identifies the delivery the numbers come from.
type DeliveryMeta struct {
	Digest         string `json:"digest"`
	ManifestSHA256 string `json:"manifest_sha256,omitempty"`
	ExportedAt     string `json:"exported_at,omitempty"` // RFC 3339, when there is a manifest
	Sample         bool   `json:"sample"`                // the synthetic sample: not real records
}

// Disclosure records the protection applied.
type Disclosure struct {
	Threshold       int    `json:"threshold"`
	ProtectionWidth int    `json:"protection_width"`
	Method          string `json:"method"`
}

// QuarterInfo describes one published quarter.
type QuarterInfo struct {
	Quarter     string `json:"quarter"` // 2026-Q3
	Slug        string `json:"slug"`    // 2026-q3
	Year        int    `json:"year"`
	Number      int    `json:"number"`
	Start       string `json:"start"` // first day
	End         string `json:"end"`   // last day
	Due         string `json:"due"`   // the day its report is due
	Provisional bool   `json:"provisional"`
	Released    bool   `json:"released"`
}

// YearInfo describes one published calendar year.
type YearInfo struct {
	Year     int    `json:"year"`
	Start    string `json:"start"`
	End      string `json:"end"`
	Released bool   `json:"released"`
}

// ExportInfo lists an export in the index.
type ExportInfo struct {
	Name       string   `json:"name"`
	Slug       string   `json:"slug"`
	Rules      []string `json:"rules"`
	From       string   `json:"from"` // first published quarter
	Dimensions []string `json:"dimensions"`
	Measures   []string `json:"measures"`
	// NotReported: the export came with no records and no certification
	// that there were none. It has no periods: its counts are unknown,
	// not zero.
	NotReported bool `json:"not_reported"`
}

// Note is a public note about the publication, shown on the site.
type Note struct {
	Kind   string `json:"kind"`   // excluded_invalid_rows, not_reported, not_delivered, certified_none or before_reporting
	Export string `json:"export"` // the export it concerns
	Rows   int    `json:"rows"`
	// Since is, for before_reporting, the first day the export's tables
	// count: records dated earlier are in none of them.
	Since string `json:"since,omitempty"`
}

// Index is publication.json: what was published, from what, for which periods.
type Index struct {
	Meta     Meta          `json:"meta"`
	Quarters []QuarterInfo `json:"quarters"`
	Years    []YearInfo    `json:"years"`
	Exports  []ExportInfo  `json:"exports"`
	Notes    []Note        `json:"notes"`
	// Pending lists the released periods the delivery no longer matches:
	// their version in force stays published until a revision.
	Pending []Pending `json:"pending"`
}

// Count is a published count, or its absence.
type Count struct {
	Count  *int   `json:"count"` // nil unless published
	Status string `json:"status"`
	// Reason says why a count is not shown (Reasons); empty when it is.
	Reason string `json:"reason,omitempty"`
}

// Cell is one value's count in a breakdown.
type Cell struct {
	Value string `json:"value"`
	Count
}

// Breakdown is a period's counts by one dimension.
type Breakdown struct {
	Dimension string `json:"dimension"`
	Multi     bool   `json:"multi"`
	Context   bool   `json:"context"` // no rule asks for it
	// Clause is the rule that requires the breakdown: its counts are
	// exact, never suppressed. Empty for a protected breakdown.
	Clause string `json:"clause,omitempty"`
	// Grouping names the grouping its values are merged by (police_area).
	Grouping string `json:"grouping,omitempty"`
	// Withheld says why every cell is hidden, zeros included (status
	// withheld); empty when the breakdown is published.
	Withheld string `json:"withheld,omitempty"`
	Cells    []Cell `json:"cells"`
}

// Figure is a published measure.
type Figure struct {
	Measure string   `json:"measure"`
	Unit    string   `json:"unit"`
	Value   *float64 `json:"value"` // nil unless published
	Status  string   `json:"status"`
	// Reason says why a figure is not shown (Reasons); empty when it is.
	Reason string `json:"reason,omitempty"`
}

// Period is an export's numbers for one quarter or year.
type Period struct {
	Period      string     `json:"period"` // 2026-Q3 or 2025
	Kind        string     `json:"kind"`   // quarter or year
	Year        int        `json:"year"`
	Quarter     int        `json:"quarter,omitempty"`
	Provisional bool       `json:"provisional"`
	Released    bool       `json:"released"`
	Version     int        `json:"version,omitempty"` // of the release in force
	Revisions   []Revision `json:"revisions,omitempty"`
	Rule        string     `json:"rule"`
	// AsOf is the last day an open quarter's total counts: it counts
	// only the months that have ended. Empty for closed periods.
	AsOf  string `json:"as_of,omitempty"`
	Total Count  `json:"total"`
	// TotalClause is the rule that requires the total: it is exact.
	TotalClause string      `json:"total_clause,omitempty"`
	Breakdowns  []Breakdown `json:"breakdowns"`
	Figures     []Figure    `json:"figures"`
	// Filed reconciles the period with the lists of its statutory filing
	// (see Filed); computed for the site, never frozen with a release.
	Filed []Filed `json:"filed,omitempty"`
}

// Why a breakdown is withheld whole.
const (
	// WithheldSmallGroup: its group has 1 to min_base−1 records; a zero
	// would say that none of those few has the value.
	WithheldSmallGroup = "small_group"
	// WithheldProvisional: the quarter is still open.
	WithheldProvisional = "provisional"
	// WithheldUnreleased: the period is closed but not released; its
	// protected breakdowns are published once, frozen, when it is.
	WithheldUnreleased = "unreleased"
	// WithheldRevision: shown beside an earlier version, it would tell
	// something of the few records a revision added or removed.
	WithheldRevision = "revision"
	// WithheldLinked: the figures published exactly, and what was
	// published before, leave no way to protect its counts.
	WithheldLinked = "linked"
)

// WithheldReasons are every reason a breakdown may be withheld.
var WithheldReasons = []string{WithheldSmallGroup, WithheldProvisional, WithheldUnreleased, WithheldRevision, WithheldLinked}

// Why a count or figure is not shown, besides the reasons a breakdown is
// withheld: every hidden number carries one, on the site and in the
// downloads, so that no "not shown" is left to be guessed at.
const (
	// ReasonPrivacy: suppressed to protect the people in the records (a
	// count from 1 to k−1, or one that would let such a count be worked
	// out; the two are not told apart, which would help work them out).
	ReasonPrivacy = "privacy"
	// ReasonNotCounted: the open quarter has no month ended yet.
	ReasonNotCounted = "not_counted"
	// ReasonYearsOnly: a median is published for calendar years only.
	ReasonYearsOnly = "years_only"
	// ReasonNotReported: the export was delivered without rows.
	ReasonNotReported = "not_reported"
)

// Reasons are every reason a count or figure may not be shown.
var Reasons = append(slices.Clone(WithheldReasons), ReasonPrivacy, ReasonNotCounted, ReasonYearsOnly, ReasonNotReported)

// annotate gives every count of p that is not shown its reason: what its
// breakdown is withheld for, privacy for a suppressed count, not counted
// for an open quarter with no month ended.
func annotate(p *Period) {
	reason := func(c *Count, withheld string) {
		switch c.Status {
		case Suppressed:
			c.Reason = ReasonPrivacy
		case Withheld:
			c.Reason = withheld
		case NotApplicable:
			c.Reason = ReasonNotCounted
		default:
			c.Reason = ""
		}
	}
	total := WithheldUnreleased
	if p.Provisional {
		total = WithheldProvisional
	}
	reason(&p.Total, total)
	for bi := range p.Breakdowns {
		b := &p.Breakdowns[bi]
		for ci := range b.Cells {
			reason(&b.Cells[ci].Count, b.Withheld)
		}
	}
}

// Revision is the public note of a revised release.
type Revision struct {
	Version    int    `json:"version"`
	ExportedAt string `json:"exported_at"` // of the delivery it was computed from
	ReleasedAt string `json:"released_at"`
	Reason     string `json:"reason"`
}

// ExportTables is <export>.json: every published number of one export.
type ExportTables struct {
	Meta    Meta     `json:"meta"`
	Export  string   `json:"export"`
	Periods []Period `json:"periods"`
}

// forEachCount visits a period's total (dim "") and every breakdown cell.
func forEachCount(p Period, fn func(dim, value string, c Count)) {
	fn("", "", p.Total)
	for _, b := range p.Breakdowns {
		for _, c := range b.Cells {
			fn(b.Dimension, c.Value, c.Count)
		}
	}
}

// IndexFile is the data file name of the publication index.
const IndexFile = "publication.json"

// WriteDir writes the data files into dir, which must exist.
func (p *Publication) WriteDir(dir string) error {
	if err := writeJSON(filepath.Join(dir, IndexFile), p.Index); err != nil {
		return err
	}
	for _, t := range p.Exports {
		e, err := contract.Lookup(t.Export)
		if err != nil {
			return err
		}
		if err := writeJSON(filepath.Join(dir, e.Slug()+".json"), t); err != nil {
			return err
		}
	}
	return nil
}

func writeJSON(path string, v any) error {
	b, err := marshalJSON(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", filepath.Base(path), err)
	}
	return os.WriteFile(path, b, 0o644)
}

// marshalJSON is the form of every JSON file the package writes: indented
// by two spaces, with a final newline.
func marshalJSON(v any) ([]byte, error) {
	b, err := json.MarshalIndent(v, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(b, '\n'), nil
}

// clone is a deep copy of p, which can be changed without changing p.
func (p Period) clone() Period {
	c := p
	c.Breakdowns = slices.Clone(p.Breakdowns)
	for i := range c.Breakdowns {
		c.Breakdowns[i].Cells = slices.Clone(p.Breakdowns[i].Cells)
	}
	c.Figures = slices.Clone(p.Figures)
	c.Revisions = slices.Clone(p.Revisions)
	return c
}

// LoadIndex reads publication.json in dir.
func LoadIndex(dir string) (*Index, error) {
	b, err := os.ReadFile(filepath.Join(dir, IndexFile))
	if err != nil {
		return nil, err
	}
	var idx Index
	if err := json.Unmarshal(b, &idx); err != nil {
		return nil, fmt.Errorf("read %s: %w", IndexFile, err)
	}
	return &idx, nil
}
