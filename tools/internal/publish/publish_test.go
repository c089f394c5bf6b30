package publish

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/chicago-welcoming-city/transparency/tools/internal/check"
	"github.com/chicago-welcoming-city/transparency/tools/internal/delivery"
	"github.com/chicago-welcoming-city/transparency/tools/internal/period"
)

// tiny builds a delivery whose visa file has n rows per quarter as given,
// and empty other exports.
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
		day := qq.Start().AddDate(0, 0, 3).Format("2006-01-02 15:04")
		for range n {
			id++
			b.WriteString(strings.Join([]string{itoa(id), day, "U", "", "", "PENDING", ""}, ",") + "\n")
		}
	}
	fsys["visa_certifications.csv"] = &fstest.MapFile{Data: []byte(b.String())}
	return &delivery.Delivery{FS: fsys, Origin: "test"}
}

func itoa(n int) string { b, _ := json.Marshal(n); return string(b) }

func TestRunCountsAndSuppresses(t *testing.T) {
	// Without a manifest, the latest record dates the delivery: 2026-Q3 is
	// the provisional quarter.
	d := tiny(map[string]int{"2026-Q1": 4, "2026-Q2": 11, "2026-Q3": 30})
	pub, rep, err := Run(d, Options{Threshold: 11, Check: check.Options{Now: time.Date(2026, 11, 1, 0, 0, 0, 0, period.Chicago)}})
	if err != nil {
		t.Fatalf("Run: %v (%v)", err, rep)
	}
	var visa CountTable
	for _, tb := range pub.Tables {
		if tb.Export == "visa_certifications" {
			visa = tb
		}
	}
	got := map[string]string{}
	for _, c := range visa.Quarters {
		if n, ok := c.Value(); ok {
			got[c.Quarter] = itoa(n)
		} else {
			got[c.Quarter] = "suppressed"
		}
	}
	want := map[string]string{"2026-Q1": "suppressed", "2026-Q2": "11", "2026-Q3": "30"}
	for q, w := range want {
		if got[q] != w {
			t.Errorf("%s = %s, want %s (all: %v)", q, got[q], w, got)
		}
	}
	if len(pub.Index.Quarters) != 3 || !pub.Index.Quarters[2].Provisional || pub.Index.Quarters[1].Provisional {
		t.Errorf("quarters = %+v", pub.Index.Quarters)
	}
	// federal_incidents starts with the order's quarter even when others start earlier.
	for _, e := range pub.Index.Exports {
		if e.Name == "federal_incidents" && e.From != "2026-Q1" {
			t.Errorf("federal_incidents from %s", e.From)
		}
	}
}

func TestRunRefusesWeakThreshold(t *testing.T) {
	if _, _, err := Run(tiny(nil), Options{Threshold: 1}); err == nil {
		t.Error("threshold 1 accepted")
	}
}

func TestWriteDirIsStable(t *testing.T) {
	d := tiny(map[string]int{"2026-Q2": 15, "2026-Q3": 3})
	write := func() map[string]string {
		pub, _, err := Run(d, Options{Threshold: 11})
		if err != nil {
			t.Fatal(err)
		}
		dir := t.TempDir()
		if err := pub.WriteDir(dir); err != nil {
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
	if strings.Contains(a["visa-certifications.json"], `"count": 3`) {
		t.Error("a count of 3 was published")
	}
}
