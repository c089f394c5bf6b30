// Package config reads the toolkit's settings.
//
// config.yaml at the project root is Hugo's site configuration; the
// toolkit's own settings live under its params key, so the site can show
// the very values the tools used. Viper reads that file; environment
// variables named WCO_ plus the key path in capitals with dots as
// underscores (WCO_DISCLOSURE_THRESHOLD for params.disclosure.threshold)
// override it, and command-line flags override both.
//
// Secrets are never read from the file: the pseudonym key comes only from
// WCO_PSEUDONYM_KEY and the source token only from WCO_SOURCE_TOKEN, and a
// config.yaml that holds either is refused.
package config

import (
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/pflag"
	"github.com/spf13/viper"

	"github.com/chicago-welcoming-city/transparency/tools/internal/check"
	"github.com/chicago-welcoming-city/transparency/tools/internal/contract"
	"github.com/chicago-welcoming-city/transparency/tools/internal/delivery"
	"github.com/chicago-welcoming-city/transparency/tools/internal/disclosure"
	"github.com/chicago-welcoming-city/transparency/tools/internal/period"
	"github.com/chicago-welcoming-city/transparency/tools/internal/publish"
	"github.com/chicago-welcoming-city/transparency/tools/internal/records"
)

// FileName is the configuration file at the project root.
const FileName = "config.yaml"

// Environment variables that hold secrets.
const (
	EnvPseudonymKey = "WCO_PSEUDONYM_KEY"
	EnvSourceToken  = "WCO_SOURCE_TOKEN"
	// EnvBaseURL is Hugo's own setting of the site's address, which the
	// site checks read too.
	EnvBaseURL = "HUGO_BASEURL"
)

// secretKeys may never appear under params in config.yaml.
var secretKeys = []string{"pseudonym_key", "source_token"}

// Config is the toolkit's effective configuration.
type Config struct {
	// Path is the configuration file; its folder is the Hugo site.
	Path string `mapstructure:"-"`

	// Project is what the site says of the toolkit itself; it computes
	// no number, so the configuration's hash leaves it out.
	Project struct {
		// Source is where the toolkit's source is public.
		Source string `mapstructure:"source"`
		// Components is the folder whose content, layouts, i18n, assets
		// and static the site is built from, relative to this file; empty:
		// this file's own folder. A configuration kept beside its own
		// delivery (examples/NAME/config.yaml) builds with the project's.
		Components string `mapstructure:"components"`
	} `mapstructure:"project" json:"-"`

	Disclosure struct {
		Threshold int `mapstructure:"threshold"`
	} `mapstructure:"disclosure"`

	Check struct {
		MaxProblems    int `mapstructure:"max_problems"`
		MaxInvalidRows int `mapstructure:"max_invalid_rows"`
		// Limits on one row of a file, so memory stays bounded.
		MaxFieldBytes int `mapstructure:"max_field_bytes"`
		MaxRowBytes   int `mapstructure:"max_row_bytes"`
		MaxColumns    int `mapstructure:"max_columns"`
		// EchoMinCount is how often a value must occur before the check's
		// report may show it.
		EchoMinCount int `mapstructure:"echo_min_count"`
	} `mapstructure:"check"`

	Deliveries struct {
		// Where deliveries are kept, and how many, change no number:
		// the configuration's hash leaves them out.
		Store string `mapstructure:"store" json:"-"`
		Keep  int    `mapstructure:"keep" json:"-"`
		// MaxFileBytes is the most one pulled file may weigh.
		MaxFileBytes int64 `mapstructure:"max_file_bytes"`
		// ExportedAt is when a delivery without a manifest was exported
		// (RFC 3339), for a one-off import of a system's history; --exported-at
		// gives it per command. Never guessed from the records.
		ExportedAt string `mapstructure:"exported_at"`
	} `mapstructure:"deliveries"`

	// Exports maps a records system's own column names to the contract's,
	// per export: exports.detainer_log.columns.received_at: "RECV_DT".
	Exports map[string]ExportMapping `mapstructure:"exports"`

	// Publication is the allow-list: per export, the dimensions and
	// measures that may be published.
	Publication publish.Policy `mapstructure:"publication"`
	// Groupings merge a dimension's values before counting (districts
	// into police areas), named by the policy's breakdowns.
	Groupings publish.Groupings `mapstructure:"groupings"`

	// Filings says which statutory filings the site also publishes, by
	// filing id; a filing left out is not published.
	Filings publish.FilingsPolicy `mapstructure:"filings"`

	Releases struct {
		// DaysAfterQuarter is how long after a quarter ends its report
		// is due.
		DaysAfterQuarter int `mapstructure:"days_after_quarter"`
	} `mapstructure:"releases"`

	Downloads struct {
		License publish.License `mapstructure:"license"`
	} `mapstructure:"downloads"`

	PseudonymKey string `mapstructure:"-"`
	SourceToken  string `mapstructure:"-"`

	// Languages are the site's languages (Hugo's languages key), the
	// default first; a site without that key has DefaultLanguage only.
	Languages       []string `mapstructure:"-"`
	DefaultLanguage string   `mapstructure:"-"`
	// Locales are the languages' locales (languages.<key>.locale), the
	// tags their pages' text is marked with; a language without one is
	// marked with its key.
	Locales map[string]string `mapstructure:"-" json:"-"`

	// BaseURL is where the site is served (Hugo's baseURL), HUGO_BASEURL
	// taking precedence as it does for Hugo.
	BaseURL string `mapstructure:"-"`
	// BaseURLFromEnv is true when HUGO_BASEURL set BaseURL; the build then
	// gives it to Hugo, which does not read the environment Load was given.
	BaseURLFromEnv bool `mapstructure:"-" json:"-"`

	Verify struct {
		// PageBudgetKB is the most a page may weigh with what it loads.
		PageBudgetKB int `mapstructure:"page_budget_kb"`
		// PDFBudgetKB is the most a printed PDF of a page may weigh.
		PDFBudgetKB int `mapstructure:"pdf_budget_kb"`
	} `mapstructure:"verify"`
}

