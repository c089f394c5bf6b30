package publish

import (
	"slices"
	"time"

	"github.com/chicago-welcoming-city/transparency/tools/internal/contract"
	"github.com/chicago-welcoming-city/transparency/tools/internal/period"
)

// DictionaryFile is the data file the site's data dictionary, methodology
// and compliance pages are generated from.
const DictionaryFile = "dictionary.json"

// Dictionary describes the export contract and the publication catalog:
// every column, whether it is personal data, the rules a delivery must
// meet, and every breakdown and measure with whether the policy publishes
// it. It holds no record and no count.
type Dictionary struct {
	Meta           Meta               `json:"meta"`
	SchemaVersion  int                `json:"schema_version"`
	DatetimeForms  []string           `json:"datetime_forms"`
	DateForms      []string           `json:"date_forms"`
	FlagForms      []string           `json:"flag_forms"`
	ValidDistricts []int              `json:"valid_districts"`
	Exports        []DictionaryExport `json:"exports"`
	// Groupings are the value groupings the policy uses, with sources.
	Groupings []DictionaryGrouping `json:"groupings"`
}

// DictionaryStatutory is one figure a rule requires, published exactly.
type DictionaryStatutory struct {
	Figure  string   `json:"figure"` // total, or a dimension
	Clause  string   `json:"clause"`
	Periods []string `json:"periods"` // quarter, year
}

// DictionaryGrouping is one grouping of values.
type DictionaryGrouping struct {
	Name      string            `json:"name"`
	Dimension string            `json:"dimension"`
	Source    string            `json:"source"`
	Confirmed bool              `json:"confirmed"`
	Groups    []DictionaryGroup `json:"groups"`
}

// DictionaryGroup is one group and the values it holds.
type DictionaryGroup struct {
	Value  string   `json:"value"`
	Values []string `json:"values"`
}

// DictionaryExport is one export of the dictionary.
type DictionaryExport struct {
	Name       string                `json:"name"`
	File       string                `json:"file"`
	Rules      []string              `json:"rules"`
	Since      string                `json:"since,omitempty"`
	IDColumn   string                `json:"id_column"`
	DateColumn string                `json:"date_column"`
	Columns    []DictionaryColumn    `json:"columns"`
	Checks     []DictionaryCheck     `json:"checks"`
	Dimensions []DictionaryDim       `json:"dimensions"`
	Measures   []DictionaryMeasure   `json:"measures"`
	Statutory  []DictionaryStatutory `json:"statutory"`
	// NotSupplied are the contract columns the records system does not
	// supply at all (params.exports.<export>.not_supplied): unknown in
	// every record, and named on the compliance page.
	NotSupplied []string `json:"not_supplied"`
	// FormerLocations is where the table of former district codes this
	// system's records are read by comes from, if it has one.
	FormerLocations string `json:"former_locations,omitempty"`
	// Derived are the contract columns this system's records are read
	// from other files, or other columns, by.
	Derived []DictionaryDerived `json:"derived,omitempty"`
}

// DictionaryDerived is a contract column derived from a child file's rows
// or the row's own columns, and how, in words.
type DictionaryDerived struct {
	Column string `json:"column"`
	How    string `json:"how"`
}

// Reading is how the records system's files were read for one export,
// beyond renaming: what the dictionary says of it.
type Reading struct {
	NotSupplied []string
	// FirstQuarter is the first quarter its tables cover, when the
	// configuration sets it.
	FirstQuarter    *period.Quarter
	FormerLocations string
	Derived         []DictionaryDerived
}

// DictionaryColumn is one contract column.
type DictionaryColumn struct {
	Name     string   `json:"name"`
	Kind     string   `json:"kind"`
	Required bool     `json:"required"`
	PII      bool     `json:"pii"`
	Codes    []string `json:"codes"`
	Note     string   `json:"note"`
}

// DictionaryCheck is one cross-field rule.
type DictionaryCheck struct {
	Kind    string   `json:"kind"`
	Column  string   `json:"column"`
	Other   string   `json:"other,omitempty"`
	If      string   `json:"if,omitempty"`
	In      []string `json:"in,omitempty"`
	NotIn   []string `json:"not_in,omitempty"`
	Toolkit bool     `json:"toolkit"`
}

// DictionaryDim is one breakdown of the catalog.
type DictionaryDim struct {
	ID        string   `json:"id"`
	Column    string   `json:"column"`
	Values    []string `json:"values"`
	Multi     bool     `json:"multi"`
	Context   bool     `json:"context"`
	Published bool     `json:"published"`
	// Clause: the rule that requires it exactly; empty when protected.
	Clause string `json:"clause,omitempty"`
	// Period (quarter or year) and Grouping of a protected breakdown.
	Period   string `json:"period,omitempty"`
	Grouping string `json:"grouping,omitempty"`
	MinBase  int    `json:"min_base,omitempty"`
}

