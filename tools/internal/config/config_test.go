package config

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/pflag"
)

func writeConfig(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), FileName)
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestPrecedenceFileEnvFlag(t *testing.T) {
	t.Parallel()
	p := writeConfig(t, "title: x\nparams:\n  disclosure:\n    threshold: 12\n")
	c, err := Load(p, nil, nil)
	if err != nil || c.Disclosure.Threshold != 12 {
		t.Fatalf("file: %v %v", c, err)
	}
	env := MapEnv(map[string]string{"WCO_DISCLOSURE_THRESHOLD": "15", "WCO_CHECK_MAX_PROBLEMS": ""})
	if c, _ = Load(p, env, nil); c.Disclosure.Threshold != 15 {
		t.Errorf("env: threshold = %d, want 15", c.Disclosure.Threshold)
	}
	if c.Check.MaxProblems != 50 {
		t.Errorf("an empty variable must count as unset: max_problems = %d", c.Check.MaxProblems)
	}
	flags := pflag.NewFlagSet("t", pflag.ContinueOnError)
	flags.Int("threshold", 0, "")
	if c, _ = Load(p, env, flags); c.Disclosure.Threshold != 15 {
		t.Errorf("unset flag must not override env: threshold = %d", c.Disclosure.Threshold)
	}
	if err := flags.Parse([]string{"--threshold", "20"}); err != nil {
		t.Fatal(err)
	}
	if c, _ = Load(p, env, flags); c.Disclosure.Threshold != 20 {
		t.Errorf("flag: threshold = %d, want 20", c.Disclosure.Threshold)
	}
}

func TestDefaults(t *testing.T) {
	t.Parallel()
	c, err := Load(writeConfig(t, "title: x\n"), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Disclosure.Threshold != 11 || c.Check.MaxProblems != 50 || c.Deliveries.Keep != 10 || c.Deliveries.Store != ".wco/deliveries" || c.Verify.PageBudgetKB != 60 || c.BaseURL != "/" {
		t.Errorf("defaults = %+v", c)
	}
}

func TestBaseURLFollowsHugo(t *testing.T) {
	t.Parallel()
	path := writeConfig(t, "baseURL: https://example.org/\n")
	if c, err := Load(path, nil, nil); err != nil || c.BaseURL != "https://example.org/" {
		t.Errorf("baseURL from the file: %v %v", c, err)
	}
	env := MapEnv(map[string]string{EnvBaseURL: "https://example.github.io/transparency/"})
	if c, err := Load(path, env, nil); err != nil || c.BaseURL != "https://example.github.io/transparency/" {
		t.Errorf("HUGO_BASEURL over the file: %v %v", c, err)
	}
}

func TestSecretsOnlyFromEnvironment(t *testing.T) {
	t.Parallel()
	for _, key := range []string{"pseudonym_key", "source_token"} {
		_, err := Load(writeConfig(t, "params:\n  "+key+": hunter2\n"), nil, nil)
		if err == nil || !strings.Contains(err.Error(), "secret") || strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%s in config.yaml: err = %v, want a refusal that does not echo the value", key, err)
		}
	}
	const key = "wcok1_amfbcga7eywtio2cjfifoxtfnrzxvamir6lj3jflwk44br6o2xoa_uiehaxy" // a test key, not a secret
	env := MapEnv(map[string]string{EnvPseudonymKey: key, EnvSourceToken: "s"})
	c, err := Load(writeConfig(t, "title: x\n"), env, nil)
	if err != nil || c.PseudonymKey != key || c.SourceToken != "s" {
		t.Errorf("secrets from env: %+v %v", c, err)
	}
	// A weak key is refused by every command, without echoing it.
	weak := MapEnv(map[string]string{EnvPseudonymKey: "hunter2hunter2"})
	if _, err := Load(writeConfig(t, "title: x\n"), weak, nil); err == nil || !strings.Contains(err.Error(), "wco key new") || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("a weak key: %v", err)
	}
}

func TestRejectsUnsafeSettings(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		"params:\n  disclosure:\n    threshold: 1\n",
		"params:\n  check:\n    max_problems: 0\n",
		"params:\n  deliveries:\n    keep: 0\n",
		"params:\n  check:\n    max_invalid_rows: -1\n",
		"params:\n  verify:\n    page_budget_kb: 0\n",
		"params:\n  check:\n    echo_min_count: 1\n",
		"params:\n  check:\n    max_field_bytes: 0\n",
		"params:\n  check:\n    max_row_bytes: 10\n",
		"params:\n  deliveries:\n    max_file_bytes: 0\n",
	} {
		if _, err := Load(writeConfig(t, body), nil, nil); err == nil {
			t.Errorf("accepted %q", body)
		}
	}
}

func TestMappings(t *testing.T) {
	t.Parallel()
	c, err := Load(writeConfig(t, `params:
  exports:
    detainer_log:
      columns:
        received_at: RECV_DT
      datetime_formats: ["DD.MM.YYYY HH:mm"]
      encoding: windows-1252
      location: district
`), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	m, err := c.Mappings()
	if err != nil {
		t.Fatal(err)
	}
	dl := m["detainer_log"]
	if dl.Columns["received_at"] != "RECV_DT" || dl.Encoding != "windows-1252" || !dl.Parser.BeatIsDistrict || len(dl.Parser.DatetimeLayouts) != 1 {
		t.Errorf("mapping = %+v", dl)
	}
	if _, err := dl.Parser.Datetime("03.07.2026 14:05"); err != nil {
		t.Errorf("mapped datetime form: %v", err)
	}
}

func TestMappingsRejectMistakes(t *testing.T) {
	t.Parallel()
	for _, body := range []string{
		"params:\n  exports:\n    detainer_logs:\n      encoding: utf-8\n",
		"params:\n  exports:\n    detainer_log:\n      columns:\n        recieved_at: X\n",
		"params:\n  exports:\n    detainer_log:\n      datetime_formats: [\"DD.MM.YY\"]\n",
		"params:\n  exports:\n    detainer_log:\n      encoding: latin-9\n",
		"params:\n  exports:\n    detainer_log:\n      location: ward\n",
		// A mapping may not read a personal-data column into a published one.
		"params:\n  exports:\n    detainer_log:\n      columns:\n        disposition: Subject_Name\n",
	} {
		if _, err := Load(writeConfig(t, body), nil, nil); err == nil {
			t.Errorf("accepted %q", body)
		}
	}
}

func TestProjectConfigLoads(t *testing.T) {
	t.Parallel()
	p, err := Find(".")
	if err != nil {
		t.Fatal(err)
	}
	c, err := Load(p, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if c.Disclosure.Threshold != 11 {
		t.Errorf("project threshold = %d", c.Disclosure.Threshold)
	}
}

func TestLanguages(t *testing.T) {
	t.Parallel()
	c, err := Load(writeConfig(t, "defaultContentLanguage: en\nlanguages:\n  es: {}\n  en: {}\n  pl: {}\n"), nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(c.Languages, " ") != "en es pl" || c.DefaultLanguage != "en" {
		t.Errorf("languages = %v, default %s", c.Languages, c.DefaultLanguage)
	}
	c, _ = Load(writeConfig(t, "title: x\n"), nil, nil)
	if strings.Join(c.Languages, " ") != "en" {
		t.Errorf("without languages: %v", c.Languages)
	}
}