// ExportMapping describes how one export's file differs from the contract.
type ExportMapping struct {
	// Delivered is false for an export the records system does not
	// produce: it is not asked for, and the site and the downloads say
	// its figures are not reported (never zeros). Default: true.
	Delivered *bool `mapstructure:"delivered"`
	// File is the export's file by the system's own name, or a pattern
	// one file of the delivery must match ("TRR-main_*.csv.gz"); default:
	// the contract's name.
	File string `mapstructure:"file"`
	// Columns maps a contract column name to the file's column name.
	Columns map[string]string `mapstructure:"columns"`
	// DatetimeFormats and DateFormats are extra forms, as patterns such as
	// "DD.MM.YYYY HH:mm", tried after the contract's own.
	DatetimeFormats []string `mapstructure:"datetime_formats"`
	DateFormats     []string `mapstructure:"date_formats"`
	// Encoding is auto (the default), utf-8 or windows-1252.
	Encoding string `mapstructure:"encoding"`
	// Location is beat (the default) or district: the file's beat column
	// holds district numbers.
	Location string `mapstructure:"location"`
	// Values map, per contract column, the system's words to the
	// contract's codes, as a list of {from, to} (a list, since a value
	// may hold dots, which YAML keys read by the configuration may not).
	Values map[string][]ValueMap `mapstructure:"values"`
	// Constants give a contract column the system does not have one
	// value for every row.
	Constants map[string]string `mapstructure:"constants"`
	// Defaults give a code column the code an empty cell means.
	Defaults map[string]string `mapstructure:"defaults"`
	// Join reads a contract column from several of the file's columns,
	// joined by a space: {occurred_at: [Date, Time]}.
	Join map[string][]string `mapstructure:"join"`
	// NotSupplied are contract columns the system does not have at all:
	// every record reads them as unknown, and the compliance page names
	// them as fields the system cannot supply. The record id and the date
	// that places a record cannot be left out, and no part of the
	// publication policy may read a column that is.
	NotSupplied []string `mapstructure:"not_supplied"`
	// FormerLocations read the codes of districts that no longer exist as
	// today's districts: a table with its source.
	FormerLocations *FormerLocations `mapstructure:"former_locations"`
	// UnknownLocations are the system's location codes that mean
	// "unknown" (beats 3100 and 5100, units outside the districts).
	UnknownLocations []string `mapstructure:"unknown_locations"`
	// GeneratedID makes the record id of a system that has none, as a
	// keyed hash (never published): a list of the file's columns that
	// together identify a record, or "row" for a snapshot export, whose
	// rows are identified by their whole content.
	GeneratedID any `mapstructure:"generated_id"`
	// Children are files with several rows per record of this one (the
	// main file), by name; Derived reads contract columns from their rows,
	// or from the main row's own columns: any, count, list.
	Children map[string]ChildFile `mapstructure:"children"`
	// ParentKey is the main file's column the children's keys name;
	// default: the column the record id is read from.
	ParentKey string                   `mapstructure:"parent_key"`
	Derived   map[string]DerivedColumn `mapstructure:"derived"`
	// FirstQuarter is the first quarter the export's tables cover
	// ("2021-Q1"): a system whose history the city publishes from before
	// the export's rule began. Those periods are published as no rule
	// requires them: protected, with no figure exact by a clause. Empty:
	// the rule's first quarter, or the first with records.
	FirstQuarter string `mapstructure:"first_quarter"`
	// Earliest is the first date a record may carry (YYYY-MM-DD); empty:
	// 2012-01-01, where reporting under the ordinance begins. YAML reads
	// an unquoted date as a timestamp, so either form is taken.
	Earliest any `mapstructure:"earliest"`
}

