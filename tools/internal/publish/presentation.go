package publish

import (
	"errors"
	"fmt"
	"slices"
)

// PresentationFile is the data file that says what the pages put first:
// the headline figures of each export and the breakdown drawn as a chart.
const PresentationFile = "presentation.json"

// Headline is one figure on an export's card, on the home page and on every
// report: the export's total, or one value of a breakdown.
type Headline struct {
	Label     string `json:"label"`     // the interface string that names it (i18n)
	Dimension string `json:"dimension"` // "" for the total
	Value     string `json:"value"`
	// Flag marks a figure that may show a violation of the ordinance when
	// it is not zero: the card flags it.
	Flag bool `json:"flag,omitempty"`
	// Periods are the kinds of period the figure is published for
	// (quarter, year), from the publication policy: a page of a period of
	// one of these kinds that lacks the figure stops the build.
	Periods []string `json:"periods"`
}

// ExportPresentation is what the pages put first of one export.
type ExportPresentation struct {
	Export    string     `json:"export"`
	Chart     string     `json:"chart,omitempty"` // the breakdown drawn as bars, when published
	Headlines []Headline `json:"headlines"`
}

// Presentation is presentation.json.
type Presentation struct {
	Meta    Meta                 `json:"meta"`
	Exports []ExportPresentation `json:"exports"`
	// Vocabulary is every value the templates may meet, and how they
	// show it.
	Vocabulary Vocabulary `json:"vocabulary"`
}

// headlines are the figures each export's card shows, in order: what the
// ordinance and the state laws ask about first. Help given without a
// criminal warrant, a possible violation of the ordinance, is flagged.
var headlines = []ExportPresentation{
	{Export: "detainer_log", Chart: "disposition", Headlines: []Headline{
		{Label: "headline_detainers"},
		{Label: "headline_transferred_federal", Dimension: "disposition", Value: "TRANSFERRED_FEDERAL"},
	}},
	{Export: "assistance_requests", Chart: "response", Headlines: []Headline{
		{Label: "headline_requests"},
		{Label: "headline_declined", Dimension: "response", Value: "DECLINED"},
		{Label: "headline_referred", Dimension: "response", Value: "REFERRED_SUPERVISOR"},
		{Label: "headline_provided_warrant", Dimension: "response", Value: "PROVIDED_CRIMINAL_WARRANT"},
		{Label: "headline_provided", Dimension: "response", Value: "PROVIDED", Flag: true},
	}},
	{Export: "federal_incidents", Chart: "force_type", Headlines: []Headline{
		{Label: "headline_incidents"},
		{Label: "headline_force", Dimension: "use_of_force", Value: "Y"},
		{Label: "headline_injuries", Dimension: "injuries", Value: "Y"},
		{Label: "headline_ems", Dimension: "ems_requested", Value: "Y"},
		{Label: "headline_supervisor_identified", Dimension: "supervisor_identified", Value: "Y"},
		{Label: "headline_supervisor_refused", Dimension: "supervisor_identified", Value: "REFUSED"},
		{Label: "headline_referred_sao", Dimension: "referred_to_sao", Value: "Y"},
		{Label: "headline_sao_charged", Dimension: "sao_status", Value: "CHARGED"},
	}},
	{Export: "visa_certifications", Chart: "decision", Headlines: []Headline{
		{Label: "headline_visa_requests"},
		{Label: "headline_certified", Dimension: "decision", Value: "CERTIFIED"},
		{Label: "headline_denied", Dimension: "decision", Value: "DENIED"},
	}},
}

// MakePresentation checks the headlines and charts against the catalog and
// keeps those the policy publishes, each with the kinds of period it is
// published for. A headline or chart naming a dimension or a value the
// catalog does not have is an error: nothing is published.
func MakePresentation(meta Meta, policy Policy, threshold int) (Presentation, error) {
	return makePresentation(headlines, meta, policy, threshold)
}

func makePresentation(list []ExportPresentation, meta Meta, policy Policy, threshold int) (Presentation, error) {
	out := Presentation{Meta: meta, Exports: []ExportPresentation{}, Vocabulary: TheVocabulary()}
	var errs []error
	for _, ep := range list {
		// An export the policy does not name publishes no breakdown: its
		// entry keeps the total alone (not reported, when not delivered).
		pol := policy[ep.Export]
		keep := ExportPresentation{Export: ep.Export, Headlines: []Headline{}}
		if ep.Chart != "" {
			if _, ok := LookupDimension(ep.Export, ep.Chart); !ok {
				errs = append(errs, fmt.Errorf("presentation: %s: the chart's breakdown %q is not in the catalog", ep.Export, ep.Chart))
			} else if slices.Contains(pol.Dimensions, ep.Chart) {
				keep.Chart = ep.Chart
			}
		}
		for _, h := range ep.Headlines {
			if h.Dimension == "" {
				h.Periods = []string{KindQuarter, KindYear}
				keep.Headlines = append(keep.Headlines, h)
				continue
			}
			d, ok := LookupDimension(ep.Export, h.Dimension)
			switch {
			case !ok:
				errs = append(errs, fmt.Errorf("presentation: %s: headline %s: no breakdown %q in the catalog", ep.Export, h.Label, h.Dimension))
				continue
			case !slices.Contains(d.Values, h.Value):
				errs = append(errs, fmt.Errorf("presentation: %s: headline %s: %s has no value %q", ep.Export, h.Label, h.Dimension, h.Value))
				continue
			case pol.Breakdowns[h.Dimension].Grouping != "":
				errs = append(errs, fmt.Errorf("presentation: %s: headline %s: %s is published grouped, so %q is not one of its values", ep.Export, h.Label, h.Dimension, h.Value))
				continue
			case !slices.Contains(pol.Dimensions, h.Dimension):
				continue // the policy does not publish it
			}
			h.Periods = pol.kinds(h.Dimension, threshold)
			keep.Headlines = append(keep.Headlines, h)
		}
		out.Exports = append(out.Exports, keep)
	}
	return out, errors.Join(errs...)
}

// WritePresentation writes presentation.json.
func WritePresentation(path string, p Presentation) error { return writeJSON(path, p) }
