package check

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/chicago-welcoming-city/transparency/tools/internal/contract"
	"github.com/chicago-welcoming-city/transparency/tools/internal/delivery"
	"github.com/chicago-welcoming-city/transparency/tools/internal/period"
	"github.com/chicago-welcoming-city/transparency/tools/internal/records"
)

// want is where a fail fixture's defect must be reported.
type want struct {
	line   int
	column string
	kind   Kind
}

// failFixtures: testdata/<export>/fail/<defect>.csv, each a valid file but
// for the defect its name gives.
var failFixtures = map[string]want{
	"detainer_log/missing-column":                       {1, "received_at", MissingColumn},
	"detainer_log/duplicate-column":                     {1, "disposition", DuplicateColumn},
	"detainer_log/impossible-date":                      {2, "received_at", BadValue},
	"detainer_log/pm-with-24-hour-clock":                {3, "received_at", BadValue},
	"detainer_log/missing-request-type":                 {2, "request_type", MissingValue},
	"detainer_log/unknown-request-type":                 {3, "request_type", UnknownCode},
	"detainer_log/unknown-issuing-agency":               {4, "issuing_agency", UnknownCode},
	"detainer_log/beat-too-short":                       {2, "arrest_beat", BadValue},
	"detainer_log/beat-in-no-district":                  {3, "arrest_beat", BadDistrict},
	"detainer_log/released-without-disposition-time":    {2, "disposition_at", RequiredWhen},
	"detainer_log/transferred-without-receiving-agency": {3, "receiving_agency", RequiredWhen},
	"detainer_log/disposition-before-receipt":           {2, "disposition_at", NotBefore},
	"detainer_log/duplicate-log-id":                     {4, "log_id", DuplicateID},
	"detainer_log/received-after-export":                {4, "received_at", FutureDatetime},
	"detainer_log/received-before-2012":                 {4, "received_at", TooEarly},
	"detainer_log/unknown-receiving-agency":             {3, "receiving_agency", UnknownCode},
	"detainer_log/unknown-charge-class":                 {2, "charge_class", UnknownCode},
	"detainer_log/bad-bail-datetime":                    {3, "bail_posted_at", BadValue},
	"detainer_log/empty-file":                           {0, "", EmptyFile},
	"detainer_log/no-header-row":                        {1, "", BadHeader},
	"visa_certifications/semicolon-separated":           {1, "", BadHeader},
	"detainer_log/missing-fields":                       {3, "", MalformedRow},
	"detainer_log/bare-quote":                           {2, "", MalformedRow},
	"detainer_log/unterminated-quote":                   {5, "", MalformedRow},
	"assistance_requests/unknown-response":              {2, "response", UnknownCode},
	"assistance_requests/missing-requesting-agency":     {3, "requesting_agency", MissingValue},
	"assistance_requests/bad-response-time":             {3, "responded_at", BadValue},
	"assistance_requests/response-before-request":       {2, "responded_at", NotBefore},
	"assistance_requests/beat-not-a-number":             {2, "beat", BadValue},
	"assistance_requests/unknown-channel":               {4, "channel", UnknownCode},
	"assistance_requests/unknown-assistance-type":       {4, "assistance_type", UnknownCode},
	"federal_incidents/reported-before-occurred":        {2, "reported_at", NotBefore},
	"federal_incidents/more-citizens-than-detained":     {4, "us_citizens_detained", AtMost},
	"federal_incidents/force-types-without-force":       {3, "force_types", EmptyWhen},
	"federal_incidents/referral-without-date":           {2, "referral_date", RequiredWhen},
	"federal_incidents/sao-status-without-referral":     {3, "sao_status", EmptyWhen},
	"federal_incidents/bad-use-of-force-flag":           {2, "use_of_force", BadValue},
	"federal_incidents/missing-use-of-force":            {4, "use_of_force", MissingValue},
	"federal_incidents/negative-agents-count":           {4, "agents_count", BadValue},
	"federal_incidents/fractional-injured-count":        {2, "persons_injured", BadValue},
	"federal_incidents/unknown-force-type":              {2, "force_types", UnknownCode},
	"federal_incidents/violation-not-a-citation":        {2, "alleged_violations", BadValue},
	"federal_incidents/bad-referral-date":               {2, "referral_date", BadValue},
	"federal_incidents/unknown-supervisor-code":         {3, "supervisor_identified", UnknownCode},
	"federal_incidents/unknown-federal-agency":          {4, "federal_agency", UnknownCode},
	"visa_certifications/unknown-visa-type":             {2, "visa_type", UnknownCode},
	"visa_certifications/decided-without-date":          {3, "decided_at", RequiredWhen},
	"visa_certifications/decided-before-received":       {2, "decided_at", NotBefore},
	"visa_certifications/slashes-in-iso-date":           {2, "decided_at", BadValue},
	"visa_certifications/unknown-decision":              {4, "decision", UnknownCode},
	"visa_certifications/two-digit-year":                {4, "received_at", BadValue},
}

