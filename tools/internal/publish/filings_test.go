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

// the2025 lists the periods a release of 2025's last quarter freezes, each
// quarter first, at its due date.
var the2025 = [][]period.Period{
	{period.Quarter{Year: 2025, Q: 1}.Period()}, {period.Quarter{Year: 2025, Q: 2}.Period()},
	{period.Quarter{Year: 2025, Q: 3}.Period()}, {period.Quarter{Year: 2025, Q: 4}.Period(), period.Year(2025)},
}

// release2025 releases 2025 quarter by quarter from d, on the due dates,
// and publishes.
func release2025(t *testing.T, d *delivery.Delivery, opt Options) (*Publication, Releases) {
	t.Helper()
	var all []period.Period
	for _, ps := range the2025 {
		all = append(all, ps...)
	}
	c := count(t, d, opt, CountOptions{Prepare: all})
	h := Releases{}
	for _, ps := range the2025 {
		var err error
		if h, err = c.Freeze(h, ps, "", ps[0].End().AddDate(0, 0, 45)); err != nil {
			t.Fatal(err)
		}
	}
	pub, err := c.Publish(h)
	if err != nil {
		t.Fatal(err)
	}
	return pub, h
}

func requestsOpts() Options {
	return opts(requestsPolicy(), time.Date(2026, 11, 1, 0, 0, 0, 0, period.Chicago))
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
// requests of other federal agencies in 2025-Q1, which the quarter's
// release suppressed. Published with the year, the list would tell what
// the quarter's release hid: the year is released without it, and says
// why, and the audit of everything published finds nothing. Planted into
// the year's version, the audit of the releases reads it as published.
func TestAFilingThatWouldTellWhatAnEarlierReleaseHidIsNotPublished(t *testing.T) {
	t.Parallel()
	d := requestsDelivery(map[string]int{"ICE": 20, "CBP": 15, "HSI": 12, "OTHER_FEDERAL": 3})
	opt := requestsOpts()
	opt.Filings = FilingsPolicy{filing.Annual: {Publish: true}}
	pub, h := release2025(t, d, opt)
	q1 := exportPeriod(pub, "assistance_requests", "2025-Q1")
	if c := cellOf(q1, "requesting_agency", "OTHER_FEDERAL"); c.Status == Published {
		t.Fatalf("the case needs OTHER_FEDERAL hidden in 2025-Q1, it is %+v", c)
	}
	y := h["2025"].Current()
	if len(y.Filings) != 0 || len(y.FilingsWithheld) != 1 || y.FilingsWithheld[0].ID != filing.Annual {
		t.Fatalf("the year should go without its filing, saying why: %+v %+v", y.Filings, y.FilingsWithheld)
	}
	wantNothingFound(t)(audit(pub))
	if len(pub.Published()) != 0 {
		t.Errorf("filings published: %+v", pub.Published())
	}
}

// The defence: with the policy publishing the filing, the protection of
// each release takes its counts as known. Here HSI's 4 requests a quarter
// are hidden; ICE + CBP + HSI, which the list gives, must not let the 12
// of other agencies and HSI be worked out together. The release freezes
// the list with the year, when nothing earlier depends on it.
func TestProtectionReadsThePublishedFilings(t *testing.T) {
	t.Parallel()
	d := requestsDelivery(map[string]int{"ICE": 20, "CBP": 15, "HSI": 4, "OTHER_FEDERAL": 12})
	opt := requestsOpts()
	opt.Filings = FilingsPolicy{filing.Annual: {Publish: true}}
	pub, h := release2025(t, d, opt)
	fs := h["2025"].Current().Filings
	if len(fs) == 1 {
		if len(fs[0].Sections[0].Rows) != 4*39 {
			t.Errorf("the 2025 filing should list 156 DHS requests: %d", len(fs[0].Sections[0].Rows))
		}
	} else if len(h["2025"].Current().FilingsWithheld) != 1 {
		t.Fatalf("the year neither publishes its filing nor says why: %+v", h["2025"].Current())
	}
	wantNothingFound(t)(audit(pub))
	q1 := exportPeriod(pub, "assistance_requests", "2025-Q1")
	if c := cellOf(q1, "requesting_agency", "HSI"); c.Status == Published {
		t.Errorf("HSI's 4 requests of 2025-Q1 are %+v", c)
	}
	// A quarter's release freezes the quarterly filing only when the policy
	// publishes it, which here it does not.
	if n := len(h["2025-Q1"].Current().Filings); n != 0 {
		t.Errorf("2025-Q1 froze %d filings the policy does not publish", n)
	}
}

// Every relation a published filing adds holds with the true counts, and
// the filing's counts are exact facts of the system.
func TestFilingRelationsHold(t *testing.T) {
	t.Parallel()
	d := requestsDelivery(map[string]int{"ICE": 30, "CBP": 4, "HSI": 12})
	opt := requestsOpts()
	opt.Filings = FilingsPolicy{filing.Annual: {Publish: true}, filing.Quarterly: {Publish: true}}
	pub, h := release2025(t, d, opt)
	if f := h["2025-Q1"].Current().Filings; len(f) != 1 || f[0].ID != filing.Quarterly {
		t.Fatalf("2025-Q1 should freeze its quarterly filing: %+v", f)
	}
	wantNothingFound(t)(audit(pub))
	kn, err := know("assistance_requests", h.tables("assistance_requests", time.Time{}))
	if err != nil {
		t.Fatal(err)
	}
	var exact []disclosure.Cell
	for _, c := range kn.sys.Cells {
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

func detainerOpts(filings bool) Options {
	opt := opts(detainerPolicy(), time.Date(2026, 6, 1, 0, 0, 0, 0, period.Chicago))
	if filings {
		opt.Filings = FilingsPolicy{filing.Quarterly: {Publish: true}}
	}
	return opt
}

var q1of2026 = []period.Period{period.Quarter{Year: 2026, Q: 1}.Period()}

// TestARevisionOfAPublishedFilingShowsOnlyWhatItsClauseNames is the attack
// on a revised quarter whose filing the site publishes: the late record's
// row is in the revised filing, as the ordinance requires (its date, that
// it was transferred, to CBP), and a reader who compares the versions'
// tables would learn more of it: that the Marshals Service issued it. The
// revision withholds the issuing agency; the filing of version 1 stays as
// it was; the audit of the history finds nothing, and catches the planted
// revision that publishes the issuing agency.
func TestARevisionOfAPublishedFilingShowsOnlyWhatItsClauseNames(t *testing.T) {
	t.Parallel()
	opt := detainerOpts(true)
	c := count(t, detainers(30, 15, ""), opt, CountOptions{Prepare: q1of2026})
	h1, err := c.Freeze(Releases{}, q1of2026, "", time.Date(2026, 5, 16, 0, 0, 0, 0, period.Chicago))
	if err != nil {
		t.Fatal(err)
	}
	r1 := h1["2026-Q1"]
	if fs := r1.Current().Filings; len(fs) != 1 || len(fs[0].Sections[1].Rows) != 45 {
		t.Fatalf("version 1 freezes filings %+v; want the quarterly one with 45 detainers and warrants", fs)
	}
	v1, _ := r1.Current().Frozen("detainer_log")
	if cell := cellOf(v1.Period, "issuing_agency", "ICE"); cell.Count == nil || *cell.Count != 30 {
		t.Fatalf("version 1 publishes ICE %+v; want 30", cell)
	}

	late := "L1,2026-03-30 10:00,DETAINER,USMS,,FELONY,,TRANSFERRED_FEDERAL,2026-03-31 10:00,CBP\n"
	c2 := count(t, detainers(30, 15, late), opt, CountOptions{Prepare: q1of2026})
	// Nightly, before the revision: the late record waits, named, and
	// version 1 stays published, with its filing as it was frozen.
	nightly, err := c2.Publish(h1)
	if err != nil {
		t.Fatalf("a nightly run with a late record in a released quarter: %v", err)
	}
	if p := nightly.Index.Pending; len(p) != 1 || p[0].Period != "2026-Q1" || p[0].Released != 45 || p[0].Now != 46 {
		t.Errorf("pending %+v; want 2026-Q1 with 46 records where version 1 has 45", p)
	}
	if got := exportPeriod(nightly, "detainer_log", "2026-Q1"); got.Version != 1 || *got.Total.Count != 45 {
		t.Errorf("nightly shows 2026-Q1 as %+v; want version 1", got.Total)
	}
	if got := nightly.Published(); len(got) != 1 || got[0].Version != 1 || len(got[0].Sections[1].Rows) != 45 {
		t.Errorf("nightly publishes filings %+v; want version 1 of 2026-Q1 alone, as frozen", got)
	}

	h2, err := c2.Freeze(h1, q1of2026, "one late detainer", time.Date(2026, 6, 1, 0, 0, 0, 0, period.Chicago))
	if err != nil {
		t.Fatal(err)
	}
	r2 := h2["2026-Q1"]
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
	if cell := cellOf(v2.Period, "issuing_agency", "USMS"); cell.Status == Published {
		t.Errorf("issuing_agency USMS of the revision is %+v; it would name the late detainer's agency", cell)
	}
	pub, err := c2.Publish(h2)
	if err != nil {
		t.Fatal(err)
	}
	wantNothingFound(t)(audit(pub))

	// Planted: the revision publishes the issuing agency as it is now.
	planted := h2.Clone()
	pr := planted["2026-Q1"]
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
	pv := pr.Versions[1]
	pv.Exports = []Frozen{leak}
	pr.Versions[1] = pv
	reports, err := Audit(planted, nil, 11)
	if err != nil {
		t.Fatal(err)
	}
	var found []string
	for _, rp := range reports {
		for _, f := range rp.Findings {
			found = append(found, f.String())
		}
	}
	if !slices.ContainsFunc(found, func(f string) bool { return strings.Contains(f, "change v1→v2 issuing_agency=USMS is exactly 1") }) {
		t.Errorf("the audit of the history misses the issuing agency of the late detainer: %v", found)
	}
}

// TestAQuarterOfOneDetainerListsItAndHidesTheRest: a quarter with a single
// detainer publishes its row in the filing, as the ordinance requires, and
// the issuing agency, which no rule requires, stays hidden: nothing the
// filing and the tables say together narrows it.
func TestAQuarterOfOneDetainerListsItAndHidesTheRest(t *testing.T) {
	t.Parallel()
	opt := detainerOpts(true)
	c := count(t, detainers(0, 1, ""), opt, CountOptions{Prepare: q1of2026})
	h, err := c.Freeze(Releases{}, q1of2026, "", time.Date(2026, 5, 16, 0, 0, 0, 0, period.Chicago))
	if err != nil {
		t.Fatal(err)
	}
	f := h["2026-Q1"].Current().Filings
	if len(f) != 1 || len(f[0].Sections[1].Rows) != 1 || strings.Join(f[0].Sections[1].Rows[0], "|") != "2026-01-05|Yes|ICE" {
		t.Fatalf("the filing should list the one warrant: %+v", f)
	}
	pub, err := c.Publish(h)
	if err != nil {
		t.Fatal(err)
	}
	q1 := exportPeriod(pub, "detainer_log", "2026-Q1")
	// No count of the issuing agency, zero or not, is published: a zero
	// among them would point at the one record too.
	for _, agency := range []string{"ICE", "CBP", "USMS", "OTHER"} {
		if c := cellOf(q1, "issuing_agency", agency); c.Count != nil {
			t.Errorf("issuing agency %s of the quarter's one warrant is published: %+v", agency, c)
		}
	}
	wantNothingFound(t)(audit(pub))
}
