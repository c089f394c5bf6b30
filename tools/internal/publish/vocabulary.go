package publish

// Vocabulary is the contract between the data files and the templates,
// written once, here, into presentation.json: every status a number may
// have, every reason it may not be shown and how a page marks it, and the
// units of the measures. A template meets no value it was not told of: it
// stops the build on any other.
type Vocabulary struct {
	// Statuses are every status of a number in the downloads.
	Statuses []string `json:"statuses"`
	// CountStatuses are the statuses of a count in a data file's tables;
	// FigureStatuses those of a measure.
	CountStatuses  []string `json:"count_statuses"`
	FigureStatuses []string `json:"figure_statuses"`
	// HiddenStatuses are the statuses of a number not shown, which
	// carries a reason.
	HiddenStatuses []string `json:"hidden_statuses"`
	// WithheldReasons are why a breakdown is withheld whole.
	WithheldReasons []string `json:"withheld_reasons"`
	// Reasons are why a number is not shown, each with how a page marks
	// it: the interface string of its mark and the note it links to.
	Reasons []ReasonMark `json:"reasons"`
	// Units are the units of the measures.
	Units []string `json:"units"`
}

// ReasonMark is how a page marks a number not shown for one reason.
type ReasonMark struct {
	Reason string `json:"reason"`
	// Mark is the interface string (i18n key) in place of the number.
	Mark string `json:"mark"`
	// Note is the id of the note on the page that says why.
	Note string `json:"note"`
}

// Units of a measure.
const (
	UnitPercent = "percent"
	UnitDays    = "days"
)

// TheVocabulary is the vocabulary of this version of the toolkit.
func TheVocabulary() Vocabulary {
	withheld := ReasonMark{Mark: "report_suppressed", Note: "note-withheld"}
	marks := map[string]ReasonMark{
		ReasonPrivacy:       {Mark: "report_suppressed", Note: "note-suppressed"},
		WithheldSmallGroup:  withheld,
		WithheldRevision:    withheld,
		WithheldLinked:      withheld,
		WithheldProvisional: {Mark: "report_hidden_provisional", Note: "note-provisional"},
		WithheldUnreleased:  {Mark: "report_hidden_unreleased", Note: "note-unreleased"},
		ReasonNotCounted:    {Mark: "report_hidden_provisional", Note: "note-provisional"},
		ReasonYearsOnly:     {Mark: "report_suppressed", Note: "note-suppressed"},
		ReasonNotReported:   {Mark: "report_not_reported", Note: "note-suppressed"},
	}
	v := Vocabulary{
		Statuses:        Statuses,
		CountStatuses:   []string{Published, Suppressed, Withheld, NotApplicable},
		FigureStatuses:  []string{Published, Suppressed, NotApplicable},
		HiddenStatuses:  HiddenStatuses,
		WithheldReasons: WithheldReasons,
		Units:           []string{UnitPercent, UnitDays},
	}
	for _, r := range Reasons {
		m, ok := marks[r]
		if !ok {
			panic("publish: no mark for the reason " + r) // caught by the tests
		}
		m.Reason = r
		v.Reasons = append(v.Reasons, m)
	}
	return v
}