// checkFixture checks one fixture file as its export's file in a delivery.
func checkFixture(t *testing.T, path string) *Report {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	exportName := filepath.Base(filepath.Dir(filepath.Dir(path)))
	e, err := contract.Lookup(exportName)
	if err != nil {
		t.Fatal(err)
	}
	d := &delivery.Delivery{FS: fstest.MapFS{e.File(): {Data: b}}, Origin: path}
	opt := Options{Now: time.Date(2026, 11, 20, 0, 0, 0, 0, period.Chicago), MaxProblems: 100}
	fr := File(d, e, opt, func(contract.Export, records.Record) {})
	return &Report{Origin: path, Files: []*FileReport{fr}}
}

func fixtures(t *testing.T, kind string) map[string]string {
	t.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", "*", kind, "*.csv"))
	if err != nil || len(paths) == 0 {
		t.Fatalf("no %s fixtures: %v", kind, err)
	}
	out := map[string]string{}
	for _, p := range paths {
		out[filepath.Base(filepath.Dir(filepath.Dir(p)))+"/"+strings.TrimSuffix(filepath.Base(p), ".csv")] = p
	}
	return out
}

func TestFailFixtures(t *testing.T) {
	t.Parallel()
	files := fixtures(t, "fail")
	kinds := map[Kind]bool{}
	for name := range failFixtures {
		if _, ok := files[name]; !ok {
			t.Errorf("expectation for %s has no fixture file", name)
		}
	}
	for name, path := range files {
		w, ok := failFixtures[name]
		if !ok {
			t.Errorf("fixture %s has no expectation", path)
			continue
		}
		kinds[w.kind] = true
		t.Run(name, func(t *testing.T) {
			rep := checkFixture(t, path)
			if !rep.Failed() {
				t.Fatal("the defect was not rejected")
			}
			fr := rep.Files[0]
			found := false
			for _, p := range fr.Problems {
				if p.File == fr.File && p.Line == w.line && p.Column == w.column && p.Kind == w.kind {
					found = true
				}
				if strings.Contains(p.Error(), "WCOCANARY") {
					t.Errorf("a personal-data value reached a message: %s", p.Error())
				}
			}
			if !found {
				t.Errorf("want %s at %s:%d column %q; got:\n%s", w.kind, fr.File, w.line, w.column, problemList(fr.Problems))
			}
		})
	}
	if len(failFixtures) < 30 {
		t.Errorf("%d defect fixtures; keep at least 30", len(failFixtures))
	}
	t.Logf("%d defect fixtures covering %d kinds of problem", len(failFixtures), len(kinds))
}

func TestPassFixtures(t *testing.T) {
	t.Parallel()
	for name, path := range fixtures(t, "pass") {
		t.Run(name, func(t *testing.T) {
			rep := checkFixture(t, path)
			fr := rep.Files[0]
			if rep.Failed() || fr.RowsValid != fr.RowsRead {
				t.Fatalf("rejected (%d of %d rows valid):\n%s", fr.RowsValid, fr.RowsRead, problemList(fr.Problems))
			}
			for _, p := range fr.Problems {
				if !p.Warning() || !strings.HasSuffix(name, "extra-unknown-column") {
					t.Errorf("unexpected report: %s", p.Error())
				}
			}
			if strings.HasSuffix(name, "windows-1252") && fr.Encoding != records.Windows1252 {
				t.Errorf("encoding detected as %s", fr.Encoding)
			}
		})
	}
}

func problemList(ps []Problem) string {
	var b strings.Builder
	for _, p := range ps {
		b.WriteString("  " + p.Error() + "\n")
	}
	return b.String()
}