// DictionaryMeasure is one measure of the catalog.
type DictionaryMeasure struct {
	ID        string `json:"id"`
	Unit      string `json:"unit"`
	Dimension string `json:"dimension,omitempty"`
	Value     string `json:"value,omitempty"`
	Published bool   `json:"published"`
}

// MakeDictionary describes the contract and catalog under a policy. The
// datetime and date forms are examples of records.ContractDatetimeLayouts
// and ContractDateLayouts (TestDictionaryFormsParse holds them together).
func MakeDictionary(meta Meta, policy Policy, groupings Groupings, threshold int, reading map[string]Reading) Dictionary {
	d := Dictionary{
		Meta:           meta,
		SchemaVersion:  contract.SchemaVersion,
		DatetimeForms:  []string{"2026-07-03 14:05", "2026-07-03 14:05:09", "2026-07-03T14:05:09", "2026-07-03T14:05:09-05:00", "07/03/2026 2:05 PM", "7/3/2026 14:05"},
		DateForms:      []string{"2026-07-03", "07/03/2026"},
		FlagForms:      []string{"Y", "N", "YES", "NO", "TRUE", "FALSE", "1", "0"},
		ValidDistricts: contract.ValidDistricts,
		Groupings:      []DictionaryGrouping{},
	}
	for _, name := range sortedKeys(groupings) {
		g := groupings[name]
		dg := DictionaryGrouping{Name: name, Dimension: g.Dimension, Source: g.Source, Confirmed: g.Confirmed, Groups: []DictionaryGroup{}}
		for _, gr := range g.Groups {
			dg.Groups = append(dg.Groups, DictionaryGroup{Value: gr.Value, Values: gr.Values})
		}
		d.Groupings = append(d.Groupings, dg)
	}
	for _, e := range contract.Exports() {
		de := DictionaryExport{Name: e.Name, File: e.File(), Rules: e.Rules, IDColumn: e.IDColumn, DateColumn: e.DateColumn, Columns: []DictionaryColumn{}, Checks: []DictionaryCheck{}, Dimensions: []DictionaryDim{}, Measures: []DictionaryMeasure{}, Statutory: []DictionaryStatutory{}, NotSupplied: append([]string{}, reading[e.Name].NotSupplied...), FormerLocations: reading[e.Name].FormerLocations, Derived: reading[e.Name].Derived}
		ep := policy[e.Name]
		for _, st := range ep.Statutory {
			periods := st.Periods
			if len(periods) == 0 {
				periods = []string{KindQuarter, KindYear}
			}
			de.Statutory = append(de.Statutory, DictionaryStatutory{Figure: st.Figure, Clause: st.Clause, Periods: periods})
		}
		if !e.Since.IsZero() {
			de.Since = e.Since.Format(time.DateOnly)
		}
		if q := reading[e.Name].FirstQuarter; q != nil {
			// The system's history is published from this quarter.
			de.Since = q.Start().Format(time.DateOnly)
		}
		for _, c := range e.Columns {
			codes := c.Codes
			if codes == nil {
				codes = []string{}
			}
			de.Columns = append(de.Columns, DictionaryColumn{Name: c.Name, Kind: string(c.Kind), Required: c.Required, PII: c.PII, Codes: codes, Note: c.Note})
		}
		for _, r := range e.Checks {
			de.Checks = append(de.Checks, DictionaryCheck{Kind: string(r.Kind), Column: r.Column, Other: r.Other, If: r.If.Column, In: r.If.In, NotIn: r.If.NotIn, Toolkit: r.Toolkit})
		}
		dims, ms := catalogOf(e.Name)
		for _, dd := range dims {
			dim := DictionaryDim{ID: dd.ID, Column: dd.Column, Values: dd.Values, Multi: dd.Multi, Context: dd.Context, Published: slices.Contains(ep.Dimensions, dd.ID)}
			if i := slices.IndexFunc(ep.Statutory, func(s Statutory) bool { return s.Figure == dd.ID }); i >= 0 {
				dim.Clause = ep.Statutory[i].Clause
			} else if dim.Published {
				b := ep.breakdown(dd.ID, threshold)
				dim.Period, dim.Grouping, dim.MinBase = b.Period, b.Grouping, b.MinBase
			}
			de.Dimensions = append(de.Dimensions, dim)
		}
		for _, m := range ms {
			de.Measures = append(de.Measures, DictionaryMeasure{ID: m.ID, Unit: m.Unit, Dimension: m.Dimension, Value: m.Value, Published: slices.Contains(policy[e.Name].Measures, m.ID)})
		}
		d.Exports = append(d.Exports, de)
	}
	return d
}

// WriteDictionary writes the dictionary as a data file.
func WriteDictionary(path string, d Dictionary) error { return writeJSON(path, d) }
