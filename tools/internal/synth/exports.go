package synth

import (
	"fmt"
	"strings"
	"time"
)

// The written rows: every column of the contract, in contract order
// (TestWrittenColumnsMatchContract holds them together).

type detainerRow struct {
	LogID           string `csv:"log_id"`
	ReceivedAt      string `csv:"received_at"`
	RequestType     string `csv:"request_type"`
	IssuingAgency   string `csv:"issuing_agency"`
	SubjectName     string `csv:"subject_name"`
	SubjectDOB      string `csv:"subject_dob"`
	CBNumber        string `csv:"cb_number"`
	ArrestBeat      string `csv:"arrest_beat"`
	ChargeClass     string `csv:"charge_class"`
	BailPostedAt    string `csv:"bail_posted_at"`
	Disposition     string `csv:"disposition"`
	DispositionAt   string `csv:"disposition_at"`
	ReceivingAgency string `csv:"receiving_agency"`
	EnteredByStar   string `csv:"entered_by_star"`
	Remarks         string `csv:"remarks"`
}

type detainerGen struct{ base }

// CPD's own log: US-style datetimes with AM/PM, LF line ends.
func (g *detainerGen) style() style {
	return style{datetime: "01/02/2006 3:04 PM", date: "01/02/2006"}
}

func (g *detainerGen) rows(from, n int) any {
	out := make([]detainerRow, n)
	st := g.style()
	for i := range out {
		t := g.when()
		r := detainerRow{
			LogID:         fmt.Sprintf("DL-%07d", 100000+from+i),
			ReceivedAt:    t.Format(st.datetime),
			RequestType:   pick(g.rng, []string{"DETAINER", "ADMIN_WARRANT", "NOTIFICATION", "JUDICIAL_WARRANT"}, []int{45, 22, 28, 5}),
			SubjectName:   g.name(),
			SubjectDOB:    g.birthDate(st.date),
			CBNumber:      "CB" + g.canary(),
			ArrestBeat:    g.beat(),
			ChargeClass:   pick(g.rng, []string{"FELONY", "MISDEMEANOR", "ORDINANCE", "NONE", ""}, []int{35, 43, 8, 10, 4}),
			EnteredByStar: g.canary(),
		}
		if r.RequestType == "JUDICIAL_WARRANT" {
			r.IssuingAgency = pick(g.rng, []string{"USMS", "ICE", "OTHER"}, []int{70, 20, 10})
		} else {
			r.IssuingAgency = pick(g.rng, []string{"ICE", "CBP", "USMS", "OTHER"}, []int{84, 10, 2, 4})
		}
		if g.rng.IntN(10) < 4 {
			bail, ok := g.after(t, time.Hour, 72*time.Hour)
			r.BailPostedAt = formatOr(bail, ok, st.datetime)
		}
		switch {
		case r.RequestType == "JUDICIAL_WARRANT" && g.rng.IntN(10) < 7:
			r.Disposition, r.ReceivingAgency = "TRANSFERRED_FEDERAL", pick(g.rng, []string{"USMS", "ICE"}, []int{85, 15})
		default:
			r.Disposition = pick(g.rng, []string{"RELEASED", "TRANSFERRED_OTHER", "IN_CUSTODY", "TRANSFERRED_FEDERAL"}, []int{82, 10, 6, 2})
			switch r.Disposition {
			case "TRANSFERRED_OTHER":
				r.ReceivingAgency = pick(g.rng, []string{"COOK_COUNTY", "OTHER"}, []int{85, 15})
			case "TRANSFERRED_FEDERAL":
				r.ReceivingAgency = pick(g.rng, []string{"ICE", "CBP", "USMS"}, []int{70, 10, 20})
			}
		}
		if r.Disposition != "IN_CUSTODY" {
			at, ok := g.after(t, 2*time.Hour, 5*24*time.Hour)
			if ok {
				r.DispositionAt = at.Format(st.datetime)
			} else {
				r.Disposition, r.ReceivingAgency = "IN_CUSTODY", ""
			}
		}
		if g.rng.IntN(2) == 0 {
			r.Remarks = g.text()
		}
		out[i] = r
	}
	return out
}

