package config

import (
	"cmp"
	"fmt"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/chicago-welcoming-city/transparency/tools/internal/check"
	"github.com/chicago-welcoming-city/transparency/tools/internal/delivery"
	"github.com/chicago-welcoming-city/transparency/tools/internal/disclosure"
	"github.com/chicago-welcoming-city/transparency/tools/internal/period"
	"github.com/chicago-welcoming-city/transparency/tools/internal/publish"
	"github.com/chicago-welcoming-city/transparency/tools/internal/pull"
	"github.com/chicago-welcoming-city/transparency/tools/internal/records"
	"github.com/chicago-welcoming-city/transparency/tools/internal/verify"
)

// Setting is one setting under params. Its default is declared by the
// package that owns it; this list only names it, so that Load, the
// README's table and the check of unknown keys read one declaration.
type Setting struct {
	// Key is the setting's path under params; <name> marks a key the
	// configuration chooses (an export, a grouping).
	Key string
	// Default is the value when neither the file, the environment nor a
	// flag gives one; nil for a structured setting, which is empty.
	Default any
	// Meaning says what it does, in the README's words.
	Meaning string
}

// Scalar reports whether the setting holds one value, which a WCO_
// variable can set.
func (s Setting) Scalar() bool {
	return s.Default != nil && reflect.TypeOf(s.Default).Kind() != reflect.Struct && !strings.Contains(s.Key, "<")
}

// Env is the variable that sets a scalar setting ("" for others).
func (s Setting) Env() string {
	if !s.Scalar() {
		return ""
	}
	return EnvName(s.Key)
}

// Settings are every setting under params, in the README's order.
var Settings = []Setting{
	{"disclosure.threshold", disclosure.DefaultThreshold, "counts from 1 to threshold − 1 are never published unless a rule requires them exactly; zero is shown as zero"},
	{"check.max_problems", check.DefaultMaxProblems, "problems listed per file before the rest are only counted"},
	{"check.max_invalid_rows", check.DefaultMaxInvalidRows, "invalid rows left out (and reported on the site) instead of stopping the publication"},
	{"check.max_field_bytes", records.DefaultLimits.FieldBytes, "the longest field a file may hold, in bytes"},
	{"check.max_row_bytes", records.DefaultLimits.RowBytes, "the longest row a file may hold, in bytes"},
	{"check.max_columns", records.DefaultLimits.Columns, "the most columns a file may have"},
	{"check.echo_min_count", check.DefaultEchoMin, "how often a value must occur in its file before the check's report may show it"},
	{"deliveries.store", pull.DefaultStore, "local, git-ignored store of deliveries"},
	{"deliveries.keep", pull.DefaultKeep, "deliveries kept in the store"},
	{"deliveries.max_file_bytes", int64(delivery.DefaultMaxFileBytes), "the most one file may weigh, pulled or decompressed (4 GiB)"},
	{"deliveries.exported_at", "", "when a delivery without a manifest was exported (RFC 3339), for a one-off import; `--exported-at` gives it per command; never guessed from the records"},
	{"releases.days_after_quarter", period.DefaultDaysAfterQuarter, "when a quarter's report is due, in days after it ends"},
	{"verify.page_budget_kb", verify.DefaultPageBudgetKB, "the most a page may weigh with what it loads, in KB"},
	{"verify.pdf_budget_kb", verify.DefaultPDFBudgetKB, "the most a printed PDF may weigh, in KB"},
	{"project.source", "", "the public source every page's footer links; empty links nothing"},
	{"project.components", "", "the folder holding the site's content, layouts, i18n, assets and static, relative to config.yaml; empty: config.yaml's own"},
	{"downloads.license", publish.DefaultLicense, "the terms the data package and the downloads page name: `name`, `title` and `path`"},
	{"exports.<export>", nil, "how a records system's files differ from the contract (below)"},
	{"publication.<export>", nil, "the allow-list: `statutory` figures with their clauses, `dimensions`, per-dimension `breakdowns` (period, grouping, min_base) and `measures`"},
	{"groupings.<name>", nil, "value groupings (police areas), with `source` and `confirmed`"},
	{"filings.<filing>", nil, "whether the site publishes a statutory filing (`publish`)"},
}

