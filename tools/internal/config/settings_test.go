package config

import (
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

var updateREADME = flag.Bool("update-readme", false, "write the settings table into README.md")

// A misspelled setting, in the file or the environment, stops the load
// with the key's place and the nearest known key; none may leave its
// default in force. Each case is a misspelling a reader reported.
func TestAMisspelledSettingStopsTheLoad(t *testing.T) {
	t.Parallel()
	project, err := os.ReadFile(filepath.Join("..", "..", "..", FileName))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name, from, to, want string
	}{
		{"threshold", "    threshold: 11\n", "    treshold: 3\n", "params.disclosure.treshold: unknown setting; did you mean threshold?"},
		{"min_base", "district: {period: year, grouping: police_area}", "district: {period: year, grouping: police_area, min_bse: 50}",
			"params.publication.detainer_log.breakdowns.district.min_bse: unknown setting; did you mean min_base?"},
		{"publish", "mcc-2-173-069: {publish: true}", "mcc-2-173-069: {publsh: true}", "params.filings.mcc-2-173-069.publsh: unknown setting; did you mean publish?"},
		{"max_invalid_rows", "max_invalid_rows: 0", "max_invalid_row: 5", "params.check.max_invalid_row: unknown setting; did you mean max_invalid_rows?"},
		{"a statutory figure", "{figure: bail_posted, clause:", "{figur: bail_posted, clause:", "params.publication.detainer_log.statutory[4].figur: unknown setting; did you mean figure?"},
		{"a group", "{value: AREA_4, values:", "{value: AREA_4, valeus:", "params.groupings.police_area.groups[3].valeus: unknown setting; did you mean values?"},
		{"a section", "  releases:\n", "  release:\n", "params.release: unknown setting; did you mean releases?"},
		{"far from any", "  releases:\n", "  calendar:\n", "params.calendar: unknown setting; known here: check, deliveries, disclosure, downloads, exports, filings, groupings, project, publication, releases, verify"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			body := string(project)
			if !strings.Contains(body, tc.from) {
				t.Fatalf("config.yaml has no %q to misspell", tc.from)
			}
			_, err := Load(writeConfig(t, strings.Replace(body, tc.from, tc.to, 1)), nil, nil)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("got %v\nwant %q", err, tc.want)
			}
		})
	}
	// Mapped exports are read too: a misspelled key inside one is refused.
	_, err = Load(writeConfig(t, "params:\n  exports:\n    detainer_log:\n      colums: {log_id: ID}\n"), nil, nil)
	if err == nil || !strings.Contains(err.Error(), "params.exports.detainer_log.colums: unknown setting; did you mean columns?") {
		t.Errorf("exports: %v", err)
	}

	for _, tc := range []struct{ name, want string }{
		{"WCO_DISCLOSURE_TRESHOLD", "WCO_DISCLOSURE_TRESHOLD: unknown variable; did you mean WCO_DISCLOSURE_THRESHOLD?"},
		{"WCO_CHECK_MAX_INVALID_ROW", "did you mean WCO_CHECK_MAX_INVALID_ROWS?"},
		{"WCO_PSEUDONYM", "did you mean WCO_PSEUDONYM_KEY?"},
		{"WCO_SOMETHING_ELSE", "WCO_SOMETHING_ELSE: unknown variable; the README's Configuration section lists every variable"},
	} {
		_, err := Load(writeConfig(t, "title: x\n"), MapEnv(map[string]string{tc.name: "3"}), nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want %q", tc.name, err, tc.want)
		}
	}
	// Variables of other programs are theirs.
	if _, err := Load(writeConfig(t, "title: x\n"), MapEnv(map[string]string{"HUGO_ENV": "x", "GOFLAGS": "-x", "WCOX": "1"}), nil); err != nil {
		t.Errorf("variables without the WCO_ prefix are not the toolkit's: %v", err)
	}
}

// Every setting's default is the one its owner declares, whichever way the
// setting is left out, and every scalar setting can be set from its
// variable.
func TestEverySettingHasOneDefaultAndAVariable(t *testing.T) {
	t.Parallel()
	c, err := Load(writeConfig(t, "title: x\n"), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]any{
		"disclosure.threshold":        c.Disclosure.Threshold,
		"check.max_problems":          c.Check.MaxProblems,
		"check.max_invalid_rows":      c.Check.MaxInvalidRows,
		"check.max_field_bytes":       c.Check.MaxFieldBytes,
		"check.max_row_bytes":         c.Check.MaxRowBytes,
		"check.max_columns":           c.Check.MaxColumns,
		"check.echo_min_count":        c.Check.EchoMinCount,
		"deliveries.store":            c.Deliveries.Store,
		"deliveries.keep":             c.Deliveries.Keep,
		"deliveries.max_file_bytes":   c.Deliveries.MaxFileBytes,
		"deliveries.exported_at":      c.Deliveries.ExportedAt,
		"releases.days_after_quarter": c.Releases.DaysAfterQuarter,
		"verify.page_budget_kb":       c.Verify.PageBudgetKB,
		"verify.pdf_budget_kb":        c.Verify.PDFBudgetKB,
		"project.source":              c.Project.Source,
		"project.components":          c.Project.Components,
	}
	for _, s := range Settings {
		if !s.Scalar() {
			continue
		}
		v, ok := got[s.Key]
		if !ok {
			t.Errorf("%s: the test does not read this setting; add it", s.Key)
			continue
		}
		if v != s.Default {
			t.Errorf("%s = %v (%T), its declared default is %v (%T)", s.Key, v, v, s.Default, s.Default)
		}
		delete(got, s.Key)
	}
	for k := range got {
		t.Errorf("%s: read by the test but not declared in Settings", k)
	}
	if c.Downloads.License.Name != "ODC-PDDL-1.0" {
		t.Errorf("licence left out: %+v", c.Downloads.License)
	}

	// Each variable reaches its setting.
	c, err = Load(writeConfig(t, "title: x\n"), MapEnv(map[string]string{
		"WCO_CHECK_ECHO_MIN_COUNT": "7", "WCO_VERIFY_PDF_BUDGET_KB": "500", "WCO_PROJECT_SOURCE": "https://example.org/src",
	}), nil)
	if err != nil || c.Check.EchoMinCount != 7 || c.Verify.PDFBudgetKB != 500 || c.Project.Source != "https://example.org/src" {
		t.Errorf("variables: %v %+v", err, c)
	}
}

