package publish

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/chicago-welcoming-city/transparency/tools/internal/check"
	"github.com/chicago-welcoming-city/transparency/tools/internal/delivery"
	"github.com/chicago-welcoming-city/transparency/tools/internal/disclosure"
	"github.com/chicago-welcoming-city/transparency/tools/internal/filing"
	"github.com/chicago-welcoming-city/transparency/tools/internal/period"
)

// requestsDelivery is a delivery whose assistance_requests hold, in each
// quarter of 2025, the given numbers of requests per requesting agency,
// all declined, and one more in 2026-Q2, which ends the year; the other
// exports are empty.
func requestsDelivery(perQuarter map[string]int) *delivery.Delivery {
	fsys := fstest.MapFS{
		"detainer_log.csv":        {Data: []byte("log_id,received_at,request_type,issuing_agency,arrest_beat,charge_class,bail_posted_at,disposition,disposition_at,receiving_agency\n")},
		"federal_incidents.csv":   {Data: []byte("incident_id,occurred_at,reported_at,beat,federal_agency,agents_count,agents_masked,supervisor_identified,use_of_force,force_types,persons_injured,ems_requested,persons_detained,us_citizens_detained,alleged_violations,referred_to_sao,referral_date,sao_status,bwc_preserved\n")},
		"visa_certifications.csv": {Data: []byte("request_id,received_at,visa_type,requester_type,qualifying_crime,decision,decided_at\n")},
	}
	var b strings.Builder
	b.WriteString("request_id,received_at,channel,requesting_agency,assistance_type,beat,response,responded_at\n")
	id := 0
	for q := 1; q <= 4; q++ {
		start := period.Quarter{Year: 2025, Q: q}.Start()
		for _, agency := range []string{"ICE", "CBP", "HSI", "OTHER_FEDERAL"} {
			for i := range perQuarter[agency] {
				id++
				day := start.AddDate(0, 0, 3+i)
				fmt.Fprintf(&b, "AR-%d,%s,PHONE,%s,INFORMATION,,DECLINED,%s\n", id, day.Format("2006-01-02 15:04"), agency, day.Add(time.Hour).Format("2006-01-02 15:04"))
			}
		}
	}
	b.WriteString("AR-LAST,2026-05-01 10:00,PHONE,ICE,INFORMATION,,DECLINED,\n")
	fsys["assistance_requests.csv"] = &fstest.MapFile{Data: []byte(b.String())}
	return &delivery.Delivery{FS: fsys, Origin: "test"}
}

// requestsPolicy publishes assistance requests as config.yaml does: the
// total and the response exactly, the requesting agency protected by
// quarter.
func requestsPolicy() Policy {
	return Policy{"assistance_requests": {
		Statutory: []Statutory{
			{Figure: TotalFigure, Clause: "MCC 2-173-069(a); 5 ILCS 805/25(a)(1)"},
			{Figure: "response", Clause: "5 ILCS 805/25(a)(1)"},
		},
		Dimensions: []string{"requesting_agency", "response"},
		Breakdowns: map[string]BreakdownPolicy{"requesting_agency": {Period: "quarter"}},
	}}
}

func releasing2025() []string {
	return []string{"2025-Q1", "2025-Q2", "2025-Q3", "2025-Q4", "2025"}
}