// FormerLocations is a table of former location codes and today's
// districts, with where it comes from.
type FormerLocations struct {
	// Source says where the table comes from; a table without one is
	// refused.
	Source string `mapstructure:"source"`
	Codes  []struct {
		// From is a former district (13) or beat (1334) code.
		From string `mapstructure:"from"`
		// To is today's district.
		To int `mapstructure:"to"`
	} `mapstructure:"codes"`
}

// ValueMap is one entry of a column's value map: the system's value (from;
// "" for an empty cell) read as the contract's code (to), when the other
// columns When names have the codes it gives (after their own maps and
// defaults), or always.
type ValueMap struct {
	From string            `mapstructure:"from"`
	To   string            `mapstructure:"to"`
	When map[string]string `mapstructure:"when"`
}

// SiteDir is the Hugo site's folder: the one holding config.yaml, where
// its data, its built site and its deliveries are kept.
func (c *Config) SiteDir() string { return filepath.Dir(c.Path) }

// ComponentsDir is the folder holding the site's content, layouts, i18n,
// assets and static (params.project.components).
func (c *Config) ComponentsDir() string {
	if c.Project.Components == "" {
		return c.SiteDir()
	}
	if filepath.IsAbs(c.Project.Components) {
		return filepath.Clean(c.Project.Components)
	}
	return filepath.Join(c.SiteDir(), c.Project.Components)
}

