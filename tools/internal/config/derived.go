package config

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/chicago-welcoming-city/transparency/tools/internal/contract"
	"github.com/chicago-welcoming-city/transparency/tools/internal/delivery"
	"github.com/chicago-welcoming-city/transparency/tools/internal/records"
)

// ChildFile is a file of the records system with several rows per record
// of the export's main file (a report's actions, its subjects), joined on
// a key.
type ChildFile struct {
	// File is its name, or a pattern one file must match.
	File string `mapstructure:"file"`
	// Key is its column holding the main record's key.
	Key string `mapstructure:"key"`
}

// DerivedColumn reads a contract column from a child file's rows, or from
// the main row's own columns (row): any (a yes/no column: Y if a row
// matches), count (how many rows match) or list (the codes the matching
// rows hold, each value of Of read through Values). Give one of the three.
type DerivedColumn struct {
	Any   string `mapstructure:"any"`
	Count string `mapstructure:"count"`
	List  string `mapstructure:"list"`
	// Of is, for a list, the child's column whose values it holds.
	Of string `mapstructure:"of"`
	// Values map, for a list, each value of Of to one of the list's codes,
	// or to "" for a value that is not one of them.
	Values []ValueMap `mapstructure:"values"`
	// Where are the conditions a row must meet to count: a column's value
	// is one of a list (case and spaces aside; "" for an empty cell).
	Where map[string][]string `mapstructure:"where"`
	// Split names, per column of Where, the separator of a cell that
	// holds several items: the cell matches when one item does.
	Split map[string]string `mapstructure:"split"`
}

