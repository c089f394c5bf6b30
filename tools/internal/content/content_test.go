package content

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const source = `---
title: The ordinance
weight: 1
sections: ["MCC 2-173-020"]
---

The ordinance took effect in 2012. Call 911 in an emergency.

## What police will not do {#will-not-do}

Police do not ask about status (MCC 2-173-020, 287(g)). Read [your rights](/explainers/rights/#help).

### Counts {#counts}

In {{< latest-quarter >}} police received {{< stat export="detainer_log" >}} detainers. It began on {{< date "2012-09-12" >}}.
`

// translation is a faithful Spanish translation of source, with
// Arabic-Indic digits in one year to show that scripts do not matter.
func translation(rev string) string {
	return `---
title: La ordenanza
weight: 1
sections: ["MCC 2-173-020"]
translation:
  source: ` + rev + `
  reviewed: false
---

La ordenanza entró en vigor en ٢٠١٢. Llame al 911 en una emergencia.

## Lo que la policía no hará {#will-not-do}

La policía no pregunta por el estatus (MCC 2-173-020, 287(g)). Lea [sus derechos](/explainers/rights/#help).

### Cifras {#counts}

En {{< latest-quarter >}} la policía recibió {{< stat  export="detainer_log" >}} órdenes. Comenzó el {{< date "2012-09-12" >}}.
`
}