// Variable is an environment variable the toolkit knows besides those that
// set a setting.
type Variable struct {
	Name    string
	Meaning string
}

// Variables are every other WCO_ variable: secrets, the nightly workflow's,
// and those the tests read (a test runs wco in its own process, so wco
// meets them too). Any WCO_ variable not listed here, nor setting a
// setting, stops every command.
var Variables = []Variable{
	{EnvPseudonymKey, "the key for record pseudonyms (`wco key new` makes one); a secret, never in `config.yaml`"},
	{EnvSourceToken, "the token for fetching deliveries over HTTPS; a secret, never in `config.yaml`"},
	{"WCO_SOURCE", "the nightly workflow's delivery source, from CI's secret store; the workflow gives it to `wco pull --source`"},
	{"WCO_REQUIRE_BROWSER", "tests: a test that needs Chromium, Java or the PDF printer fails instead of skipping (`.ci/run` sets it)"},
	{"WCO_REQUIRE_ATTACKER", "tests: the independent attacker (Python with SciPy) must run instead of skipping (`.ci/run` sets it)"},
	{"WCO_PROPERTY", "tests: `full` runs the engine's property test over every night of its calendar"},
	{"WCO_PROPERTY_RUNS", "tests: more runs of the full property test"},
	{"WCO_PROTECT_TRIALS", "tests: more trials of the disclosure system's random test"},
	{"WCO_SCREENSHOTS", "tests: a folder where the browser tests save screenshots"},
	{"WCO_KEEP_DIFF", "tests: a folder where a failed determinism test keeps both builds"},
	{"WCO_KEEP_HISTORY", "tests: a folder where the property test keeps its published history"},
	{"WCO_BENCH_ROWS", "benchmarks: rows in the check's benchmark delivery"},
	{"WCO_STEPLOG", "tests: the log the workflow test's stand-in commands write"},
	{"WCO_TEST_BINARY_RUNS_WCO", "tests: the test binary runs as wco (the kill and signal tests)"},
	{"WCO_TEST_CHILD_BUILD", "tests: the child build the kill test interrupts"},
	{"WCO_TEST_HUGE_FIELD_DIR", "tests: the delivery of the child that reads an endless field"},
	{"WCO_TEST_READY_FILE", "tests: the file a child writes when it is ready to be interrupted"},
}

// CheckEnv refuses a WCO_ variable the toolkit does not know, naming the
// nearest known one: a misspelled setting must not leave its default in
// force without a word.
func CheckEnv(env Env) error {
	known := map[string]bool{}
	for _, s := range Settings {
		if s.Scalar() {
			known[s.Env()] = true
		}
	}
	for _, v := range Variables {
		known[v.Name] = true
	}
	var errs []string
	for _, name := range slices.Sorted(maps.Keys(env)) {
		if !strings.HasPrefix(name, "WCO_") || known[name] {
			continue
		}
		msg := name + ": unknown variable"
		if near := nearest(name, slices.Collect(maps.Keys(known))); near != "" {
			msg += "; did you mean " + near + "?"
		} else {
			msg += "; the README's Configuration section lists every variable"
		}
		errs = append(errs, msg+" (unset it, or correct its name)")
	}
	if len(errs) > 0 {
		return fmt.Errorf("environment: %s", strings.Join(errs, "\n"))
	}
	return nil
}