// derivedMapping reads an export's children and derived columns into rm,
// and returns what is wrong with them.
func derivedMapping(export string, e contract.Export, m ExportMapping, rm *records.Mapping) []error {
	var errs []error
	at := "params.exports." + export
	for _, name := range slices.Sorted(maps.Keys(m.Children)) {
		c := m.Children[name]
		switch {
		case name == records.RowItself:
			errs = append(errs, fmt.Errorf("%s.children.%s: %q names the main row in derived; call the child something else", at, name, name))
		case c.File == "" || strings.TrimSpace(c.Key) == "":
			errs = append(errs, fmt.Errorf("%s.children.%s: give its file (a name or a pattern) and key (its column holding the main record's key)", at, name))
		default:
			if err := delivery.CheckPattern(c.File); err != nil {
				errs = append(errs, fmt.Errorf("%s.children.%s.file: %w", at, name, err))
			}
			if c.File == m.File {
				errs = append(errs, fmt.Errorf("%s.children.%s.file: the main file's own name; a child is another file", at, name))
			}
		}
		rm.Children = append(rm.Children, records.Child{Name: name, File: c.File, Key: c.Key})
	}
	rm.ParentKey = strings.TrimSpace(m.ParentKey)
	if rm.ParentKey == "" {
		rm.ParentKey = cmp.Or(m.Columns[e.IDColumn], e.IDColumn)
		if len(m.Children) > 0 && m.GeneratedID != nil {
			errs = append(errs, fmt.Errorf("%s.parent_key: the record id is generated, so name the main file's column the children are joined on", at))
		}
	} else if len(m.Children) == 0 {
		errs = append(errs, fmt.Errorf("%s.parent_key: there are no children to join", at))
	}
	for _, col := range slices.Sorted(maps.Keys(m.Derived)) {
		dc := m.Derived[col]
		where := fmt.Sprintf("%s.derived.%s", at, col)
		c, ok := e.Column(col)
		if !ok || c.PII || col == e.IDColumn || col == e.DateColumn {
			errs = append(errs, fmt.Errorf("%s: the contract has no such column that may be derived", where))
			continue
		}
		if m.Columns[col] != "" || m.Constants[col] != "" || slices.Contains(m.NotSupplied, col) || m.Join[col] != nil || m.Defaults[col] != "" || m.Values[col] != nil {
			errs = append(errs, fmt.Errorf("%s: the column is also read under columns, constants, defaults, values, join or not_supplied; give one or the other", where))
		}
		d := records.Derived{Column: col}
		var set []string
		for kind, from := range map[string]string{records.DeriveAny: dc.Any, records.DeriveCount: dc.Count, records.DeriveList: dc.List} {
			if from != "" {
				set = append(set, kind)
				d.Kind, d.From = kind, from
			}
		}
		want := map[contract.Kind]string{contract.KindFlag: records.DeriveAny, contract.KindCount: records.DeriveCount, contract.KindList: records.DeriveList}[c.Kind]
		switch {
		case len(set) != 1:
			errs = append(errs, fmt.Errorf("%s: give one of any, count or list, naming a child (or row)", where))
			continue
		case want == "":
			errs = append(errs, fmt.Errorf("%s: a %s column cannot be derived; any gives a yes/no column, count a count, list a list", where, c.Kind))
			continue
		case d.Kind != want:
			errs = append(errs, fmt.Errorf("%s: %s is a %s column: derive it with %s", where, col, c.Kind, want))
			continue
		case d.From != records.RowItself && m.Children[d.From] == (ChildFile{}):
			errs = append(errs, fmt.Errorf("%s: %q is not one of the children (%s), nor row", where, d.From, strings.Join(slices.Sorted(maps.Keys(m.Children)), ", ")))
			continue
		case d.From == records.RowItself && d.Kind == records.DeriveList:
			errs = append(errs, fmt.Errorf("%s: a list of the row's own column is mapped under columns and values", where))
			continue
		case d.From == records.RowItself && len(dc.Where) == 0:
			errs = append(errs, fmt.Errorf("%s: a %s of the row needs where: the column and the values that count", where, d.Kind))
			continue
		}
		for _, wc := range slices.Sorted(maps.Keys(dc.Where)) {
			if strings.TrimSpace(wc) == "" || len(dc.Where[wc]) == 0 {
				errs = append(errs, fmt.Errorf("%s.where: name a column and the values that count", where))
			}
			if p, ok := e.Column(strings.ToLower(strings.TrimSpace(wc))); ok && p.PII {
				errs = append(errs, fmt.Errorf("%s.where: %s is the contract's personal-data column; nothing may be derived from it", where, wc))
			}
			d.Where = append(d.Where, records.Where{Column: wc, Values: dc.Where[wc], Split: dc.Split[wc]})
		}
		for sc, sep := range dc.Split {
			if _, ok := dc.Where[sc]; !ok || sep == "" {
				errs = append(errs, fmt.Errorf("%s.split.%s: split a column of where, by a separator that is not empty", where, sc))
			}
		}
		switch {
		case d.Kind == records.DeriveList && (dc.Of == "" || len(dc.Values) == 0):
			errs = append(errs, fmt.Errorf("%s: a list needs of (the child's column) and values (each of its values to a code of %s, or to \"\")", where, col))
		case d.Kind != records.DeriveList && (dc.Of != "" || len(dc.Values) > 0):
			errs = append(errs, fmt.Errorf("%s: of and values are for a list; %s counts rows that meet where", where, d.Kind))
		}
		if p, ok := e.Column(strings.ToLower(strings.TrimSpace(dc.Of))); ok && p.PII {
			errs = append(errs, fmt.Errorf("%s.of: %s is the contract's personal-data column; nothing may be derived from it", where, dc.Of))
		}
		d.Of = dc.Of
		if len(dc.Values) > 0 {
			d.Values = map[string]string{}
		}
		for i, v := range dc.Values {
			to := strings.ToUpper(strings.TrimSpace(v.To))
			from := records.ValueKey(v.From)
			_, twice := d.Values[from]
			switch {
			case len(v.When) > 0:
				errs = append(errs, fmt.Errorf("%s.values[%d]: a derived list's values have no condition (when); use where", where, i))
			case to != "" && !slices.Contains(c.Codes, to):
				errs = append(errs, fmt.Errorf("%s.values[%d]: the code (to) %q is not one of %s, nor \"\" (not one of them)", where, i, v.To, strings.Join(c.Codes, ", ")))
			case twice:
				errs = append(errs, fmt.Errorf("%s.values[%d]: the value (from) %q is mapped twice", where, i, v.From))
			}
			d.Values[from] = to
		}
		if len(records.ListCodes(d)) > 64 {
			errs = append(errs, fmt.Errorf("%s: a derived list holds at most 64 codes", where))
		}
		rm.Derived = append(rm.Derived, d)
	}
	for name := range m.Children {
		if !slices.ContainsFunc(rm.Derived, func(d records.Derived) bool { return d.From == name }) {
			errs = append(errs, fmt.Errorf("%s.children.%s: no derived column reads it", at, name))
		}
	}
	return errs
}
