package contract

import (
	"slices"
	"testing"
)

// TestContractIsCoherent guards the shape every other package relies on.
func TestContractIsCoherent(t *testing.T) {
	t.Parallel()
	names := map[string]bool{}
	for _, e := range Exports() {
		if names[e.Name] {
			t.Errorf("export %s twice", e.Name)
		}
		names[e.Name] = true
		cols := map[string]bool{}
		for _, c := range e.Columns {
			if cols[c.Name] {
				t.Errorf("%s: column %s twice", e.Name, c.Name)
			}
			cols[c.Name] = true
			if c.Kind == KindCode && len(c.Codes) == 0 {
				t.Errorf("%s.%s: a code column needs its list of codes", e.Name, c.Name)
			}
			if c.PII && c.Required {
				t.Errorf("%s.%s: personal data is never required", e.Name, c.Name)
			}
		}
		if id, ok := e.Column(e.IDColumn); !ok || id.Kind != KindID || !id.Required || id.PII {
			t.Errorf("%s: id column %q must be a required, non-personal id", e.Name, e.IDColumn)
		}
		if d, ok := e.Column(e.DateColumn); !ok || d.Kind != KindDatetime || !d.Required || d.PII {
			t.Errorf("%s: date column %q must be a required, non-personal datetime", e.Name, e.DateColumn)
		}
		for _, r := range e.Checks {
			for _, c := range []string{r.Column, r.Other, r.If.Column} {
				if col, ok := e.Column(c); c != "" && (!ok || col.PII) {
					t.Errorf("%s: rule %s names %q, which is not a non-personal column", e.Name, r.Kind, c)
				}
			}
		}
		if len(e.Rules) == 0 {
			t.Errorf("%s: every export answers to at least one rule", e.Name)
		}
		if e.File() != e.Name+".csv" {
			t.Errorf("%s: file %s", e.Name, e.File())
		}
	}
	if len(names) != 4 {
		t.Errorf("contract v1 has %d exports, want 4", len(names))
	}
}

// TestPIIColumns pins the personal-data columns of contract v1: adding one
// is fine, silently losing one would publish personal data.
func TestPIIColumns(t *testing.T) {
	t.Parallel()
	want := map[string][]string{
		"detainer_log":        {"subject_name", "subject_dob", "cb_number", "entered_by_star", "remarks"},
		"assistance_requests": {"oemc_event_no", "requester_name", "requester_phone", "notes"},
		"federal_incidents":   {"block_address", "latitude", "longitude", "supervisor_name", "supervisor_badge", "cpd_officer_star", "subject_names", "narrative"},
		"visa_certifications": {"victim_name", "victim_dob", "rd_number", "denial_reason"},
	}
	for name, cols := range want {
		e, err := Lookup(name)
		if err != nil {
			t.Fatal(err)
		}
		got := e.PIIColumns()
		for _, c := range cols {
			if !slices.Contains(got, c) {
				t.Errorf("%s.%s must be marked PII", name, c)
			}
		}
	}
	if _, err := Lookup("nope"); err == nil {
		t.Error("Lookup of an unknown export succeeded")
	}
}

func TestDistricts(t *testing.T) {
	t.Parallel()
	if len(ValidDistricts) != 22 {
		t.Errorf("%d districts, want 22", len(ValidDistricts))
	}
	for _, d := range []int{13, 21, 23, 0, 26} {
		if IsDistrict(d) {
			t.Errorf("district %d is not a CPD district", d)
		}
	}
}