// The README's table of settings and variables is the declaration's.
func TestTheREADMEListsEverySetting(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile(filepath.Join("..", "..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	const begin, end = "<!-- settings: written by go test ./tools/internal/config -run TestTheREADMEListsEverySetting -update-readme -->\n", "<!-- /settings -->"
	text := string(readme)
	i, j := strings.Index(text, begin), strings.Index(text, end)
	if i < 0 || j < i {
		t.Fatalf("README.md has no settings table between %q and %q", begin, end)
	}
	want := SettingsTable()
	if got := text[i+len(begin) : j]; got != want {
		if *updateREADME {
			text = text[:i+len(begin)] + want + text[j:]
			if err := os.WriteFile(filepath.Join("..", "..", "..", "README.md"), []byte(text), 0o644); err != nil {
				t.Fatal(err)
			}
			return
		}
		t.Errorf("README.md's table of settings is not the declaration's; run go test ./tools/internal/config -run TestTheREADMEListsEverySetting -update-readme\ngot:\n%s\nwant:\n%s", got, want)
	}
}

// Every WCO_ variable the project's files name is known, so a known
// variable is never refused and no program reads an unknown one.
func TestEveryVariableNamedIsKnown(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("git is not installed")
	}
	out, err := exec.Command("git", "-C", filepath.Join("..", "..", ".."), "grep", "-hoIE", `\bWCO_[A-Z0-9_]*[A-Z0-9]\b`, "--", ".",
		// The tests of misspelled variables name them on purpose.
		":!tools/internal/config/settings_test.go", ":!tools/cmd/wco/cli_test.go").Output()
	if err != nil {
		t.Skipf("not a git work tree: %v", err)
	}
	names := slices.Compact(slices.Sorted(slices.Values(strings.Fields(string(out)))))
	known := regexp.MustCompile(`^WCO_[A-Z0-9_]+$`)
	env := Env{}
	for _, n := range names {
		if known.MatchString(n) {
			env[n] = "x"
		}
	}
	if len(env) < 15 {
		t.Fatalf("only %d variables found: %v", len(env), names)
	}
	if err := CheckEnv(env); err != nil {
		t.Error(err)
	}
}

// A system's own file names and the exports it does not deliver are read
// by configuration; a name that could reach outside the delivery's folder,
// a broken pattern, settings for an export said not to be delivered, or no
// export delivered at all, are refused, each naming its setting.
func TestFileNamesAndPartialDeliveries(t *testing.T) {
	t.Parallel()
	c, err := Load(writeConfig(t, "params:\n  exports:\n    detainer_log: {file: \"TRR-main_*.csv.gz\"}\n    visa_certifications: {delivered: false}\n"), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	m, err := c.Mappings()
	if err != nil || m["detainer_log"].File != "TRR-main_*.csv.gz" || !m["visa_certifications"].NotDelivered || m["detainer_log"].NotDelivered {
		t.Errorf("mappings %+v %v", m, err)
	}
	for _, tc := range []struct{ body, want string }{
		{"detainer_log: {file: \"../secrets/*.csv\"}", "params.exports.detainer_log.file: \"../secrets/*.csv\" must be a file name of the delivery's own folder"},
		{"detainer_log: {file: \"/etc/passwd\"}", "must be a file name of the delivery's own folder"},
		{"detainer_log: {file: \".hidden.csv\"}", "not hidden"},
		{"detainer_log: {file: \"log[.csv\"}", "is not a valid pattern"},
		{"detainer_log: {delivered: false, file: x.csv}", "params.exports.detainer_log.delivered is false: the export is not read, so give it no other setting"},
		{"detainer_log: {delivered: false}\n    assistance_requests: {delivered: false}\n    federal_incidents: {delivered: false}\n    visa_certifications: {delivered: false}", "every export is marked delivered: false"},
	} {
		_, err := Load(writeConfig(t, "params:\n  exports:\n    "+tc.body+"\n"), nil, nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.body, err, tc.want)
		}
	}
}
