package publish

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/chicago-welcoming-city/transparency/tools/internal/delivery"
	"github.com/chicago-welcoming-city/transparency/tools/internal/period"
	"github.com/chicago-welcoming-city/transparency/tools/internal/records"
)

// fullPolicy allows every breakdown of the catalog, none of them
// required exactly, and so no measure: a share or a median is published
// only of figures a rule requires exactly.
func fullPolicy() Policy {
	p := Policy{}
	dims, _ := Catalog()
	for _, d := range dims {
		ep := p[d.Export]
		ep.Dimensions = append(ep.Dimensions, d.ID)
		p[d.Export] = ep
	}
	return p
}

// tiny builds a delivery whose visa file has, per quarter, the given
// numbers of U-visa requests decided after 10 days; other exports empty.
func tiny(perQuarter map[string]int) *delivery.Delivery {
	fsys := fstest.MapFS{
		"detainer_log.csv":        {Data: []byte("log_id,received_at,request_type,issuing_agency,arrest_beat,charge_class,bail_posted_at,disposition,disposition_at,receiving_agency\n")},
		"assistance_requests.csv": {Data: []byte("request_id,received_at,channel,requesting_agency,assistance_type,beat,response,responded_at\n")},
		"federal_incidents.csv":   {Data: []byte("incident_id,occurred_at,reported_at,beat,federal_agency,agents_count,agents_masked,supervisor_identified,use_of_force,force_types,persons_injured,ems_requested,persons_detained,us_citizens_detained,alleged_violations,referred_to_sao,referral_date,sao_status,bwc_preserved\n")},
	}
	var b strings.Builder
	b.WriteString("request_id,received_at,visa_type,requester_type,qualifying_crime,decision,decided_at\n")
	id := 0
	for q, n := range perQuarter {
		qq, _ := period.Parse(q)
		day := qq.Start().AddDate(0, 0, 3)
		for range n {
			id++
			fmt.Fprintf(&b, "%d,%s,U,,,CERTIFIED,%s\n", id, day.Format("2006-01-02 15:04"), day.AddDate(0, 0, 10).Format("2006-01-02 15:04"))
		}
	}
	fsys["visa_certifications.csv"] = &fstest.MapFile{Data: []byte(b.String())}
	return &delivery.Delivery{FS: fsys, Origin: "test"}
}

func visaPeriod(pub *Publication, key string) Period {
	return exportPeriod(pub, "visa_certifications", key)
}

func TestRunCountsSuppressesAndMeasures(t *testing.T) {
	t.Parallel()
	// Without a manifest, the latest record dates the delivery: 2026-Q3 is provisional.
	pub := run(t, tiny(map[string]int{"2025-Q1": 12, "2025-Q4": 30, "2026-Q1": 4, "2026-Q2": 11, "2026-Q3": 30}))
	// The open quarter counts only its months that have ended: on its
	// 14th day, none has.
	tests := map[string]string{"2026-Q1": Suppressed, "2026-Q2": Published, "2026-Q3": NotApplicable}
	for q, want := range tests {
		if got := visaPeriod(pub, q).Total.Status; got != want {
			t.Errorf("%s total: %s, want %s", q, got, want)
		}
	}
	q3 := visaPeriod(pub, "2026-Q3")
	if q3.Total.Count != nil || !q3.Provisional || q3.AsOf != "" {
		t.Errorf("2026-Q3: %+v as of %q", q3.Total, q3.AsOf)
	}
	// No quarter publishes a median: a revision, or the year beside it,
	// would tell of the records it adds. The year's, without decisions
	// published exactly, tells its base by its status, so it is hidden.
	for _, q := range []string{"2026-Q1", "2026-Q2", "2026-Q3", "2025"} {
		for _, f := range visaPeriod(pub, q).Figures {
			if f.Measure == "median_days_to_decision" && f.Status == Published {
				t.Errorf("%s publishes its median: %+v", q, f)
			}
		}
	}
	if len(pub.Index.Years) != 1 || pub.Index.Years[0].Year != 2025 {
		t.Errorf("years = %+v; want 2025 only (complete)", pub.Index.Years)
	}
	for _, e := range pub.Index.Exports {
		if e.Name == "federal_incidents" && e.From != "2026-Q1" {
			t.Errorf("federal_incidents from %s", e.From)
		}
	}
}

func TestEveryPublicationPassesTheAudit(t *testing.T) {
	t.Parallel()
	pub := run(t, tiny(map[string]int{"2025-Q1": 12, "2025-Q2": 2, "2025-Q3": 25, "2025-Q4": 1, "2026-Q1": 40}))
	wantNothingFound(t)(audit(pub))
	// 2025 adds up quarters of 12, 2, 25 and 1: with the year total and
	// three quarters published, the 2 and the 1 would add up to a known 3.
	suppressed := 0
	for _, q := range []string{"2025-Q1", "2025-Q3", "2025"} {
		if visaPeriod(pub, q).Total.Status == Suppressed {
			suppressed++
		}
	}
	if suppressed == 0 {
		t.Error("no complementary suppression among 2025's totals")
	}
}

func TestRunRefusesWeakThreshold(t *testing.T) {
	t.Parallel()
	if _, _, err := CountDelivery(tiny(nil), Options{Threshold: 1, Key: testKey, Policy: fullPolicy()}, CountOptions{}); err == nil {
		t.Error("threshold 1 accepted")
	}
}