// Mappings returns, per export, how the row reader reads its file.
func (c *Config) Mappings() (map[string]records.Mapping, error) {
	out := map[string]records.Mapping{}
	var errs []error
	for export, m := range c.Exports {
		e, err := contract.Lookup(export)
		if err != nil {
			errs = append(errs, fmt.Errorf("params.exports.%s: the contract has no such export", export))
			continue
		}
		rm := records.Mapping{Columns: map[string]string{}, File: m.File}
		if m.Delivered != nil && !*m.Delivered {
			if m.File != "" || len(m.Columns) > 0 || len(m.Values) > 0 || len(m.Constants) > 0 || len(m.NotSupplied) > 0 ||
				len(m.Defaults) > 0 || len(m.Join) > 0 || m.GeneratedID != nil || m.FormerLocations != nil ||
				len(m.Children) > 0 || len(m.Derived) > 0 || m.ParentKey != "" || m.FirstQuarter != "" {
				errs = append(errs, fmt.Errorf("params.exports.%s.delivered is false: the export is not read, so give it no other setting", export))
			}
			rm.NotDelivered = true
		}
		if m.File != "" {
			if err := delivery.CheckPattern(m.File); err != nil {
				errs = append(errs, fmt.Errorf("params.exports.%s.file: %w", export, err))
			}
		}
		for contractName, fileName := range m.Columns {
			if _, ok := e.Column(contractName); !ok {
				errs = append(errs, fmt.Errorf("params.exports.%s.columns.%s: the contract has no such column", export, contractName))
			}
			if c, ok := e.Column(strings.ToLower(strings.TrimSpace(fileName))); ok && c.PII && c.Name != contractName {
				errs = append(errs, fmt.Errorf("params.exports.%s.columns.%s: %q is the contract's personal-data column %s; no mapping may read it", export, contractName, fileName, c.Name))
			}
			rm.Columns[contractName] = fileName
		}
		for _, f := range []struct {
			key      string
			patterns []string
			into     *[]string
		}{
			{"datetime_formats", m.DatetimeFormats, &rm.Parser.DatetimeLayouts},
			{"date_formats", m.DateFormats, &rm.Parser.DateLayouts},
		} {
			for _, p := range f.patterns {
				layout, err := records.LayoutFromPattern(p)
				if err != nil {
					errs = append(errs, fmt.Errorf("params.exports.%s.%s: %w", export, f.key, err))
				}
				*f.into = append(*f.into, layout)
			}
		}
		for col, entries := range m.Values {
			c, ok := e.Column(col)
			switch {
			case !ok || c.PII:
				errs = append(errs, fmt.Errorf("params.exports.%s.values.%s: the contract has no such column that may be read", export, col))
				continue
			case c.Kind != contract.KindCode && c.Kind != contract.KindFlag:
				errs = append(errs, fmt.Errorf("params.exports.%s.values.%s: a value map is for code and yes/no columns", export, col))
				continue
			}
			vm := map[string]string{}
			seen := map[string]bool{}
			for i, v := range entries {
				at := fmt.Sprintf("params.exports.%s.values.%s[%d]", export, col, i)
				to := strings.ToUpper(strings.TrimSpace(v.To))
				from := records.ValueKey(v.From)
				if c.Kind == contract.KindCode && !slices.Contains(c.Codes, to) {
					errs = append(errs, fmt.Errorf("%s: the code (to) %q is not one of %s", at, v.To, strings.Join(c.Codes, ", ")))
					continue
				}
				var when []string
				for wc, code := range v.When {
					w, ok := e.Column(wc)
					switch {
					case wc == col:
						errs = append(errs, fmt.Errorf("%s: the condition (when) is a condition on the column itself: map the value instead", at))
						continue
					case !ok || w.PII || w.Kind != contract.KindCode:
						errs = append(errs, fmt.Errorf("%s: the condition (when) names %s, which is not a code column of the export", at, wc))
						continue
					case !slices.Contains(w.Codes, strings.ToUpper(strings.TrimSpace(code))):
						errs = append(errs, fmt.Errorf("%s: the condition (when) %s=%s: %q is not one of %s", at, wc, code, code, strings.Join(w.Codes, ", ")))
						continue
					}
					when = append(when, wc+"="+strings.ToUpper(strings.TrimSpace(code)))
				}
				slices.Sort(when)
				key := from + "\x00" + strings.Join(when, ",")
				if seen[key] {
					errs = append(errs, fmt.Errorf("%s: the value (from) %q is mapped twice", at, v.From))
				}
				seen[key] = true
				if len(v.When) == 0 {
					vm[from] = to
					continue
				}
				cond := records.Condition{From: from, To: to}
				for _, w := range when {
					wc, code, _ := strings.Cut(w, "=")
					cond.When = append(cond.When, records.When{Column: wc, Code: code})
				}
				if rm.Conditions == nil {
					rm.Conditions = map[string][]records.Condition{}
				}
				rm.Conditions[col] = append(rm.Conditions[col], cond)
			}
			if rm.Values == nil {
				rm.Values = map[string]map[string]string{}
			}
			rm.Values[col] = vm
		}
		for col, from := range m.Join {
			c, ok := e.Column(col)
			at := fmt.Sprintf("params.exports.%s.join.%s", export, col)
			switch {
			case !ok || c.PII:
				errs = append(errs, fmt.Errorf("%s: the contract has no such column that may be read", at))
			case len(from) < 2:
				errs = append(errs, fmt.Errorf("%s: join two or more of the file's columns (a date and a time); one is mapped under columns", at))
			case m.Columns[col] != "" || m.Constants[col] != "" || slices.Contains(m.NotSupplied, col):
				errs = append(errs, fmt.Errorf("%s: the column is also mapped under columns, constants or not_supplied; give one or the other", at))
			default:
				if rm.Join == nil {
					rm.Join = map[string][]string{}
				}
				rm.Join[col] = from
			}
		}
		for col, v := range m.Defaults {
			c, ok := e.Column(col)
			at := fmt.Sprintf("params.exports.%s.defaults.%s", export, col)
			switch {
			case !ok || c.PII:
				errs = append(errs, fmt.Errorf("%s: the contract has no such column that may be read", at))
			case c.Kind != contract.KindCode && c.Kind != contract.KindFlag:
				errs = append(errs, fmt.Errorf("%s: defaults are for code and yes/no columns", at))
			case m.Constants[col] != "":
				errs = append(errs, fmt.Errorf("%s: the column is also given a constant; give one or the other", at))
			case c.Kind == contract.KindCode && !slices.Contains(c.Codes, strings.ToUpper(strings.TrimSpace(v))):
				errs = append(errs, fmt.Errorf("%s: %q is not one of %s", at, v, strings.Join(c.Codes, ", ")))
			default:
				if rm.Defaults == nil {
					rm.Defaults = map[string]string{}
				}
				rm.Defaults[col] = strings.ToUpper(strings.TrimSpace(v))
			}
		}
		for col, v := range m.Constants {
			c, ok := e.Column(col)
			switch {
			case !ok || c.PII:
				errs = append(errs, fmt.Errorf("params.exports.%s.constants.%s: the contract has no such column that may be read", export, col))
			case m.Columns[col] != "":
				errs = append(errs, fmt.Errorf("params.exports.%s.constants.%s: the column is also mapped under columns; give one or the other", export, col))
			case col == e.IDColumn:
				errs = append(errs, fmt.Errorf("params.exports.%s.constants.%s: one id for every record makes each a duplicate; a system without record ids has them made: generated_id (a list of the columns that identify a record, or row)", export, col))
			case c.Kind == contract.KindCode && !slices.Contains(c.Codes, strings.ToUpper(strings.TrimSpace(v))):
				errs = append(errs, fmt.Errorf("params.exports.%s.constants.%s: %q is not one of %s", export, col, v, strings.Join(c.Codes, ", ")))
			default:
				if rm.Constants == nil {
					rm.Constants = map[string]string{}
				}
				rm.Constants[col] = v
			}
		}
		for _, col := range m.NotSupplied {
			c, ok := e.Column(col)
			switch {
			case !ok || c.PII:
				errs = append(errs, fmt.Errorf("params.exports.%s.not_supplied: %q: the contract has no such column that may be read", export, col))
			case col == e.IDColumn || col == e.DateColumn:
				errs = append(errs, fmt.Errorf("params.exports.%s.not_supplied: %s is required by the contract: the export cannot be read without it (a system without record ids has them made: generated_id)", export, col))
			case m.Columns[col] != "" || m.Constants[col] != "":
				errs = append(errs, fmt.Errorf("params.exports.%s.not_supplied: %s is also mapped under columns or constants; give one or the other", export, col))
			default:
				// Read as an empty value on every row: unknown.
				if rm.Constants == nil {
					rm.Constants = map[string]string{}
				}
				rm.Constants[col] = ""
				rm.NotSupplied = append(rm.NotSupplied, col)
			}
		}
		slices.Sort(rm.NotSupplied)
		if m.GeneratedID != nil {
			g := &records.GeneratedID{Column: e.IDColumn, Key: []byte(c.PseudonymKey)}
			switch v := m.GeneratedID.(type) {
			case string:
				if v != "row" {
					errs = append(errs, fmt.Errorf("params.exports.%s.generated_id %q: give the file's columns that identify a record, as a list, or row", export, v))
				}
			case []any:
				for _, col := range v {
					name := strings.TrimSpace(fmt.Sprint(col))
					if name == "" || slices.Contains(g.From, name) {
						errs = append(errs, fmt.Errorf("params.exports.%s.generated_id: %q is empty or named twice", export, name))
					}
					g.From = append(g.From, name)
				}
				if len(g.From) == 0 {
					errs = append(errs, fmt.Errorf("params.exports.%s.generated_id: the list is empty; name the columns, or give row", export))
				}
			default:
				errs = append(errs, fmt.Errorf("params.exports.%s.generated_id: give a list of the file's columns, or row", export))
			}
			if m.Columns[e.IDColumn] != "" || m.Constants[e.IDColumn] != "" {
				errs = append(errs, fmt.Errorf("params.exports.%s.generated_id: %s is also mapped under columns or constants; give one or the other", export, e.IDColumn))
			}
			rm.GeneratedID = g
		}
		if fl := m.FormerLocations; fl != nil {
			at := fmt.Sprintf("params.exports.%s.former_locations", export)
			if strings.TrimSpace(fl.Source) == "" {
				errs = append(errs, fmt.Errorf("%s.source: say where the table comes from", at))
			}
			rm.Parser.FormerLocations = map[string]int{}
			for i, code := range fl.Codes {
				from := strings.TrimLeft(strings.TrimSpace(code.From), "0")
				n, err := strconv.Atoi(from)
				switch {
				case err != nil || len(from) < 1 || len(from) > 4:
					errs = append(errs, fmt.Errorf("%s.codes[%d]: %q is not a former district (1 or 2 digits) or beat (3 or 4)", at, i, code.From))
				case len(from) <= 2 && contract.IsDistrict(n):
					errs = append(errs, fmt.Errorf("%s.codes[%d]: %q is a district today", at, i, code.From))
				case !contract.IsDistrict(code.To):
					errs = append(errs, fmt.Errorf("%s.codes[%d]: %d is not a district today", at, i, code.To))
				case rm.Parser.FormerLocations[from] != 0:
					errs = append(errs, fmt.Errorf("%s.codes[%d]: %q is given twice", at, i, code.From))
				default:
					rm.Parser.FormerLocations[from] = code.To
				}
			}
		}
		errs = append(errs, derivedMapping(export, e, m, &rm)...)
		for _, u := range m.UnknownLocations {
			rm.Parser.UnknownLocations = append(rm.Parser.UnknownLocations, strings.TrimSpace(u))
		}
		if m.Earliest != nil {
			text := fmt.Sprint(m.Earliest)
			if t, ok := m.Earliest.(time.Time); ok {
				text = t.UTC().Format(time.DateOnly)
			}
			t, err := time.ParseInLocation(time.DateOnly, text, period.Chicago)
			if err != nil {
				errs = append(errs, fmt.Errorf("params.exports.%s.earliest %q: write a date as 2005-01-01", export, text))
			}
			rm.Earliest = t
		}
		if m.FirstQuarter != "" {
			q, err := period.Parse(m.FirstQuarter)
			if err != nil {
				errs = append(errs, fmt.Errorf("params.exports.%s.first_quarter %q: write a quarter as 2021-Q1", export, m.FirstQuarter))
			}
			rm.FirstQuarter = q
			if q.Start().Before(cmp.Or(rm.Earliest, check.Earliest)) {
				errs = append(errs, fmt.Errorf("params.exports.%s.first_quarter %s is before the first date a record may carry (earliest): move earliest back too", export, m.FirstQuarter))
			}
		}
		if rm.Encoding, err = records.ParseEncoding(m.Encoding); err != nil {
			errs = append(errs, fmt.Errorf("params.exports.%s.encoding: %w", export, err))
		}
		switch m.Location {
		case "", "beat":
		case "district":
			rm.Parser.BeatIsDistrict = true
		default:
			errs = append(errs, fmt.Errorf("params.exports.%s.location %q: use beat or district", export, m.Location))
		}
		out[export] = rm
	}
	delivered := 0
	for _, e := range contract.Exports() {
		if !out[e.Name].NotDelivered {
			delivered++
		}
	}
	if delivered == 0 {
		errs = append(errs, errors.New("params.exports: every export is marked delivered: false; a records system delivers at least one"))
	}
	return out, errors.Join(errs...)
}

