//go:build integration

package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"go.yaml.in/yaml/v3"
)

// written is a copy of the site whose written pages staff have worked on,
// built once for the tests of narratives and translations: wco report new
// has scaffolded 2026-Q3's narrative (and been refused a second time), the
// English narrative is written (its translations are not), a Spanish
// explainer is deleted and an English one has changed since it was
// translated.
type written struct {
	site, config string
	out          outputs
	scaffold     string // what wco report new said
	again        error  // wco report new a second time
	content      error  // wco content check of the scaffolds
	contentOut   string
}

var (
	writtenOnce sync.Once
	writtenSite written
	writtenErr  error
)

func writtenFixture(t *testing.T) written {
	t.Helper()
	writtenOnce.Do(func() {
		writtenErr = func() error {
			dir, err := os.MkdirTemp("", "wco-written-site-")
			if err != nil {
				return err
			}
			writtenDir = dir
			w := &writtenSite
			w.site = copySiteTo(t, filepath.Join(dir, "site"))
			w.config = filepath.Join(w.site, "config.yaml")
			w.out = outputs{data: filepath.Join(dir, "data"), public: filepath.Join(dir, "public")}
			if w.scaffold, _, err = wco(t, "report", "new", "2026-Q3", "--config", w.config); err != nil {
				return fmt.Errorf("report new: %w", err)
			}
			_, _, w.again = wco(t, "report", "new", "2026-Q3", "--config", w.config)
			w.contentOut, _, w.content = wco(t, "content", "check", "--config", w.config)

			narrative := filepath.Join(w.site, "content", "narratives", "2026-q3.md")
			b, err := os.ReadFile(narrative)
			if err != nil {
				return err
			}
			for heading, text := range map[string]string{"in-brief": "Fewer requests came in this quarter.", "changes": "The open quarter is not compared with whole ones.", "notes": "No record came late."} {
				h := fmt.Sprintf("{#%s}\n", heading)
				b = []byte(strings.Replace(string(b), h, h+"\n"+text+"\n", 1))
			}
			if err := os.WriteFile(narrative, b, 0o644); err != nil {
				return err
			}
			if err := os.Remove(filepath.Join(w.site, "content", "explainers", "privacy.es.md")); err != nil {
				return err
			}
			history := filepath.Join(w.site, "content", "explainers", "history.md")
			if b, err = os.ReadFile(history); err != nil {
				return err
			}
			if err := os.WriteFile(history, append(b, []byte("\nA sentence added to the English text.\n")...), 0o644); err != nil {
				return err
			}
			if _, stderr, err := wco(t, "build", "--config", w.config, "--data", w.out.data, "--public", w.out.public, "--pdf=off"); err != nil {
				return fmt.Errorf("build: %w\n%s", err, stderr)
			}
			return nil
		}()
	})
	if writtenErr != nil {
		t.Fatalf("the site with written pages: %v", writtenErr)
	}
	return writtenSite
}

// TestReportNewScaffoldsANarrative: wco report new writes the quarter's
// narrative in every language, never overwrites one, and the report page
// shows it; a narrative is never a page of its own.
func TestReportNewScaffoldsANarrative(t *testing.T) {
	t.Parallel()
	w := writtenFixture(t)
	path := filepath.Join(w.site, "content", "narratives", "2026-q3.md")
	b, err := os.ReadFile(path)
	if err != nil || !strings.Contains(w.scaffold, "2026-q3.md") || !strings.Contains(string(b), "render: never") {
		t.Fatalf("scaffold: %v\n%s", err, b)
	}
	if w.again == nil {
		t.Error("an existing narrative was overwritten")
	}
	// Every language gets one, with the English scaffold's headings.
	es, err := os.ReadFile(filepath.Join(w.site, "content", "narratives", "2026-q3.es.md"))
	if err != nil || !strings.Contains(string(es), "translation:\n  source: ") || !strings.Contains(string(es), "{#in-brief}") {
		t.Fatalf("Spanish scaffold: %v\n%s", err, es)
	}
	// The content check names the English scaffold's empty sections, and
	// counts the translations, unwritten, as not translated.
	if w.content == nil || !strings.Contains(w.contentOut, "narratives/2026-q3.md") || !strings.Contains(w.contentOut, "empty-section") || strings.Contains(w.contentOut, "2026-q3.es.md") {
		t.Errorf("content check of the scaffolds: %v\n%s", w.content, w.contentOut)
	}
	page, _ := os.ReadFile(filepath.Join(w.out.public, "reports", "2026-q3", "index.html"))
	if !strings.Contains(string(page), "Fewer requests came in this quarter.") {
		t.Error("the report page does not show the narrative")
	}
	// The Spanish report shows the English narrative as English, with a
	// notice, not the Spanish scaffold's empty headings.
	esPage, _ := os.ReadFile(filepath.Join(w.out.public, "es", "reports", "2026-q3", "index.html"))
	if !strings.Contains(string(esPage), `<div class="prose" lang="en-US" dir="ltr">`) || !strings.Contains(string(esPage), "Fewer requests came in this quarter.") || !strings.Contains(string(esPage), "Esta parte del informe aún no se ha traducido") {
		t.Error("the Spanish report does not show the English narrative, marked, with the notice")
	}
	out, _, _ := wco(t, "content", "check", "--complete", "--config", w.config)
	if !strings.Contains(out, "narratives/2026-q3.md: not translated into es") {
		t.Errorf("content check counts an unwritten scaffold as a translation:\n%s", out)
	}
	if _, err := os.Stat(filepath.Join(w.out.public, "narratives")); err == nil {
		t.Error("narratives must not be pages of their own")
	}
}