// unknownKeys lists, as errors, every key of raw (the file's params) that
// the configuration does not read: typ is the type the keys decode into,
// path the keys' place. Keys are matched as the decoder matches them,
// without regard to case.
func unknownKeys(raw any, typ reflect.Type, path string) []string {
	for typ.Kind() == reflect.Pointer {
		typ = typ.Elem()
	}
	var out []string
	switch typ.Kind() {
	case reflect.Struct:
		m, ok := asMap(raw)
		if !ok {
			return nil // not a table: the decoder says so
		}
		fields := map[string]reflect.Type{}
		for f := range fieldsOf(typ) {
			fields[f.name] = f.typ
		}
		for _, k := range slices.Sorted(maps.Keys(m)) {
			ft, ok := fields[strings.ToLower(k)]
			if !ok {
				msg := join(path, k) + ": unknown setting"
				if near := nearest(strings.ToLower(k), slices.Collect(maps.Keys(fields))); near != "" {
					msg += "; did you mean " + near + "?"
				} else {
					msg += "; known here: " + strings.Join(slices.Sorted(maps.Keys(fields)), ", ")
				}
				out = append(out, msg)
				continue
			}
			out = append(out, unknownKeys(m[k], ft, join(path, k))...)
		}
	case reflect.Map:
		m, ok := asMap(raw)
		if !ok {
			return nil
		}
		for _, k := range slices.Sorted(maps.Keys(m)) {
			out = append(out, unknownKeys(m[k], typ.Elem(), join(path, k))...)
		}
	case reflect.Slice, reflect.Array:
		list, ok := raw.([]any)
		if !ok {
			return nil
		}
		for i, e := range list {
			out = append(out, unknownKeys(e, typ.Elem(), fmt.Sprintf("%s[%d]", path, i))...)
		}
	}
	return out
}

type field struct {
	name string
	typ  reflect.Type
}

// fieldsOf yields the keys a struct decodes, by their mapstructure names.
func fieldsOf(t reflect.Type) func(func(field) bool) {
	return func(yield func(field) bool) {
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("mapstructure"), ",")
			if name == "-" {
				continue
			}
			if !yield(field{strings.ToLower(cmp.Or(name, f.Name)), f.Type}) {
				return
			}
		}
	}
}

func asMap(v any) (map[string]any, bool) {
	switch m := v.(type) {
	case map[string]any:
		return m, true
	case map[any]any:
		out := map[string]any{}
		for k, e := range m {
			out[fmt.Sprint(k)] = e
		}
		return out, true
	}
	return nil, false
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// nearest is the candidate closest to s in edits, if it is close enough
// to be a misspelling of it.
func nearest(s string, candidates []string) string {
	best, bestD := "", 0
	for _, c := range slices.Sorted(slices.Values(candidates)) {
		d := editDistance(s, c)
		if best == "" || d < bestD {
			best, bestD = c, d
		}
	}
	if best == "" || bestD > max(2, len([]rune(s))/3) {
		return ""
	}
	return best
}

// editDistance counts the edits between a and b: a letter added, removed
// or changed, or two neighbours swapped (the optimal string alignment
// distance), since a swap is the commonest slip of typing.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	d := make([][]int, len(ra)+1)
	for i := range d {
		d[i] = make([]int, len(rb)+1)
		d[i][0] = i
	}
	for j := range d[0] {
		d[0][j] = j
	}
	for i := 1; i <= len(ra); i++ {
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			d[i][j] = min(d[i-1][j]+1, d[i][j-1]+1, d[i-1][j-1]+cost)
			if i > 1 && j > 1 && ra[i-1] == rb[j-2] && ra[i-2] == rb[j-1] {
				d[i][j] = min(d[i][j], d[i-2][j-2]+1)
			}
		}
	}
	return d[len(ra)][len(rb)]
}

// SettingsTable is the README's table of settings, from Settings and
// Variables.
func SettingsTable() string {
	var b strings.Builder
	b.WriteString("| setting | default | variable | meaning |\n|---|---|---|---|\n")
	for _, s := range Settings {
		def := "none"
		switch d := s.Default.(type) {
		case nil:
		case string:
			def = "empty"
			if d != "" {
				def = "`" + d + "`"
			}
		case publish.License:
			def = d.Name
		default:
			def = fmt.Sprint(d)
		}
		env := ""
		if s.Scalar() {
			env = "`" + s.Env() + "`"
		}
		fmt.Fprintf(&b, "| `params.%s` | %s | %s | %s |\n", s.Key, def, env, s.Meaning)
	}
	b.WriteString("\n| other variable | meaning |\n|---|---|\n")
	for _, v := range Variables {
		fmt.Fprintf(&b, "| `%s` | %s |\n", v.Name, v.Meaning)
	}
	return b.String()
}