// Hash is the sha256 of the effective settings (secrets and the file's
// location aside), recorded in every data file so each published number can
// be traced to the configuration that made it.
func (c *Config) Hash() string {
	clean := *c
	clean.Path, clean.PseudonymKey, clean.SourceToken = "", "", ""
	b, err := json.Marshal(clean) // maps marshal with sorted keys
	if err != nil {
		panic(err) // plain data always marshals
	}
	sum := sha256.Sum256(b)
	return "sha256:" + hex.EncodeToString(sum[:])
}

// Find looks for config.yaml in dir and its parents.
func Find(dir string) (string, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return "", err
	}
	for d := abs; ; d = filepath.Dir(d) {
		p := filepath.Join(d, FileName)
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
		if filepath.Dir(d) == d {
			return "", fmt.Errorf("no %s in %s or any folder above it: run wco from the project, or pass --config", FileName, abs)
		}
	}
}

// Env is an environment: variables by name. Load takes the environment as
// a value, so that a test can give each run its own.
type Env map[string]string

// Lookup is the variable's value, as os.LookupEnv gives it.
func (e Env) Lookup(name string) (string, bool) {
	v, ok := e[name]
	return v, ok
}

// OSEnv is the process's environment, as it is now.
func OSEnv() Env {
	env := Env{}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok {
			env[k] = v
		}
	}
	return env
}