type assistanceRow struct {
	RequestID        string `csv:"request_id"`
	ReceivedAt       string `csv:"received_at"`
	OEMCEventNo      string `csv:"oemc_event_no"`
	Channel          string `csv:"channel"`
	RequestingAgency string `csv:"requesting_agency"`
	AssistanceType   string `csv:"assistance_type"`
	Beat             string `csv:"beat"`
	Response         string `csv:"response"`
	RespondedAt      string `csv:"responded_at"`
	RequesterName    string `csv:"requester_name"`
	RequesterPhone   string `csv:"requester_phone"`
	Notes            string `csv:"notes"`
}

type assistanceGen struct{ base }

// OEMC's export passes through a spreadsheet: ISO datetimes, CRLF, and
// numeric ids and beats with a spurious ".0".
func (g *assistanceGen) style() style {
	return style{datetime: "2006-01-02 15:04:05", date: "2006-01-02", crlf: true}
}

func (g *assistanceGen) rows(from, n int) any {
	out := make([]assistanceRow, n)
	st := g.style()
	for i := range out {
		t := g.when()
		r := assistanceRow{
			RequestID:        fmt.Sprintf("%d.0", 250000+from+i),
			ReceivedAt:       t.Format(st.datetime),
			OEMCEventNo:      "E" + g.canary(),
			Channel:          pick(g.rng, []string{"OEMC_911", "PHONE", "IN_PERSON", "EMAIL", "OTHER", ""}, []int{40, 34, 10, 10, 4, 2}),
			RequestingAgency: pick(g.rng, []string{"ICE", "CBP", "HSI", "OTHER_FEDERAL"}, []int{70, 12, 13, 5}),
			AssistanceType:   pick(g.rng, []string{"TRAFFIC_PERIMETER", "ON_SITE_SUPPORT", "CUSTODY_ACCESS", "INFORMATION", "FACILITY_USE", "TRANSPORT", "OTHER"}, []int{25, 25, 10, 25, 5, 5, 5}),
			Beat:             g.beat(),
			Response:         pick(g.rng, []string{"DECLINED", "REFERRED_SUPERVISOR", "PROVIDED_CRIMINAL_WARRANT", "PROVIDED"}, []int{84, 10, 5, 1}),
			RequesterName:    g.name(),
			RequesterPhone:   fmt.Sprintf("312-555-01%02d %s", g.rng.IntN(100), g.canary()),
		}
		if r.Beat != "" {
			r.Beat += ".0"
		}
		if g.rng.IntN(20) != 0 {
			at, ok := g.after(t, time.Minute, 90*time.Minute)
			r.RespondedAt = formatOr(at, ok, st.datetime)
		}
		if g.rng.IntN(3) == 0 {
			r.Notes = g.text()
		}
		out[i] = r
	}
	return out
}

type incidentRow struct {
	IncidentID           string `csv:"incident_id"`
	OccurredAt           string `csv:"occurred_at"`
	ReportedAt           string `csv:"reported_at"`
	Beat                 string `csv:"beat"`
	BlockAddress         string `csv:"block_address"`
	Latitude             string `csv:"latitude"`
	Longitude            string `csv:"longitude"`
	FederalAgency        string `csv:"federal_agency"`
	AgentsCount          string `csv:"agents_count"`
	AgentsMasked         string `csv:"agents_masked"`
	SupervisorIdentified string `csv:"supervisor_identified"`
	SupervisorName       string `csv:"supervisor_name"`
	SupervisorBadge      string `csv:"supervisor_badge"`
	UseOfForce           string `csv:"use_of_force"`
	ForceTypes           string `csv:"force_types"`
	PersonsInjured       string `csv:"persons_injured"`
	EMSRequested         string `csv:"ems_requested"`
	PersonsDetained      string `csv:"persons_detained"`
	USCitizensDetained   string `csv:"us_citizens_detained"`
	AllegedViolations    string `csv:"alleged_violations"`
	ReferredToSAO        string `csv:"referred_to_sao"`
	ReferralDate         string `csv:"referral_date"`
	SAOStatus            string `csv:"sao_status"`
	BWCPreserved         string `csv:"bwc_preserved"`
	CPDOfficerStar       string `csv:"cpd_officer_star"`
	SubjectNames         string `csv:"subject_names"`
	Narrative            string `csv:"narrative"`
}