// TestTranslationNotices: a page not translated yet is shown in English
// with a notice in the reader's language; a translation of an older English
// text says the English is newer; an unreviewed one says so.
func TestTranslationNotices(t *testing.T) {
	t.Parallel()
	w := writtenFixture(t)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	es := map[string]string{}
	b, err := os.ReadFile(filepath.Join(w.site, "i18n", "es.yaml"))
	must(err)
	must(yaml.Unmarshal(b, &es))
	read := func(p string) string {
		b, err := os.ReadFile(filepath.Join(w.out.public, p))
		must(err)
		return string(b)
	}
	missing := strings.ReplaceAll(es["translation_missing"], "{{ .Language }}", "Español")
	privacy := read("es/explainers/privacy/index.html")
	if !strings.Contains(privacy, missing) || !strings.Contains(privacy, `<div class="prose" lang="en-US" dir="ltr">`) {
		t.Errorf("an untranslated page lacks the Spanish notice %q or its English text is not marked lang=en-US", missing)
	}
	if !strings.Contains(read("es/explainers/history/index.html"), es["translation_stale"]) {
		t.Errorf("a translation of an older English text lacks the banner %q", es["translation_stale"])
	}
	if strings.Contains(read("es/explainers/ordinance/index.html"), es["translation_stale"]) {
		t.Error("a current translation shows the banner")
	}
	if !strings.Contains(read("es/explainers/ordinance/index.html"), es["translation_unreviewed"]) {
		t.Error("an unreviewed translation does not say so")
	}
	// Its date is the English text's, and says so: no "last reviewed"
	// beside "not reviewed".
	if ord := read("es/explainers/ordinance/index.html"); !strings.Contains(ord, es["explainer_english_reviewed"]) || strings.Contains(ord, "<dt>"+es["explainer_reviewed"]+"</dt>") {
		t.Errorf("an unreviewed translation gives the English review date as %q", es["explainer_reviewed"])
	}
	status := read("es/translations/index.html")
	if !strings.Contains(status, es["status_missing"]) || !strings.Contains(status, es["status_stale"]) {
		t.Error("the translation status page does not list the missing and the stale page")
	}
	// The content check sees the same.
	out, _, err := wco(t, "content", "check", "--complete", "--config", w.config)
	if err == nil || !strings.Contains(out, "explainers/privacy.md: not translated into es") || !strings.Contains(out, "history.md (es): the English text is newer") {
		t.Errorf("content check: %v\n%s", err, out)
	}
}

// TestABuildRefusesAnEmptySection: a narrative scaffolded and not written
// stops the build, naming its file and the empty section, and nothing is
// published.
func TestABuildRefusesAnEmptySection(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	site := copySiteTo(t, filepath.Join(dir, "site"))
	config := filepath.Join(site, "config.yaml")
	if _, _, err := wco(t, "report", "new", "2026-Q3", "--config", config); err != nil {
		t.Fatal(err)
	}
	out := outputs{data: filepath.Join(dir, "data"), public: filepath.Join(dir, "public")}
	_, stderr, err := wco(t, "build", "--config", config, "--data", out.data, "--public", out.public, "--pdf=off")
	if err == nil {
		t.Fatalf("a build with an unwritten narrative passed:\n%s", stderr)
	}
	if said := err.Error() + stderr; !strings.Contains(said, "narratives/2026-q3.md") || !strings.Contains(said, `"In brief {#in-brief}" is empty`) {
		t.Fatalf("a build with an unwritten narrative: %s", said)
	}
	if _, err := os.Stat(filepath.Join(out.public, "index.html")); err == nil {
		t.Error("a site was published")
	}
}