// MapEnv is an environment holding just vars.
func MapEnv(vars map[string]string) Env { return Env(maps.Clone(vars)) }

// flagKeys binds command-line flags, by name, to the settings they set.
var flagKeys = map[string]string{"threshold": "disclosure.threshold"}

// EnvName is the environment variable that sets a key of params:
// WCO_DISCLOSURE_THRESHOLD for disclosure.threshold.
func EnvName(key string) string {
	return "WCO_" + strings.ToUpper(strings.ReplaceAll(key, ".", "_"))
}

// Load reads path, then the environment env (nil: none), then the flags
// that were set on the command line. Flags are bound by name: --threshold
// to disclosure.threshold.
func Load(path string, env Env, flags *pflag.FlagSet) (*Config, error) {
	file := viper.New()
	file.SetConfigFile(path)
	if err := file.ReadInConfig(); err != nil {
		return nil, fmt.Errorf("read configuration %s: %w", path, err)
	}
	for _, k := range secretKeys {
		if file.IsSet("params." + k) {
			return nil, fmt.Errorf("configuration %s: params.%s is a secret: remove it from the file and set %s in the environment", path, k, "WCO_"+strings.ToUpper(k))
		}
	}
	// A fresh instance over params (not Sub, whose environment names would
	// carry a PARAMS_ part) so WCO_DISCLOSURE_THRESHOLD names disclosure.threshold.
	v := viper.New()
	if err := v.MergeConfigMap(file.GetStringMap("params")); err != nil {
		return nil, fmt.Errorf("configuration %s: params: %w", path, err)
	}
	// The configuration is closed: a key it does not read, or a WCO_
	// variable it does not know, is a misspelling that would leave a
	// default in force without a word, so it stops the command.
	if unknown := unknownKeys(file.Get("params"), reflect.TypeFor[Config](), "params"); len(unknown) > 0 {
		return nil, fmt.Errorf("configuration %s:\n%s", path, strings.Join(unknown, "\n"))
	}
	if err := CheckEnv(env); err != nil {
		return nil, err
	}
	// One default per setting, declared by the package that owns it; a
	// scalar setting's WCO_ variable overrides the file, and a flag given
	// on the command line wins over both.
	for _, s := range Settings {
		if !s.Scalar() {
			continue
		}
		v.SetDefault(s.Key, s.Default)
		if val, ok := env.Lookup(s.Env()); ok && val != "" {
			v.Set(s.Key, val)
		}
	}
	v.SetDefault("exports", map[string]any{})
	v.SetDefault("publication", map[string]any{})
	v.SetDefault("groupings", map[string]any{})
	if flags != nil {
		for flag, key := range flagKeys {
			if f := flags.Lookup(flag); f != nil && f.Changed {
				v.Set(key, f.Value.String())
			}
		}
	}
	var c Config
	if err := v.Unmarshal(&c); err != nil {
		return nil, fmt.Errorf("configuration %s: %w", path, err)
	}
	if c.Downloads.License == (publish.License{}) {
		c.Downloads.License = publish.DefaultLicense
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, err
	}
	c.Path = abs
	c.DefaultLanguage = file.GetString("defaultContentLanguage")
	if c.DefaultLanguage == "" {
		c.DefaultLanguage = "en"
	}
	c.Languages = []string{c.DefaultLanguage}
	c.Locales = map[string]string{}
	for l := range file.GetStringMap("languages") {
		c.Locales[l] = cmp.Or(file.GetString("languages."+l+".locale"), l)
	}
	if c.Locales[c.DefaultLanguage] == "" {
		c.Locales[c.DefaultLanguage] = c.DefaultLanguage
	}
	for _, l := range slices.Sorted(maps.Keys(file.GetStringMap("languages"))) {
		if l != c.DefaultLanguage {
			c.Languages = append(c.Languages, l)
		}
	}
	hugoBase, _ := env.Lookup(EnvBaseURL)
	c.BaseURL = cmp.Or(hugoBase, file.GetString("baseURL"), "/")
	c.BaseURLFromEnv = hugoBase != ""
	c.PseudonymKey, _ = env.Lookup(EnvPseudonymKey)
	c.SourceToken, _ = env.Lookup(EnvSourceToken)
	if err := c.validate(); err != nil {
		return nil, fmt.Errorf("configuration %s: %w", path, err)
	}
	return &c, nil
}