type incidentGen struct{ base }

// The new incident system: ISO 8601 datetimes, LF.
func (g *incidentGen) style() style {
	return style{datetime: "2006-01-02T15:04:05", date: "2006-01-02"}
}

var (
	forceTypes   = []string{"PHYSICAL", "TASER", "CHEMICAL", "IMPACT_WEAPON", "FIREARM_POINTED", "FIREARM_DISCHARGED", "VEHICLE", "OTHER"}
	forceWeights = []int{50, 8, 20, 6, 8, 1, 5, 2}
	violations   = []string{"720 ILCS 5/12-3", "720 ILCS 5/12-3.05", "720 ILCS 5/10-3", "720 ILCS 5/12-2", "625 ILCS 5/11-503"}
)

func (g *incidentGen) rows(from, n int) any {
	out := make([]incidentRow, n)
	st := g.style()
	yn := func(yes int) string { return pick(g.rng, []string{"Y", "N"}, []int{yes, 100 - yes}) }
	for i := range out {
		t := g.when()
		reported, ok := g.after(t, 15*time.Minute, 48*time.Hour)
		if !ok {
			reported = t
		}
		r := incidentRow{
			IncidentID:     fmt.Sprintf("FI-%06d", 1+from+i),
			OccurredAt:     t.Format(st.datetime),
			ReportedAt:     reported.Format(st.datetime),
			Beat:           g.beat(),
			BlockAddress:   fmt.Sprintf("0%02dXX W FAKE ST %s", g.rng.IntN(100), g.canary()),
			Latitude:       fmt.Sprintf("%.7f", 41.65+g.rng.Float64()*0.35),
			Longitude:      fmt.Sprintf("%.7f", -87.94+g.rng.Float64()*0.42),
			FederalAgency:  pick(g.rng, []string{"ICE_ERO", "BORDER_PATROL", "HSI", "CBP", "FBI", "DEA", "ATF", "USMS", "NATIONAL_GUARD", "UNKNOWN"}, []int{45, 20, 10, 10, 2, 2, 1, 2, 1, 7}),
			AgentsMasked:   pick(g.rng, []string{"Y", "N", ""}, []int{65, 25, 10}),
			UseOfForce:     yn(35),
			CPDOfficerStar: g.canary(),
			SubjectNames:   g.name(),
		}
		if g.rng.IntN(20) != 0 {
			r.AgentsCount = fmt.Sprint(1 + g.rng.IntN(6) + g.rng.IntN(4)*g.rng.IntN(6))
		}
		r.SupervisorIdentified = pick(g.rng, []string{"Y", "N", "REFUSED", ""}, []int{35, 25, 30, 10})
		if r.SupervisorIdentified == "Y" {
			r.SupervisorName, r.SupervisorBadge = g.name(), "B"+g.canary()
		}
		injured := 0
		if r.UseOfForce == "Y" {
			var kinds []string
			for range 1 + g.rng.IntN(2) {
				k := pick(g.rng, forceTypes, forceWeights)
				if !strings.Contains(strings.Join(kinds, ";"), k) {
					kinds = append(kinds, k)
				}
			}
			r.ForceTypes = strings.Join(kinds, ";")
			injured = []int{0, 0, 1, 1, 2, 3}[g.rng.IntN(6)]
		} else if g.rng.IntN(25) == 0 {
			injured = 1
		}
		r.PersonsInjured = fmt.Sprint(injured)
		if injured > 0 {
			r.EMSRequested = yn(90)
		} else {
			r.EMSRequested = pick(g.rng, []string{"N", "Y", ""}, []int{90, 3, 7})
		}
		detained := []int{0, 1, 1, 1, 2, 2, 3, 4, 6}[g.rng.IntN(9)]
		r.PersonsDetained = fmt.Sprint(detained)
		citizens := 0
		if detained > 0 && g.rng.IntN(10) == 0 {
			citizens = 1
		}
		r.USCitizensDetained = fmt.Sprint(citizens)
		if r.UseOfForce == "Y" || g.rng.IntN(5) == 0 {
			v := []string{violations[g.rng.IntN(len(violations))]}
			if g.rng.IntN(3) == 0 {
				if w := violations[g.rng.IntN(len(violations))]; w != v[0] {
					v = append(v, w)
				}
			}
			r.AllegedViolations = strings.Join(v, ";")
		}
		refer := (r.UseOfForce == "Y" && g.rng.IntN(10) < 4) || g.rng.IntN(20) == 0
		r.ReferredToSAO = "N"
		if day, ok := g.after(reported, 0, 10*24*time.Hour); refer && ok {
			r.ReferredToSAO = "Y"
			r.ReferralDate = day.Format(st.date)
			r.SAOStatus = pick(g.rng, []string{"PENDING", "CHARGED", "DECLINED"}, []int{70, 10, 20})
		}
		r.BWCPreserved = pick(g.rng, []string{"Y", "N", ""}, []int{90, 5, 5})
		r.Narrative = g.text() + "\n" + g.text()
		out[i] = r
	}
	return out
}