func TestPolicyIsAnAllowList(t *testing.T) {
	t.Parallel()
	p := Policy{"visa_certifications": {Dimensions: []string{"decision"}}}
	pub, _ := releaseAll(t, tiny(map[string]int{"2026-Q1": 20}), opts(p, time.Now()))
	for _, e := range pub.Exports {
		for _, per := range e.Periods {
			if e.Export == "visa_certifications" && (len(per.Breakdowns) != 1 || per.Breakdowns[0].Dimension != "decision" || len(per.Figures) != 0) {
				t.Errorf("visa publishes %+v", per)
			}
			if e.Export != "visa_certifications" && len(per.Breakdowns)+len(per.Figures) != 0 {
				t.Errorf("%s publishes breakdowns it was not allowed", e.Export)
			}
		}
	}
	for _, bad := range []Policy{
		{"visa_certifications": {Dimensions: []string{"victim_name"}}},
		{"visa_certs": {Dimensions: []string{"decision"}}},
		{"assistance_requests": {Measures: []string{"share_declined"}}}, // needs response
		// A share of a protected count would give the count away.
		{"assistance_requests": {Dimensions: []string{"response"}, Measures: []string{"share_declined"}}},
		// The median's status would tell whether its base is under k.
		{"visa_certifications": {Dimensions: []string{"decision"}, Measures: []string{"median_days_to_decision"}}},
	} {
		if err := bad.Validate(nil); err == nil {
			t.Errorf("policy %v accepted", bad)
		}
	}
}

func TestWriteDirIsStable(t *testing.T) {
	t.Parallel()
	d := tiny(map[string]int{"2026-Q2": 15, "2026-Q3": 3})
	write := func() map[string]string {
		dir := t.TempDir()
		if err := run(t, d).WriteDir(dir); err != nil {
			t.Fatal(err)
		}
		out := map[string]string{}
		entries, _ := os.ReadDir(dir)
		for _, e := range entries {
			b, _ := os.ReadFile(filepath.Join(dir, e.Name()))
			out[e.Name()] = string(b)
		}
		return out
	}
	a, b := write(), write()
	if len(a) != 5 {
		t.Fatalf("wrote %d files", len(a))
	}
	for name, body := range a {
		if b[name] != body {
			t.Errorf("%s differs between runs", name)
		}
		if !strings.Contains(body, `"meta": {`) || !strings.Contains(body, `"threshold": 11`) {
			t.Errorf("%s lacks its meta block", name)
		}
		if name != strings.ToLower(name) || strings.Contains(name, "_") {
			t.Errorf("data file name %s is not lowercase-dash", name)
		}
	}
	if strings.Contains(a["visa-certifications.json"], `"count": 3,`) {
		t.Error("a count of 3 was published")
	}
}

func TestMedian(t *testing.T) {
	t.Parallel()
	h := make([]int, 20)
	h[3], h[5], h[9] = 1, 2, 1 // 3 5 5 9
	if m, n := median(h); m != 5 || n != 4 {
		t.Errorf("median = %v of %d", m, n)
	}
	h[9] = 2 // 3 5 5 9 9
	if m, _ := median(h); m != 5 {
		t.Errorf("median = %v", m)
	}
	h = make([]int, 20)
	h[2], h[7] = 1, 1
	if m, _ := median(h); m != 4.5 {
		t.Errorf("median of 2 and 7 = %v", m)
	}
}

// TestDictionaryFormsParse holds the forms the dictionary shows to the
// parser, and its columns to the contract.
func TestDictionaryFormsParse(t *testing.T) {
	t.Parallel()
	d := MakeDictionary(Meta{}, fullPolicy(), nil, 11, nil)
	for _, f := range d.DatetimeForms {
		if _, err := records.ParseDatetime(f); err != nil {
			t.Errorf("datetime form %q: %v", f, err)
		}
	}
	for _, f := range d.DateForms {
		if _, err := records.ParseDate(f); err != nil {
			t.Errorf("date form %q: %v", f, err)
		}
	}
	for _, f := range d.FlagForms {
		if _, ok, err := records.ParseFlag(f); !ok || err != nil {
			t.Errorf("flag form %q: %v", f, err)
		}
	}
	if len(d.Exports) != 4 || len(d.Exports[0].Columns) != 15 {
		t.Errorf("dictionary exports = %d, detainer columns = %d", len(d.Exports), len(d.Exports[0].Columns))
	}
}

// TestComplianceMatchesCatalog holds the compliance page's front matter to
// the catalog: every breakdown and measure it names exists, in its export.
func TestComplianceMatchesCatalog(t *testing.T) {
	t.Parallel()
	b, err := os.ReadFile(filepath.Join("..", "..", "..", "content", "compliance.md"))
	if err != nil {
		t.Fatal(err)
	}
	parts := strings.SplitN(string(b), "---", 3)
	if len(parts) != 3 {
		t.Fatal("content/compliance.md has no front matter")
	}
	b = []byte(parts[1])
	var front struct {
		Params struct {
			Rules []struct {
				Rule    string   `yaml:"rule"`
				Export  string   `yaml:"export"`
				Period  string   `yaml:"period"`
				Answers []string `yaml:"answers"`
			} `yaml:"rules"`
		} `yaml:"params"`
	}
	if err := yaml.Unmarshal(b, &front); err != nil {
		t.Fatal(err)
	}
	doc := front.Params
	if len(doc.Rules) != 5 {
		t.Errorf("%d rules", len(doc.Rules))
	}
	for _, r := range doc.Rules {
		if r.Period != "quarter" && r.Period != "year" {
			t.Errorf("%s: period %q", r.Rule, r.Period)
		}
		for _, a := range r.Answers {
			export, id, _ := strings.Cut(a, ".")
			_, isDim := LookupDimension(export, id)
			_, isMeasure := LookupMeasure(export, id)
			if !isDim && !isMeasure {
				t.Errorf("%s answers with %s, which the catalog does not have", r.Rule, a)
			}
		}
	}
}