func (c *Config) validate() error {
	var errs []error
	if err := disclosure.ValidateThreshold(c.Disclosure.Threshold); err != nil {
		errs = append(errs, fmt.Errorf("params.disclosure.threshold: %w", err))
	}
	if c.PseudonymKey != "" {
		if err := publish.CheckKey(c.PseudonymKey); err != nil {
			errs = append(errs, err)
		}
	}
	if c.Verify.PageBudgetKB < 1 {
		errs = append(errs, errors.New("params.verify.page_budget_kb: it must be 1 or more"))
	}
	if c.Verify.PDFBudgetKB < 1 {
		errs = append(errs, errors.New("params.verify.pdf_budget_kb: it must be 1 or more"))
	}
	if c.Releases.DaysAfterQuarter < 1 {
		errs = append(errs, errors.New("params.releases.days_after_quarter: it must be 1 or more"))
	}
	if c.Check.MaxInvalidRows < 0 {
		errs = append(errs, errors.New("params.check.max_invalid_rows: it must be zero or more"))
	}
	if _, err := c.Mappings(); err != nil {
		errs = append(errs, err)
	}
	if err := c.Publication.Validate(c.Groupings); err != nil {
		errs = append(errs, err)
	}
	errs = append(errs, c.notSuppliedPublished()...)
	if err := c.Filings.Validate(); err != nil {
		errs = append(errs, err)
	}
	if c.Check.MaxFieldBytes < 1 || c.Check.MaxRowBytes < c.Check.MaxFieldBytes || c.Check.MaxColumns < 1 {
		errs = append(errs, errors.New("params.check: max_field_bytes and max_columns must be 1 or more, and max_row_bytes at least max_field_bytes"))
	}
	if c.Check.EchoMinCount < 2 {
		errs = append(errs, errors.New("params.check.echo_min_count: it must be at least 2: a value seen once may be a person's name"))
	}
	if c.Check.MaxProblems < 1 {
		errs = append(errs, errors.New("params.check.max_problems: it must be at least 1"))
	}
	if c.Deliveries.MaxFileBytes < 1 {
		errs = append(errs, errors.New("params.deliveries.max_file_bytes: it must be 1 or more"))
	}
	if c.Deliveries.ExportedAt != "" {
		if _, err := time.Parse(time.RFC3339, c.Deliveries.ExportedAt); err != nil {
			errs = append(errs, fmt.Errorf("params.deliveries.exported_at %q: write a time as 2026-11-16T06:00:00-06:00", c.Deliveries.ExportedAt))
		}
	}
	if _, err := os.Stat(filepath.Join(c.ComponentsDir(), "layouts")); c.Project.Components != "" && err != nil {
		errs = append(errs, fmt.Errorf("params.project.components %q: %s has no layouts folder", c.Project.Components, c.ComponentsDir()))
	}
	if c.Deliveries.Keep < 1 {
		errs = append(errs, errors.New("params.deliveries.keep: keep at least 1 delivery"))
	}
	return errors.Join(errs...)
}