type visaRow struct {
	RequestID       string `csv:"request_id"`
	ReceivedAt      string `csv:"received_at"`
	VisaType        string `csv:"visa_type"`
	RequesterType   string `csv:"requester_type"`
	VictimName      string `csv:"victim_name"`
	VictimDOB       string `csv:"victim_dob"`
	RDNumber        string `csv:"rd_number"`
	QualifyingCrime string `csv:"qualifying_crime"`
	Decision        string `csv:"decision"`
	DecidedAt       string `csv:"decided_at"`
	DenialReason    string `csv:"denial_reason"`
}

type visaGen struct{ base }

// The legal affairs unit's spreadsheet: short US datetimes, BOM and CRLF.
func (g *visaGen) style() style {
	return style{datetime: "1/2/2006 15:04", date: "01/02/2006", crlf: true, bom: true}
}

func (g *visaGen) rows(from, n int) any {
	out := make([]visaRow, n)
	st := g.style()
	for i := range out {
		t := g.when()
		r := visaRow{
			RequestID:     fmt.Sprintf("VC-%05d", 1+from+i),
			ReceivedAt:    t.Format(st.datetime),
			VisaType:      pick(g.rng, []string{"U", "T"}, []int{85, 15}),
			RequesterType: pick(g.rng, []string{"ATTORNEY", "ADVOCATE", "SELF", "OTHER", ""}, []int{58, 25, 10, 4, 3}),
			VictimName:    g.name(),
			VictimDOB:     g.birthDate(st.date),
			RDNumber:      "JH" + g.canary(),
		}
		if r.VisaType == "T" {
			r.QualifyingCrime = pick(g.rng, []string{"TRAFFICKING", "KIDNAPPING", "OTHER"}, []int{85, 5, 10})
		} else {
			r.QualifyingCrime = pick(g.rng, []string{"DOMESTIC_VIOLENCE", "SEXUAL_ASSAULT", "FELONIOUS_ASSAULT", "KIDNAPPING", "EXTORTION", "WITNESS_TAMPERING", "OTHER"}, []int{48, 16, 16, 3, 5, 3, 9})
		}
		r.Decision = pick(g.rng, []string{"CERTIFIED", "DENIED", "WITHDRAWN", "PENDING"}, []int{78, 12, 5, 5})
		if r.Decision != "PENDING" {
			at, ok := g.after(t, 5*24*time.Hour, 120*24*time.Hour)
			if ok {
				r.DecidedAt = at.Format(st.datetime)
			} else {
				r.Decision = "PENDING"
			}
		}
		if r.Decision == "DENIED" {
			r.DenialReason = g.text()
		}
		out[i] = r
	}
	return out
}
