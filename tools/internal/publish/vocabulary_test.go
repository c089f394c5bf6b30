package publish

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// The vocabulary names every status and reason the package writes, and
// each reason's mark and note are an interface string and a note the
// templates have.
func TestTheVocabularyNamesEveryValue(t *testing.T) {
	t.Parallel()
	v := TheVocabulary()
	root := filepath.Join("..", "..", "..")
	en, err := os.ReadFile(filepath.Join(root, "i18n", "en.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	notes, err := os.ReadFile(filepath.Join(root, "layouts", "_partials", "report", "suppression-note.html"))
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range v.Reasons {
		got = append(got, r.Reason)
		if !regexp.MustCompile(`(?m)^` + regexp.QuoteMeta(r.Mark) + `:`).Match(en) {
			t.Errorf("reason %s: its mark %s is not in i18n/en.yaml", r.Reason, r.Mark)
		}
		if !strings.Contains(string(notes), `id="`+r.Note+`"`) {
			t.Errorf("reason %s: no note %s in suppression-note.html", r.Reason, r.Note)
		}
	}
	if !slices.Equal(got, Reasons) {
		t.Errorf("the vocabulary's reasons %v, the package's %v", got, Reasons)
	}
	for _, s := range slices.Concat(v.CountStatuses, v.FigureStatuses, v.HiddenStatuses) {
		if !slices.Contains(Statuses, s) {
			t.Errorf("status %s is not one of %v", s, Statuses)
		}
	}
	_, measures := Catalog()
	for _, m := range measures {
		if !slices.Contains(v.Units, m.Unit) {
			t.Errorf("measure %s: unit %s is not in the vocabulary", m.ID, m.Unit)
		}
	}
}
