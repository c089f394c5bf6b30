package filing

import (
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chicago-welcoming-city/transparency/tools/internal/contract"
	"github.com/chicago-welcoming-city/transparency/tools/internal/period"
	"github.com/chicago-welcoming-city/transparency/tools/internal/records"
)

func at(s string) records.Datetime {
	var d records.Datetime
	if s == "" {
		return d
	}
	t, err := time.ParseInLocation("2006-01-02 15:04", s, period.Chicago)
	if err != nil {
		panic(err)
	}
	d.Raw, d.Time, d.Valid = "WCOCANARYRAW "+s, t, true
	return d
}

func export(t *testing.T, name string) contract.Export {
	t.Helper()
	e, err := contract.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func collect(t *testing.T, p string, visit func(c *Collector)) *Filing {
	t.Helper()
	per, err := period.ParsePeriod(p)
	if err != nil {
		t.Fatal(err)
	}
	c, err := NewCollector(For(per), per, 45)
	if err != nil {
		t.Fatal(err)
	}
	visit(c)
	f, err := c.Filing(time.Date(2026, 11, 16, 12, 0, 0, 0, time.UTC))
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func section(t *testing.T, f *Filing, id string) Section {
	t.Helper()
	for _, s := range f.Sections {
		if s.ID == id {
			return s
		}
	}
	t.Fatalf("%s has no list %s", f.ID, id)
	return Section{}
}

// TestTheQuarterlyListsHoldTheClausesFieldsOnly: each detainer and
// administrative warrant of the quarter, Chicago time at its edges, with
// its date, whether it went to federal custody and to which agency, and
// nothing else of the record: not its id, nor the raw text of its cells.
func TestTheQuarterlyListsHoldTheClausesFieldsOnly(t *testing.T) {
	t.Parallel()
	d := export(t, "detainer_log")
	a := export(t, "assistance_requests")
	f := collect(t, "2026-Q3", func(c *Collector) {
		for i, r := range []records.Detainer{
			{ReceivedAt: at("2026-07-01 00:00"), RequestType: "DETAINER", Disposition: "TRANSFERRED_FEDERAL", ReceivingAgency: "ICE", DispositionAt: at("2026-07-02 09:30")},
			{ReceivedAt: at("2026-09-30 23:59"), RequestType: "ADMIN_WARRANT", Disposition: "RELEASED", BailPostedAt: at("2026-09-30 23:59")},
			{ReceivedAt: at("2026-10-01 00:00"), RequestType: "DETAINER", Disposition: "RELEASED"},                                          // the next quarter
			{ReceivedAt: at("2026-06-30 23:59"), RequestType: "DETAINER", Disposition: "RELEASED"},                                          // the last one
			{ReceivedAt: at("2026-08-01 10:00"), RequestType: "NOTIFICATION", Disposition: "RELEASED"},                                      // not a detainer or warrant
			{ReceivedAt: at("2026-08-01 10:00"), RequestType: "JUDICIAL_WARRANT", Disposition: "RELEASED"},                                  // a criminal warrant
			{ReceivedAt: at("2026-08-02 10:00"), RequestType: "DETAINER", Disposition: "TRANSFERRED_OTHER", ReceivingAgency: "COOK_COUNTY"}, // not federal
		} {
			r.LogID = records.ID{Raw: "DL-WCOCANARYDL00000" + string(rune('1'+i)), Value: "DL-WCOCANARYDL00000" + string(rune('1'+i))}
			r.IssuingAgency, r.ChargeClass = "ICE", "FELONY"
			c.Visit(d, r)
		}
		c.Visit(a, records.Assistance{RequestID: records.ID{Value: "WCOCANARYAR000001"}, ReceivedAt: at("2026-07-15 12:00"), RequestingAgency: "ICE", Response: "DECLINED"})
	})
	got := section(t, f, "detainers")
	want := [][]string{{"2026-07-01", "Yes", "ICE"}, {"2026-08-02", "No", ""}, {"2026-09-30", "No", ""}}
	if len(got.Rows) != len(want) {
		t.Fatalf("rows %v, want %v", got.Rows, want)
	}
	for i := range want {
		if strings.Join(got.Rows[i], "|") != strings.Join(want[i], "|") {
			t.Errorf("row %d: %v, want %v", i+1, got.Rows[i], want[i])
		}
	}
	if n := len(section(t, f, "oemc-notifications").Rows); n != 1 {
		t.Errorf("%d notifications to OEMC, want 1", n)
	}
	var all strings.Builder
	for _, s := range f.Sections {
		all.Write(s.CSV())
	}
	if strings.Contains(all.String(), "WCOCANARY") || strings.Contains(all.String(), "FELONY") {
		t.Errorf("a list holds more than its clause names:\n%s", all.String())
	}
	// Due 45 days after the quarter's last day, as the calendar says.
	if f.Start != "2026-07-01" || f.End != "2026-09-30" || f.Due != "2026-11-14" || f.Prepared != "2026-11-16" {
		t.Errorf("period %s to %s, due %s, prepared %s", f.Start, f.End, f.Due, f.Prepared)
	}
	if name := f.Name("detainers", "csv"); name != "2026-q3-mcc-2-173-069-detainers.csv" {
		t.Errorf("file name %s", name)
	}
}

// TestTheAnnualListsFollowTheAct: notifications are detainers under the
// TRUST Act; DHS requests are ICE's, HSI's and CBP's, not other agencies';
// a person still in custody has no time of release; a visa request without
// a decision has neither date.
func TestTheAnnualListsFollowTheAct(t *testing.T) {
	t.Parallel()
	f := collect(t, "2025", func(c *Collector) {
		d, a, v := export(t, "detainer_log"), export(t, "assistance_requests"), export(t, "visa_certifications")
		c.Visit(d, records.Detainer{ReceivedAt: at("2025-03-23 04:52"), RequestType: "NOTIFICATION", BailPostedAt: at("2025-03-23 10:15"), Disposition: "RELEASED", DispositionAt: at("2025-03-27 22:57")})
		c.Visit(d, records.Detainer{ReceivedAt: at("2025-12-31 23:00"), RequestType: "DETAINER", Disposition: "IN_CUSTODY", DispositionAt: at("2026-01-02 08:00")})
		c.Visit(d, records.Detainer{ReceivedAt: at("2026-01-01 00:00"), RequestType: "DETAINER", Disposition: "RELEASED"})
		for _, agency := range []records.Code{"ICE", "HSI", "CBP", "USMS", "OTHER_FEDERAL"} {
			c.Visit(a, records.Assistance{ReceivedAt: at("2025-06-01 09:00"), RequestingAgency: agency, Response: "REFERRED_SUPERVISOR"})
		}
		c.Visit(v, records.Visa{ReceivedAt: at("2025-02-01 09:00"), Decision: "CERTIFIED", DecidedAt: at("2025-03-01 09:00")})
		c.Visit(v, records.Visa{ReceivedAt: at("2025-02-02 09:00"), Decision: "DENIED", DecidedAt: at("2025-04-01 09:00")})
		c.Visit(v, records.Visa{ReceivedAt: at("2025-02-03 09:00"), Decision: "PENDING"})
	})
	det := section(t, f, "detainers")
	if len(det.Rows) != 2 || strings.Join(det.Rows[0], "|") != "2025-03-23|2025-03-23 10:15|Released|2025-03-27 22:57|" ||
		strings.Join(det.Rows[1], "|") != "2025-12-31||Neither: still in custody||" {
		t.Errorf("detainers: %v", det.Rows)
	}
	if dhs := section(t, f, "dhs-requests"); len(dhs.Rows) != 3 || dhs.Rows[0][1] != "Referred to a supervisor" {
		t.Errorf("DHS requests: %v", dhs.Rows)
	}
	visas := section(t, f, "visa-certifications")
	if strings.Join(visas.Rows[0], "|") != "2025-02-01|2025-03-01|" || strings.Join(visas.Rows[1], "|") != "2025-02-02||2025-04-01" || strings.Join(visas.Rows[2], "|") != "2025-02-03||" {
		t.Errorf("visa requests: %v", visas.Rows)
	}
	if f.Due != "2026-03-01" {
		t.Errorf("due %s, want March 1", f.Due)
	}
}

// TestRowsAreSortedByWhatTheySay: the order records arrive in (their ids,
// their place in the export) never shows in a list, whichever export is
// read first, concurrently.
func TestRowsAreSortedByWhatTheySay(t *testing.T) {
	t.Parallel()
	rows := []records.Assistance{
		{ReceivedAt: at("2026-08-03 10:00")}, {ReceivedAt: at("2026-07-09 10:00")}, {ReceivedAt: at("2026-09-01 10:00")},
	}
	var lists []string
	for _, order := range [][]int{{0, 1, 2}, {2, 0, 1}, {1, 2, 0}} {
		f := collect(t, "2026-Q3", func(c *Collector) {
			var wg sync.WaitGroup
			wg.Add(2)
			go func() {
				defer wg.Done()
				for _, i := range order {
					c.Visit(export(t, "assistance_requests"), rows[i])
				}
			}()
			go func() {
				defer wg.Done()
				c.Visit(export(t, "detainer_log"), records.Detainer{ReceivedAt: at("2026-07-02 10:00"), RequestType: "DETAINER", Disposition: "RELEASED"})
			}()
			wg.Wait()
		})
		lists = append(lists, string(section(t, f, "oemc-notifications").CSV()))
	}
	if lists[0] != lists[1] || lists[1] != lists[2] || !strings.Contains(lists[0], "1,2026-07-09\r\n2,2026-08-03\r\n3,2026-09-01\r\n") {
		t.Errorf("the lists differ with the records' order:\n%s", strings.Join(lists, "\n"))
	}
}

// TestAnEmptyListIsItsHeader: with no record, a list is its header, and
// the filing carries the certification of none.
func TestAnEmptyListIsItsHeader(t *testing.T) {
	t.Parallel()
	f := collect(t, "2026-Q1", func(*Collector) {})
	for _, s := range f.Sections {
		if len(s.Rows) != 0 || strings.Count(string(s.CSV()), "\r\n") != 1 || !strings.HasPrefix(string(s.CSV()), "No.,") || s.None == "" {
			t.Errorf("%s: %q, none: %q", s.ID, s.CSV(), s.None)
		}
	}
}

// TestAHostileDeliveryCannotGrowAListWithoutBound: past MaxRows records in
// one list, the filing fails, naming the export.
func TestAHostileDeliveryCannotGrowAListWithoutBound(t *testing.T) {
	t.Parallel()
	per, _ := period.ParsePeriod("2026-Q3")
	c, _ := NewCollector(For(per), per, 45)
	e := export(t, "assistance_requests")
	r := records.Assistance{ReceivedAt: at("2026-08-01 10:00")}
	for range MaxRows + 5 {
		c.Visit(e, r)
	}
	if _, err := c.Filing(time.Now()); err == nil || !strings.Contains(err.Error(), "assistance_requests.csv") {
		t.Errorf("err = %v", err)
	}
	if len(c.f.Sections[0].Rows) != MaxRows {
		t.Errorf("the list grew to %d rows", len(c.f.Sections[0].Rows))
	}
}

func TestAFilingIsForItsKindOfPeriod(t *testing.T) {
	t.Parallel()
	q, _ := period.ParsePeriod("2026-Q3")
	y, _ := period.ParsePeriod("2025")
	if _, err := NewCollector(For(y), q, 45); err == nil {
		t.Error("the annual report was started for a quarter")
	}
	if _, err := NewCollector(For(q), y, 45); err == nil {
		t.Error("the quarterly report was started for a year")
	}
	if For(q).ID != Quarterly || For(y).ID != Annual {
		t.Error("For gives the wrong filing")
	}
}
