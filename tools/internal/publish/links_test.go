package publish

import (
	"strings"
	"testing"
)

// detainerTables is one closed quarter of detainer_log as published: its
// total, and the disposition and receiving-agency breakdowns, with the
// given cells (nil: suppressed).
func detainerTables(total int, cells map[string]map[string]*int) Releases {
	pub := func(n *int) Count {
		if n == nil {
			return Count{Status: Suppressed}
		}
		return Count{Count: n, Status: Published}
	}
	n := total
	p := Period{Period: "2025-Q3", Kind: "quarter", Year: 2025, Quarter: 3, Total: pub(&n)}
	for _, dim := range []string{"disposition", "receiving_agency"} {
		d, _ := LookupDimension("detainer_log", dim)
		b := Breakdown{Dimension: dim}
		for _, v := range d.Values {
			b.Cells = append(b.Cells, Cell{Value: v, Count: pub(cells[dim][v])})
		}
		p.Breakdowns = append(p.Breakdowns, b)
	}
	return released("detainer_log", p)
}

func ptr(n int) *int { return &n }

// TestTheReceivingAgencyRelationIsAttacked is the attack: "not
// transferred" in the receiving-agency table is released plus still in
// custody. With it a reader pins the hidden transfers exactly; the audit,
// which must be that reader, finds it.
func TestTheReceivingAgencyRelationIsAttacked(t *testing.T) {
	t.Parallel()
	zero := ptr(0)
	tables := detainerTables(30, map[string]map[string]*int{
		"disposition":      {"TRANSFERRED_OTHER": zero}, // RELEASED, TRANSFERRED_FEDERAL, IN_CUSTODY hidden
		"receiving_agency": {"CBP": zero, "USMS": zero, "COOK_COUNTY": zero, "OTHER": zero, none: ptr(7)},
	})
	reports, err := Audit(tables, nil, 11)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range reports {
		for _, f := range r.Findings {
			if strings.HasSuffix(f.Key, "disposition=TRANSFERRED_FEDERAL") && f.Min == 23 && f.Max == 23 {
				found = true
			}
		}
	}
	if !found {
		t.Errorf("the audit misses that transfers to federal custody are 30 − 7 = 23: %+v", reports)
	}
}

// TestTheDHSRelationIsAttacked is the attack on the TRUST Act's count:
// the year's requests from the Department of Homeland Security are exact,
// and they are ICE, CBP and HSI's. Beside ICE's 40, 45 of them pin the
// two hidden agencies to 5 between them, which the total alone leaves at
// 20 with other federal agencies; the audit, which must be that reader,
// finds it.
func TestTheDHSRelationIsAttacked(t *testing.T) {
	t.Parallel()
	hidden := Count{Status: Suppressed}
	shown := func(n int) Count { return Count{Count: ptr(n), Status: Published} }
	year := Period{Period: "2025", Kind: "year", Year: 2025, Total: shown(60), Breakdowns: []Breakdown{
		{Dimension: "requesting_agency", Cells: []Cell{
			{Value: "ICE", Count: shown(40)}, {Value: "CBP", Count: hidden}, {Value: "HSI", Count: hidden}, {Value: "OTHER_FEDERAL", Count: hidden},
		}},
		{Dimension: "dhs_request", Clause: "5 ILCS 805/25(a)(1)", Cells: []Cell{{Value: "Y", Count: shown(45)}, {Value: "N", Count: shown(15)}}},
	}}
	reports, err := Audit(released("assistance_requests", year), nil, 11)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range reports {
		for _, f := range r.Findings {
			found = found || strings.HasSuffix(f.Key, "requesting_agency=CBP") && f.Max <= 5
		}
	}
	if !found {
		t.Errorf("the audit misses that CBP and HSI together are 45 − 40 = 5: %+v", reports)
	}
}

// TestTheDetainedRelationIsAttacked is the attack on a count of people
// detained: anyone detained includes every U.S. citizen detained. With 15
// of 20 incidents known to have detained a citizen, the hidden "anyone
// detained" counts are pinned to 15 to 20 and 0 to 5; the audit, which
// must be that reader, finds it.
func TestTheDetainedRelationIsAttacked(t *testing.T) {
	t.Parallel()
	hidden := Count{Status: Suppressed}
	shown := func(n int) Count { return Count{Count: ptr(n), Status: Published} }
	year := Period{Period: "2025", Kind: "year", Year: 2025, Total: shown(20), Breakdowns: []Breakdown{
		{Dimension: "persons_detained", Cells: []Cell{{Value: "Y", Count: hidden}, {Value: "N", Count: hidden}, {Value: "UNKNOWN", Count: shown(0)}}},
		{Dimension: "us_citizens_detained", Cells: []Cell{{Value: "Y", Count: shown(15)}, {Value: "N", Count: shown(5)}, {Value: "UNKNOWN", Count: shown(0)}}},
	}}
	reports, err := Audit(released("federal_incidents", year), nil, 11)
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, r := range reports {
		for _, f := range r.Findings {
			found = found || strings.HasSuffix(f.Key, "persons_detained=N") && f.Max <= 5
		}
	}
	if !found {
		t.Errorf("the audit misses that at most 20 − 15 = 5 incidents detained no one: %+v", reports)
	}
}

// TestLinksHoldOnEveryDelivery: every link of the catalog holds on real
// counts (the publisher's system validates its relations against the true
// values), and every publication passes the audit with the links in.
func TestLinksHoldOnEveryDelivery(t *testing.T) {
	t.Parallel()
	dims, _ := Catalog()
	links := 0
	for _, d := range dims {
		for _, l := range d.Links {
			links++
			o, ok := LookupDimension(d.Export, l.Dimension)
			if !ok {
				t.Errorf("%s links to %s, which %s does not have", d.ID, l.Dimension, d.Export)
				continue
			}
			for _, v := range l.Values {
				if !strings.Contains(strings.Join(o.Values, " "), v) {
					t.Errorf("%s links to %s=%s, which is not one of its values", d.ID, l.Dimension, v)
				}
			}
		}
	}
	if links != 6 {
		t.Errorf("%d links in the catalog, want 6", links)
	}
	pub := run(t, tiny(map[string]int{"2025-Q1": 12, "2025-Q2": 2, "2025-Q3": 25, "2025-Q4": 1, "2026-Q1": 40}))
	wantNothingFound(t)(audit(pub))
}