// annualFiling prepares the 2025 report to the Attorney General from d.
func annualFiling(t *testing.T, d *delivery.Delivery) *filing.Filing {
	t.Helper()
	c, err := filing.NewCollector(filing.For(period.Year(2025)), period.Year(2025), 45)
	if err != nil {
		t.Fatal(err)
	}
	rep := check.Delivery(d, check.Options{Now: time.Date(2026, 11, 1, 0, 0, 0, 0, period.Chicago)}, c.Visit)
	if err := rep.Err(); err != nil {
		t.Fatal(err)
	}
	f, err := c.Filing(time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// The attacker: the Attorney General's list names each request of the
// Department of Homeland Security, dated. Counted per quarter, it gives
// ICE + CBP + HSI exactly, and the exact total then gives the three
// requests of other federal agencies in 2025-Q1, which the tables
// suppress. A publisher that did not read the filing is caught.
func TestAPublishedFilingBreaksProtectionThatIgnoresIt(t *testing.T) {
	t.Parallel()
	d := requestsDelivery(map[string]int{"ICE": 20, "CBP": 15, "HSI": 12, "OTHER_FEDERAL": 3})
	opt := Options{Threshold: 11, Key: testKey, Policy: requestsPolicy(), Releasing: releasing2025(), Check: check.Options{Now: time.Date(2026, 11, 1, 0, 0, 0, 0, period.Chicago)}}
	pub, rep, err := Run(d, opt)
	if err != nil {
		t.Fatalf("%v (%v)", err, rep)
	}
	q1 := exportPeriod(pub, "assistance_requests", "2025-Q1")
	if c := cellOf(q1, "requesting_agency", "OTHER_FEDERAL"); c.Status != Suppressed {
		t.Fatalf("the case needs OTHER_FEDERAL suppressed in 2025-Q1, it is %s", c.Status)
	}
	f := annualFiling(t, d)
	without, err := Audit(pub.Exports, nil, 11)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range without {
		if len(r.Findings) > 0 {
			t.Fatalf("without the filing the tables must hold: %v", r.Findings)
		}
	}
	with, err := Audit(pub.Exports, []*filing.Filing{f}, 11)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range with {
		for _, fd := range r.Findings {
			found = found || strings.Contains(fd.Key, "2025-Q1 requesting_agency=OTHER_FEDERAL")
		}
	}
	if !found {
		t.Fatalf("the attacker should recover OTHER_FEDERAL of 2025-Q1 from the filing: %+v", with)
	}
}

// The defence: with the policy publishing the filing, the protection
// takes its counts as known. Here HSI's 4 requests a quarter are hidden;
// a publisher that ignored the list would hide the 12 of other agencies
// beside them, which the list and the total give away, and HSI with them.
// Reading the list, it hides ICE or CBP instead, and the release freezes
// the list with the year.
func TestProtectionReadsThePublishedFilings(t *testing.T) {
	t.Parallel()
	d := requestsDelivery(map[string]int{"ICE": 20, "CBP": 15, "HSI": 4, "OTHER_FEDERAL": 12})
	unaware := Options{Threshold: 11, Key: testKey, Policy: requestsPolicy(), Releasing: releasing2025(), Check: check.Options{Now: time.Date(2026, 11, 1, 0, 0, 0, 0, period.Chicago)}}
	naive, rep, err := Run(d, unaware)
	if err != nil {
		t.Fatalf("%v (%v)", err, rep)
	}
	leaks, err := Audit(naive.Exports, []*filing.Filing{annualFiling(t, d)}, 11)
	if err != nil {
		t.Fatal(err)
	}
	leaked := false
	for _, r := range leaks {
		for _, fd := range r.Findings {
			leaked = leaked || strings.Contains(fd.Key, "requesting_agency=HSI")
		}
	}
	if !leaked {
		t.Fatal("the case needs a publisher that ignores the list to leak HSI")
	}

	opt := unaware
	opt.Filings = FilingsPolicy{filing.Annual: {Publish: true}}
	pub, rep, err := Run(d, opt)
	if err != nil {
		t.Fatalf("%v (%v)", err, rep)
	}
	f := pub.filings["2025"]
	if f == nil || len(f.Sections[0].Rows) != 4*39 {
		t.Fatalf("the 2025 filing should list 156 DHS requests: %v", f != nil)
	}
	wantNothingFound(t)(Audit(pub.Exports, []*filing.Filing{f}, 11))
	q1 := exportPeriod(pub, "assistance_requests", "2025-Q1")
	if c := cellOf(q1, "requesting_agency", "HSI"); c.Status != Suppressed {
		t.Errorf("HSI's 4 requests of 2025-Q1 are %s", c.Status)
	}
	if sys := pub.Systems["assistance_requests"]; sys != nil {
		for _, s := range []string{"2025-Q1", "2025"} {
			if _, ok := sys.Lookup("assistance_requests " + s + " filing ilcs-805-25/dhs-requests rows"); !ok {
				t.Errorf("the protection of %s does not hold the filing's count", s)
			}
		}
	}
	r, err := pub.Release("2025", nil, "", opt)
	if err != nil {
		t.Fatal(err)
	}
	if len(r.Current().Filings) != 1 || r.Current().Filings[0].ID != filing.Annual {
		t.Fatalf("the release should freeze the annual filing: %+v", r.Current().Filings)
	}
	// A quarter's release freezes the quarterly filing only when the policy
	// publishes it, which here it does not.
	q, err := pub.Release("2025-Q1", nil, "", opt)
	if err != nil {
		t.Fatal(err)
	}
	if len(q.Current().Filings) != 0 {
		t.Errorf("2025-Q1 froze a filing the policy does not publish")
	}
}

// When a published list pins down a small count (3 requests a quarter of
// other agencies: the total less the list), no suppression can hide it,
// and nothing is published: the error names the setting.
func TestAFilingThatDisclosesStopsThePublication(t *testing.T) {
	t.Parallel()
	d := requestsDelivery(map[string]int{"ICE": 20, "CBP": 15, "HSI": 12, "OTHER_FEDERAL": 3})
	opt := Options{Threshold: 11, Key: testKey, Policy: requestsPolicy(), Releasing: releasing2025(),
		Filings: FilingsPolicy{filing.Annual: {Publish: true}},
		Check:   check.Options{Now: time.Date(2026, 11, 1, 0, 0, 0, 0, period.Chicago)}}
	pub, _, err := Run(d, opt)
	if err == nil || pub != nil {
		t.Fatal("a filing that discloses a small count was published")
	}
	for _, want := range []string{"requesting_agency=OTHER_FEDERAL is exactly determined (= 3)", "params.filings: ilcs-805-25"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("the error does not say %q: %v", want, err)
		}
	}
}

// Every relation a published filing adds holds with the true counts, and
// the exact attack agrees with the fast one on the sample-like case.
func TestFilingRelationsHoldAndAttackExactly(t *testing.T) {
	t.Parallel()
	d := requestsDelivery(map[string]int{"ICE": 30, "CBP": 4, "HSI": 12})
	opt := Options{Threshold: 11, Key: testKey, Policy: requestsPolicy(), Releasing: releasing2025(),
		Filings: FilingsPolicy{filing.Annual: {Publish: true}, filing.Quarterly: {Publish: true}},
		Check:   check.Options{Now: time.Date(2026, 11, 1, 0, 0, 0, 0, period.Chicago)}}
	pub, rep, err := Run(d, opt)
	if err != nil {
		t.Fatalf("%v (%v)", err, rep)
	}
	if len(pub.filings) != 5 || pub.filings["2025-Q1"].ID != filing.Quarterly {
		t.Fatalf("four quarterly filings and one annual: %d", len(pub.filings))
	}
	sys := pub.Systems["assistance_requests"]
	if err := sys.Validate(); err != nil {
		t.Fatal(err)
	}
	findings, err := sys.AuditExact(11)
	if err != nil || len(findings) > 0 {
		t.Errorf("%v %v", findings, err)
	}
	var exact []disclosure.Cell
	for _, c := range sys.Cells {
		if strings.Contains(c.Key, " filing ") {
			exact = append(exact, c)
			if !c.Exact || c.Suppressed {
				t.Errorf("%s: a filing's count is published, exactly", c.Key)
			}
		}
	}
	if len(exact) == 0 {
		t.Fatal("no filing cell in the system")
	}
}

// wantNothingFound fails the test when an audit fails, or reports a
// suppressed count narrowed (a finding) or a change between versions that
// tells of fewer records than the threshold.
func wantNothingFound(t *testing.T) func([]AuditReport, error) {
	return func(reports []AuditReport, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range reports {
			if len(r.Changes)+len(r.Findings) > 0 {
				t.Errorf("%s: %v %v", r.Export, r.Changes, r.Findings)
			}
		}
	}
}

func exportPeriod(pub *Publication, export, key string) Period {
	for _, e := range pub.Exports {
		if e.Export == export {
			for _, p := range e.Periods {
				if p.Period == key {
					return p
				}
			}
		}
	}
	return Period{}
}

func cellOf(p Period, dim, value string) Count {
	for _, b := range p.Breakdowns {
		if b.Dimension == dim {
			for _, c := range b.Cells {
				if c.Value == value {
					return c.Count
				}
			}
		}
	}
	return Count{}
}

// detainers is a delivery of 2026-Q1 detainers: n released, issued by ICE,
// and t administrative warrants of CBP transferred to ICE; late adds rows,
// and a record of the next quarter ends 2026-Q1.
func detainers(n, t int, late string) *delivery.Delivery {
	d := tiny(nil)
	fsys := d.FS.(fstest.MapFS)
	var b strings.Builder
	b.Write(fsys["detainer_log.csv"].Data)
	for i := range n + t {
		day := time.Date(2026, 1, 5+i%50, 10, 0, 0, 0, period.Chicago).Format("2006-01-02 15:04")
		if i < n {
			fmt.Fprintf(&b, "D%d,%s,DETAINER,ICE,,FELONY,,RELEASED,%s,\n", i, day, day)
		} else {
			fmt.Fprintf(&b, "D%d,%s,ADMIN_WARRANT,CBP,,FELONY,,TRANSFERRED_FEDERAL,%s,ICE\n", i, day, day)
		}
	}
	b.WriteString(late)
	b.WriteString("N1,2026-05-20 10:00,DETAINER,ICE,,FELONY,,RELEASED,2026-05-21 10:00,\n")
	fsys["detainer_log.csv"] = &fstest.MapFile{Data: []byte(b.String())}
	return d
}

// detainerPolicy publishes detainers as config.yaml does: what the
// ordinance names exactly, the issuing agency protected by quarter.
func detainerPolicy() Policy {
	return Policy{"detainer_log": {
		Statutory: []Statutory{
			{Figure: TotalFigure, Clause: "MCC 2-173-069(b)"},
			{Figure: "request_type", Clause: "MCC 2-173-069(b)"},
			{Figure: "disposition", Clause: "MCC 2-173-069(b)"},
			{Figure: "receiving_agency", Clause: "MCC 2-173-069(b)"},
		},
		Dimensions: []string{"request_type", "issuing_agency", "disposition", "receiving_agency"},
		Breakdowns: map[string]BreakdownPolicy{"issuing_agency": {Period: "quarter"}},
	}}
}

// TestARevisionOfAPublishedFilingShowsOnlyWhatItsClauseNames is the attack
// on a revised quarter whose filing the site publishes: the late record's
// row is in the revised filing, as the ordinance requires (its date, that
// it was transferred, to CBP), and a reader who compares the versions'
// tables would learn more of it: that the Marshals Service issued it. The revision
// withholds the issuing agency, which moved by one record; the filing of
// version 1 stays as it was; the audit of the history finds nothing, and
// catches the planted revision that publishes the issuing agency.
func TestARevisionOfAPublishedFilingShowsOnlyWhatItsClauseNames(t *testing.T) {
	t.Parallel()
	policy := detainerPolicy()
	opt := Options{Threshold: 11, Key: testKey, Policy: policy, DaysAfterQuarter: 45,
		Filings: FilingsPolicy{filing.Quarterly: {Publish: true}},
		Check:   check.Options{Now: time.Date(2026, 6, 1, 0, 0, 0, 0, period.Chicago)}, Releases: Releases{}}
	ro := opt
	ro.Releasing = []string{"2026-Q1"}
	pub, rep, err := Run(detainers(30, 15, ""), ro)
	if err != nil {
		t.Fatal(err, rep)
	}
	r1, err := pub.Release("2026-Q1", nil, "", opt)
	if err != nil {
		t.Fatal(err)
	}
	if fs := r1.Current().Filings; len(fs) != 1 || len(fs[0].Sections[1].Rows) != 45 {
		t.Fatalf("version 1 freezes filings %+v; want the quarterly one with 45 detainers and warrants", fs)
	}
	v1, _ := r1.Current().Frozen("detainer_log")
	if c := cellOf(v1.Period, "issuing_agency", "ICE"); c.Count == nil || *c.Count != 30 {
		t.Fatalf("version 1 publishes ICE %+v; want 30", c)
	}

	opt.Releases["2026-Q1"] = r1
	vo := opt
	vo.Revising = "2026-Q1"
	late := "L1,2026-03-30 10:00,DETAINER,USMS,,FELONY,,TRANSFERRED_FEDERAL,2026-03-31 10:00,CBP\n"
	pub, rep, err = Run(detainers(30, 15, late), vo)
	if err != nil {
		t.Fatal(err, rep)
	}
	r2, err := pub.Release("2026-Q1", r1, "one late detainer", vo)
	if err != nil {
		t.Fatal(err)
	}
	f1, f2 := r2.Versions[0].Filings, r2.Current().Filings
	if len(f1) != 1 || len(f1[0].Sections[1].Rows) != 45 || len(f2) != 1 || len(f2[0].Sections[1].Rows) != 46 {
		t.Fatalf("filings of the versions: %d and %d", len(f1), len(f2))
	}
	added := 0
	for _, r := range f2[0].Sections[1].Rows {
		if strings.Join(r, "|") == "2026-03-30|Yes|CBP" {
			added++
		}
	}
	if added != 1 {
		t.Errorf("the revised filing does not list the late detainer once: %v", f2[0].Sections[1].Rows)
	}
	v2, _ := r2.Current().Frozen("detainer_log")
	for _, b := range v2.Period.Breakdowns {
		if b.Dimension == "issuing_agency" && b.Withheld != WithheldRevision {
			t.Errorf("issuing_agency: withheld %q; the revision moves it by one record", b.Withheld)
		}
	}
	wantNothingFound(t)(AuditReleases(Releases{"2026-Q1": r2}, 11))

	// Planted: the revision publishes the issuing agency as it is now.
	planted := *r2
	planted.Versions = slices.Clone(r2.Versions)
	leak := v2
	leak.Period.Breakdowns = slices.Clone(v1.Period.Breakdowns)
	for bi, b := range leak.Period.Breakdowns {
		if b.Dimension != "issuing_agency" {
			continue
		}
		cells := slices.Clone(b.Cells)
		for ci, c := range cells {
			if c.Value == "USMS" {
				one := 1
				cells[ci].Count = Count{Count: &one, Status: Published}
			}
		}
		leak.Period.Breakdowns[bi].Cells = cells
	}
	planted.Versions[1] = Version{Version: 2, Exports: []Frozen{leak}, Filings: f2}
	reports, err := AuditReleases(Releases{"2026-Q1": &planted}, 11)
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	for _, rp := range reports {
		found = append(found, rp.Changes...)
		for _, f := range rp.Findings {
			found = append(found, f.Key)
		}
	}
	if len(found) == 0 {
		t.Error("the audit of the history misses the issuing agency of the late detainer")
	}

	// Nightly, nothing released or revised: with the late record, nothing
	// is published (a released period is frozen until wco revise); without
	// it, the site publishes version 1's filing as it was frozen, and none
	// for a period not released.
	nightly := opt
	nightly.Releases = Releases{"2026-Q1": r1}
	if _, _, err := Run(detainers(30, 15, late), nightly); err == nil || !strings.Contains(err.Error(), "wco revise") {
		t.Errorf("a nightly run with a late record in a released quarter: %v", err)
	}
	pub, rep, err = Run(detainers(30, 15, ""), nightly)
	if err != nil {
		t.Fatal(err, rep)
	}
	got := pub.Published()
	if len(got) != 1 || got[0].Period != "2026-Q1" || got[0].Version != 1 || !got[0].Current || len(got[0].Sections[1].Rows) != 45 {
		t.Errorf("nightly publishes filings %+v; want version 1 of 2026-Q1 alone, as frozen", got)
	}
}

// TestAQuarterOfOneDetainerListsItAndHidesTheRest: a quarter with a single
// detainer publishes its row in the filing, as the ordinance requires, and
// the issuing agency, which no rule requires, stays hidden: nothing the
// filing and the tables say together narrows it, by the fast attack and the
// exact one.
func TestAQuarterOfOneDetainerListsItAndHidesTheRest(t *testing.T) {
	t.Parallel()
	policy := detainerPolicy()
	opt := Options{Threshold: 11, Key: testKey, Policy: policy, DaysAfterQuarter: 45, Releasing: []string{"2026-Q1"},
		Filings: FilingsPolicy{filing.Quarterly: {Publish: true}},
		Check:   check.Options{Now: time.Date(2026, 6, 1, 0, 0, 0, 0, period.Chicago)}}
	pub, rep, err := Run(detainers(0, 1, ""), opt)
	if err != nil {
		t.Fatal(err, rep)
	}
	f := pub.filings["2026-Q1"]
	if f == nil || len(f.Sections[1].Rows) != 1 || strings.Join(f.Sections[1].Rows[0], "|") != "2026-01-05|Yes|ICE" {
		t.Fatalf("the filing should list the one warrant: %+v", f)
	}
	q1 := exportPeriod(pub, "detainer_log", "2026-Q1")
	// No count of the issuing agency, zero or not, is published: a zero
	// among them would point at the one record too.
	for _, agency := range []string{"ICE", "CBP", "USMS", "OTHER"} {
		if c := cellOf(q1, "issuing_agency", agency); c.Count != nil {
			t.Errorf("issuing agency %s of the quarter's one warrant is published: %+v", agency, c)
		}
	}
	wantNothingFound(t)(Audit(pub.Exports, []*filing.Filing{f}, 11))
	if findings, err := pub.Systems["detainer_log"].AuditExact(11); err != nil || len(findings) > 0 {
		t.Errorf("exact attack: %v %v", findings, err)
	}
}
