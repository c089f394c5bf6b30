package check

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/chicago-welcoming-city/transparency/tools/internal/contract"
	"github.com/chicago-welcoming-city/transparency/tools/internal/delivery"
	"github.com/chicago-welcoming-city/transparency/tools/internal/records"
)

// TestAMappingOntoANamesColumnEchoesNoName is the attack: a mapping points
// a code column at the system's column of names. Every name is an unknown
// code; the report, which goes to standard output and so into CI logs,
// must show none of them, yet still show the system's own vocabulary.
func TestAMappingOntoANamesColumnEchoesNoName(t *testing.T) {
	t.Parallel()
	header := strings.Replace(visaHeader, "decision", "subject", 1)
	var b strings.Builder
	b.WriteString(header)
	for i := range 60 {
		value := fmt.Sprintf("Fakey McCanary CANARYNAME%03d", i)
		if i%6 == 0 {
			value = "Certified By Unit" // ten times: the system's own word
		}
		row := strings.Replace(visaRow(fmt.Sprintf("V%d", i)), "CERTIFIED", value, 1)
		b.WriteString(row)
	}
	d := &delivery.Delivery{FS: fstest.MapFS{"visa_certifications.csv": {Data: []byte(b.String())}}, Origin: "test"}
	e, _ := contract.Lookup("visa_certifications")
	opt := Options{Now: time.Now(), Mappings: map[string]records.Mapping{"visa_certifications": {Rename: map[string]string{"subject": "decision"}}}}
	rep := &Report{Origin: "test", Files: []*FileReport{Export(d, e, opt, func(records.Visa) {})}}
	var out bytes.Buffer
	if err := rep.Write(&out); err != nil {
		t.Fatal(err)
	}
	text := out.String()
	if strings.Contains(text, "CANARY") || strings.Contains(text, "McCanary") {
		t.Fatalf("the report echoes a name:\n%s", text)
	}
	for _, want := range []string{
		`offending values of decision: "CERTIFIED BY UNIT" ×10; 50 other distinct value(s), each too rare to show`,
		"value not shown: it occurs fewer than 5 times",
		`value "CERTIFIED BY UNIT"`,
	} {
		if !strings.Contains(text, want) {
			t.Errorf("the report should say %q:\n%s", want, text)
		}
	}
}

// TestEveryKindKeepsExamples: one kind with many problems does not crowd
// out the examples of another.
func TestEveryKindKeepsExamples(t *testing.T) {
	t.Parallel()
	var b strings.Builder
	b.WriteString(visaHeader)
	for i := range 80 {
		b.WriteString(strings.Replace(visaRow(fmt.Sprintf("V%d", i)), "CERTIFIED", "NOPE", 1))
	}
	b.WriteString(strings.Replace(visaRow("V1"), "2026-03-02 10:00", "2026-13-02 10:00", 1))
	d := &delivery.Delivery{FS: fstest.MapFS{"visa_certifications.csv": {Data: []byte(b.String())}}, Origin: "test"}
	e, _ := contract.Lookup("visa_certifications")
	rep := Export(d, e, Options{Now: time.Now(), MaxProblems: 10}, func(records.Visa) {})
	kinds := map[Kind]int{}
	for _, p := range rep.Problems {
		kinds[p.Kind]++
	}
	if kinds[UnknownCode] != 10 || kinds[BadValue] != 1 || kinds[DuplicateID] != 1 || rep.Dropped != 70 {
		t.Errorf("kept %v, dropped %d", kinds, rep.Dropped)
	}
}