// notSuppliedPublished refuses a policy that publishes a breakdown or a
// measure of a column the system does not supply: every record would count
// as unknown, and each of its values as a zero, which is a false figure
// (a statutory one, even). The column is left out of the publication, and
// the compliance page names it as one the system cannot supply.
func (c *Config) notSuppliedPublished() []error {
	var errs []error
	for _, export := range slices.Sorted(maps.Keys(c.Exports)) {
		missing := c.Exports[export].NotSupplied
		pol, ok := c.Publication[export]
		if len(missing) == 0 || !ok {
			continue
		}
		check := func(kind, id, dimension string) {
			d, ok := publish.LookupDimension(export, dimension)
			if ok && slices.Contains(missing, d.Column) {
				errs = append(errs, fmt.Errorf("params.publication.%s: the %s %s reads %s, which the records system does not supply (params.exports.%s.not_supplied): every record would count as unknown and each value as a false zero; take %s out of the policy, and the compliance page names %s as a column the system cannot supply", export, kind, id, d.Column, export, id, d.Column))
			}
		}
		for _, dim := range pol.Dimensions {
			check("breakdown", dim, dim)
		}
		for _, s := range pol.Statutory {
			if s.Figure != publish.TotalFigure && !slices.Contains(pol.Dimensions, s.Figure) {
				check("statutory figure", s.Figure, s.Figure)
			}
		}
		for _, id := range pol.Measures {
			if m, ok := publish.LookupMeasure(export, id); ok {
				for _, dim := range []string{m.Dimension, m.Base} {
					if dim != "" {
						check("measure", id, dim)
					}
				}
			}
		}
	}
	return errs
}

// Reading says, per export, how the records system's files were read
// beyond renaming, for the data dictionary: the columns it does not
// supply, the first quarter published, the source of its table of former
// districts, and the columns derived from other files or columns.
func (c *Config) Reading() map[string]publish.Reading {
	mappings, _ := c.Mappings() // validated when the configuration was loaded
	out := map[string]publish.Reading{}
	for export, m := range c.Exports {
		rm := mappings[export]
		r := publish.Reading{NotSupplied: rm.NotSupplied}
		if rm.FirstQuarter != (period.Quarter{}) {
			r.FirstQuarter = &rm.FirstQuarter
		}
		if m.FormerLocations != nil {
			r.FormerLocations = m.FormerLocations.Source
		}
		for _, d := range rm.Derived {
			r.Derived = append(r.Derived, publish.DictionaryDerived{Column: d.Column, How: d.Describe()})
		}
		out[export] = r
	}
	return out
}

// Limits are the bounds on one row of a delivery's files.
func (c *Config) Limits() records.Limits {
	return records.Limits{FieldBytes: c.Check.MaxFieldBytes, RowBytes: c.Check.MaxRowBytes, Columns: c.Check.MaxColumns}
}