func tree(t *testing.T, files map[string]string) string {
	t.Helper()
	dir := filepath.Join(t.TempDir(), "content")
	for name, body := range files {
		p := filepath.Join(dir, "explainers", name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

func check(t *testing.T, files map[string]string) *Report {
	t.Helper()
	r, err := Check(Options{Dir: tree(t, files), Languages: []string{"en", "es", "ar"}, Readable: []string{"explainers"}, MaxGrade: 8,
		Shortcodes: []string{"date", "latest-quarter", "stat", "threshold"}})
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func sourceRevision() string {
	_, body, _ := strings.Cut(strings.TrimPrefix(source, "---\n"), "\n---\n")
	return Revision([]byte(body))
}

func TestFaithfulTranslationPasses(t *testing.T) {
	t.Parallel()
	r := check(t, map[string]string{"o.md": source, "o.es.md": translation(sourceRevision())})
	for _, p := range r.Problems {
		t.Error(p)
	}
	if r.Count("es", Current) != 1 || r.Count("ar", Missing) != 1 || r.Unreviewed("es") != 1 {
		t.Errorf("entries: %+v", r.Entries)
	}
}

// Each defect must be reported under the rule and heading it breaks.
func TestDefectsAreNamed(t *testing.T) {
	t.Parallel()
	rev := sourceRevision()
	good := translation(rev)
	tests := []struct {
		name     string
		file     string // which file the defect is in: "o.md" or "o.es.md"
		from, to string
		rule     string
		heading  string
		message  string
	}{
		{"heading level", "o.es.md", "### Cifras {#counts}", "## Cifras {#counts}", "structure", "Cifras", "level 3"},
		{"heading id", "o.es.md", "{#will-not-do}", "{#no-hara}", "structure", "Lo que la policía no hará", "{#will-not-do}"},
		{"heading missing", "o.es.md", "### Cifras {#counts}\n", "", "structure", "", `"Counts" {#counts}`},
		{"no heading id", "o.md", "## What police will not do {#will-not-do}", "## What police will not do", "structure", "What police will not do", "no {#id}"},
		{"link", "o.es.md", "(/explainers/rights/#help)", "(/explainers/rights/)", "links", "Lo que la policía no hará", `"/explainers/rights/#help"`},
		{"citation", "o.es.md", "287(g)", "287(h)", "citations", "Lo que la policía no hará", `"287(g)"`},
		{"year", "o.es.md", "٢٠١٢", "2013", "figures", "", `"2012"`},
		{"shortcode", "o.es.md", `{{< stat  export="detainer_log" >}}`, `{{< stat export="visa_certifications" >}}`, "figures", "Cifras", `detainer_log`},
		{"typed number", "o.es.md", `{{< stat  export="detainer_log" >}}`, "145", "typed-number", "Cifras", "145"},
		{"typed number in source", "o.md", "Call 911", "Call 12", "typed-number", "", "the number 12"},
		{"typed date", "o.md", `{{< date "2012-09-12" >}}`, "2012-09-12", "typed-number", "Counts", "{{< date"},
		{"unknown shortcode", "o.md", "{{< latest-quarter >}}", "{{< quarter >}}", "shortcode", "Counts", `"quarter"`},
		{"raw html", "o.es.md", "La ordenanza entró", "<div>x</div>\n\nLa ordenanza entró", "raw-html", "", "raw HTML"},
		{"no translation block", "o.es.md", "translation:\n  source: " + rev + "\n  reviewed: false\n", "", "translation", "", "translation: {source: " + rev},
		{"reviewed true", "o.es.md", "reviewed: false", "reviewed: true", "translation", "", "date of the review"},
		{"weight", "o.es.md", "weight: 1", "weight: 2", "front-matter", "", "weight is 2"},
		{"sections", "o.es.md", `sections: ["MCC 2-173-020"]`, `sections: ["MCC 2-173-030"]`, "front-matter", "", "sections"},
		{"readability", "o.md", "Police do not ask about status", "Notwithstanding considerations of administrative convenience, departmental representatives categorically refrain from interrogating individuals regarding immigration classification, documentation, naturalization eligibility, or administrative circumstances", "readability", "", "grade"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			files := map[string]string{"o.md": source, "o.es.md": good}
			if !strings.Contains(files[tt.file], tt.from) {
				t.Fatalf("fixture has no %q", tt.from)
			}
			files[tt.file] = strings.Replace(files[tt.file], tt.from, tt.to, 1)
			if tt.file == "o.md" && tt.rule != "readability" {
				// Keep the translation current, so only the defect shows.
				_, body, _ := strings.Cut(strings.TrimPrefix(files["o.md"], "---\n"), "\n---\n")
				files["o.es.md"] = strings.Replace(files["o.es.md"], rev, Revision([]byte(body)), 1)
			}
			r := check(t, files)
			found := false
			for _, p := range r.Problems {
				if p.Rule == tt.rule && strings.Contains(p.File, tt.file) && strings.Contains(p.Heading, tt.heading) && strings.Contains(p.Message, tt.message) {
					found = true
				}
			}
			if !found {
				t.Errorf("want a %s problem in %s under %q mentioning %q; got:\n%s", tt.rule, tt.file, tt.heading, tt.message, problems(r))
			}
		})
	}
}

func problems(r *Report) string {
	var b strings.Builder
	for _, p := range r.Problems {
		b.WriteString("  " + p.String() + "\n")
	}
	return b.String()
}

func TestStaleAndOrphanTranslations(t *testing.T) {
	t.Parallel()
	r := check(t, map[string]string{"o.md": source, "o.es.md": translation("0123456789ab"), "p.ar.md": "---\ntitle: x\n---\n"})
	if r.Count("es", Stale) != 1 {
		t.Errorf("a translation of an older revision is not stale: %+v", r.Entries)
	}
	for _, p := range r.Problems {
		if p.Rule != "orphan" {
			t.Errorf("stale is not a problem: %s", p)
		}
	}
	if !strings.Contains(problems(r), "p.ar.md: orphan: no en source explainers/p.md") {
		t.Errorf("no orphan problem:\n%s", problems(r))
	}
}

func TestRevisionIsOfTheBody(t *testing.T) {
	t.Parallel()
	if Revision([]byte("a\n")) == Revision([]byte("a\n\n")) || len(Revision(nil)) != 12 {
		t.Error("revision")
	}
}

func TestGrade(t *testing.T) {
	t.Parallel()
	easy := "The cat sat on the mat. It was a good cat. We like it."
	hard := "Notwithstanding the aforementioned considerations, municipal administrative authorities systematically differentiate jurisdictional responsibilities concerning immigration documentation."
	if g := Grade(easy); g > 2 {
		t.Errorf("easy text at grade %.1f", g)
	}
	if g := Grade(hard); g < 16 {
		t.Errorf("hard text at grade %.1f", g)
	}
	for w, n := range map[string]int{"cat": 1, "make": 1, "table": 2, "police": 2, "ordinance": 3, "wanted": 2, "asked": 1, "immigration": 4, "boxes": 2} {
		if got := Syllables(w); got != n {
			t.Errorf("Syllables(%q) = %d, want %d", w, got, n)
		}
	}
}

// A year written against a Chinese or Korean counter is still a year, and a
// number so written is still a typed number.
func TestNumbersNextToCJK(t *testing.T) {
	t.Parallel()
	s := &section{}
	scan(s, "2021年，拨打911。2021년 145명 SHA256SUMS", 1)
	if got := strings.Join(s.figures, " "); got != "2021 911 2021" {
		t.Errorf("figures %q", got)
	}
	if len(s.typed) != 1 || !strings.Contains(s.typed[0].message, "145") {
		t.Errorf("typed %+v", s.typed)
	}
}

func TestNormalizeDigits(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{"٢٠١٢": "2012", "۲۰۱۲": "2012", "२०१२": "2012", "２０１２": "2012", "2012": "2012"} {
		if got := normalizeDigits(in); got != want {
			t.Errorf("normalizeDigits(%q) = %q", in, got)
		}
	}
}
