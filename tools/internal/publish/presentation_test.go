package publish

import (
	"slices"
	"strings"
	"testing"
)

// TestPresentationOfThePolicy: every headline and chart names a breakdown
// and a value of the catalog, and carries the kinds of period the policy
// publishes it in.
func TestPresentationOfThePolicy(t *testing.T) {
	t.Parallel()
	p, err := MakePresentation(Meta{}, fullPolicy(), 11)
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Exports) != 4 {
		t.Fatalf("%d exports", len(p.Exports))
	}
	for _, e := range p.Exports {
		if e.Chart == "" || len(e.Headlines) < 2 || e.Headlines[0].Dimension != "" {
			t.Errorf("%s: chart %q, headlines %+v", e.Export, e.Chart, e.Headlines)
		}
		for _, h := range e.Headlines {
			if len(h.Periods) == 0 {
				t.Errorf("%s %s: no periods", e.Export, h.Label)
			}
		}
	}
	// A breakdown published by year only is a headline of years only.
	pol := fullPolicy()
	fi := pol["federal_incidents"]
	fi.Breakdowns = map[string]BreakdownPolicy{"sao_status": {Period: KindYear}}
	pol["federal_incidents"] = fi
	p, _ = MakePresentation(Meta{}, pol, 11)
	for _, e := range p.Exports {
		for _, h := range e.Headlines {
			if h.Dimension == "sao_status" && !slices.Equal(h.Periods, []string{KindYear}) {
				t.Errorf("sao_status by year: periods %v", h.Periods)
			}
			if h.Dimension == "use_of_force" && !slices.Equal(h.Periods, []string{KindQuarter, KindYear}) {
				t.Errorf("use_of_force: periods %v", h.Periods)
			}
		}
	}
}

// TestPresentationRefusesWhatTheCatalogLacks: a headline naming a
// breakdown or a value the catalog does not have, or a chart of an unknown
// breakdown, is an error, not a figure quietly left out.
func TestPresentationRefusesWhatTheCatalogLacks(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name string
		ep   ExportPresentation
		want string
	}{
		{"unknown breakdown", ExportPresentation{Export: "detainer_log", Headlines: []Headline{{Label: "x", Dimension: "shoe_size", Value: "9"}}}, `no breakdown "shoe_size"`},
		{"unknown value", ExportPresentation{Export: "detainer_log", Headlines: []Headline{{Label: "x", Dimension: "disposition", Value: "DEPORTED"}}}, `no value "DEPORTED"`},
		{"unknown chart", ExportPresentation{Export: "detainer_log", Chart: "mood"}, `chart's breakdown "mood"`},
	} {
		_, err := makePresentation([]ExportPresentation{tt.ep}, Meta{}, fullPolicy(), 11)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: %v, want %q", tt.name, err, tt.want)
		}
	}
}
