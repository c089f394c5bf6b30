package filing

import (
	"time"

	"github.com/chicago-welcoming-city/transparency/tools/internal/period"
	"github.com/chicago-welcoming-city/transparency/tools/internal/records"
)

// The filings the toolkit prepares. Each list holds exactly the fields its
// clause names; where a clause leaves a choice open, the comment says what
// was chosen and why.
var kinds = []Kind{
	{
		ID:         Quarterly,
		Title:      "Quarterly Welcoming City compliance report",
		Authority:  "Municipal Code of Chicago, section 2-173-069",
		To:         "The Mayor of Chicago and the Office of Inspector General",
		Filer:      "Chicago Police Department",
		PeriodKind: "quarter",
		Sections: []Section{
			{
				// Every row of assistance_requests is a notification to
				// OEMC: the clause asks for the list, and names no field
				// but the notification itself, so the list gives its date.
				ID: "oemc-notifications", Export: "assistance_requests",
				Title:  "Notifications to OEMC of requests for assistance with civil immigration enforcement",
				Clause: "MCC 2-173-069(a)",
				Columns: []Column{
					{Name: "Date received", Clause: "MCC 2-173-069(a)", Date: true},
				},
				None: "The Department made no notification to OEMC of a request for assistance with civil immigration enforcement in this quarter.",
				row: func(r records.Record) ([]string, bool) {
					a := r.(records.Assistance)
					return []string{date(a.ReceivedAt)}, true
				},
			},
			{
				// Immigration detainers and administrative warrants
				// (I-200, I-205, NCIC Immigration Violator File hits), as
				// CPD-31.110 logs them; notification requests and judicial
				// warrants are not what this clause names.
				ID: "detainers", Export: "detainer_log",
				Title:  "Immigration detainers and administrative warrants received",
				Clause: "MCC 2-173-069(b)",
				Filter: Filter{Dimension: "request_type", Values: []string{"DETAINER", "ADMIN_WARRANT"}},
				Columns: []Column{
					{Name: "Date received", Clause: "MCC 2-173-069(b)", Date: true},
					{Name: "Transferred to federal custody", Clause: "MCC 2-173-069(b)",
						Dimension: "disposition", Cells: map[string]string{yes: "TRANSFERRED_FEDERAL"}},
					{Name: "Federal agency", Clause: "MCC 2-173-069(b)",
						Dimension: "receiving_agency", Cells: map[string]string{"ICE": "ICE", "CBP": "CBP", "USMS": "USMS"}},
				},
				None: "The Department received no immigration detainer or administrative warrant in this quarter.",
				row: func(r records.Record) ([]string, bool) {
					d := r.(records.Detainer)
					if d.RequestType != "DETAINER" && d.RequestType != "ADMIN_WARRANT" {
						return nil, false
					}
					transferred, agency := no, ""
					if d.Disposition == "TRANSFERRED_FEDERAL" {
						transferred, agency = yes, string(d.ReceivingAgency)
					}
					return []string{date(d.ReceivedAt), transferred, agency}, true
				},
			},
		},
	},
	{
		ID:         Annual,
		Title:      "Annual report to the Illinois Attorney General",
		Authority:  "Illinois TRUST Act, 5 ILCS 805/25, and VOICES Act, 5 ILCS 825/20",
		To:         "The Attorney General of Illinois",
		Filer:      "Chicago Police Department",
		PeriodKind: "year",
		Sections: []Section{
			{
				// The Department of Homeland Security's components in the
				// contract: ICE (with HSI, part of it) and CBP. Requests of
				// other federal agencies are not DHS requests.
				ID: "dhs-requests", Export: "assistance_requests",
				Title:  "Requests from the Department of Homeland Security to participate in or support civil immigration enforcement",
				Clause: "5 ILCS 805/25(a)(1)",
				Filter: Filter{Dimension: "requesting_agency", Values: []string{"ICE", "CBP", "HSI"}},
				Columns: []Column{
					{Name: "Date received", Clause: "5 ILCS 805/25(a)(1)", Date: true},
					{Name: "How the request was handled", Clause: "5 ILCS 805/25(a)(1)",
						Dimension: "response", Cells: invert(responses)},
				},
				None: "The Department certifies that it received no request from the Department of Homeland Security to participate in, support or assist a civil immigration enforcement operation in this calendar year.",
				row: func(r records.Record) ([]string, bool) {
					a := r.(records.Assistance)
					switch a.RequestingAgency {
					case "ICE", "CBP", "HSI":
						return []string{date(a.ReceivedAt), responses[string(a.Response)]}, true
					}
					return nil, false
				},
			},
			{
				// The Act's detainers include notification requests; a
				// judicial warrant is a criminal warrant, not a civil one.
				ID: "detainers", Export: "detainer_log",
				Title:  "Immigration detainers and civil immigration warrants received",
				Clause: "5 ILCS 805/25(a)(2)",
				Filter: Filter{Dimension: "request_type", Values: []string{"DETAINER", "ADMIN_WARRANT", "NOTIFICATION"}},
				Columns: []Column{
					{Name: "Date received", Clause: "5 ILCS 805/25(a)(2)(A)", Date: true},
					{Name: "Date and time criminal bail was posted", Clause: "5 ILCS 805/25(a)(2)(B)",
						Dimension: "bail_posted", Present: "Y", Absent: "N"},
					{Name: "Released or transferred", Clause: "5 ILCS 805/25(a)(2)(C)",
						Dimension: "disposition", Cells: invert(dispositions)},
					{Name: "Date and time of release or transfer", Clause: "5 ILCS 805/25(a)(2)(D)"},
					{Name: "Agency that took custody", Clause: "5 ILCS 805/25(a)(2)(E)",
						Dimension: "receiving_agency", Cells: invert(custodians)},
				},
				None: "The Department certifies that it received no immigration detainer or civil immigration warrant in this calendar year.",
				row: func(r records.Record) ([]string, bool) {
					d := r.(records.Detainer)
					switch d.RequestType {
					case "DETAINER", "ADMIN_WARRANT", "NOTIFICATION":
					default:
						return nil, false
					}
					when := ""
					if d.Disposition != "IN_CUSTODY" {
						when = minute(d.DispositionAt)
					}
					return []string{date(d.ReceivedAt), minute(d.BailPostedAt), dispositions[string(d.Disposition)], when, custodians[string(d.ReceivingAgency)]}, true
				},
			},
			{
				// U and T visa certifications: the date of the request and
				// the date the signed form, or the written denial, was
				// provided. A pending or withdrawn request has neither.
				ID: "visa-certifications", Export: "visa_certifications",
				Title:  "U and T visa certification requests",
				Clause: "5 ILCS 825/20",
				Columns: []Column{
					{Name: "Date received", Clause: "5 ILCS 825/20", Date: true},
					{Name: "Date the certification was provided", Clause: "5 ILCS 825/20",
						Dimension: "decision", Present: "CERTIFIED"},
					{Name: "Date the written denial was provided", Clause: "5 ILCS 825/20",
						Dimension: "decision", Present: "DENIED"},
				},
				None: "The Department certifies that it received no request for a U or T visa certification in this calendar year.",
				row: func(r records.Record) ([]string, bool) {
					v := r.(records.Visa)
					certified, denied := "", ""
					switch v.Decision {
					case "CERTIFIED":
						certified = date(v.DecidedAt)
					case "DENIED":
						denied = date(v.DecidedAt)
					}
					return []string{date(v.ReceivedAt), certified, denied}, true
				},
			},
		},
	},
}

const (
	yes = "Yes"
	no  = "No"
)

// responses are how a request was handled, in words, by contract code.
var responses = map[string]string{
	"DECLINED":                  "Declined",
	"REFERRED_SUPERVISOR":       "Referred to a supervisor",
	"PROVIDED_CRIMINAL_WARRANT": "Assistance given under a criminal warrant",
	"PROVIDED":                  "Assistance given without a criminal warrant",
}

// dispositions say whether a person was released or transferred.
var dispositions = map[string]string{
	"RELEASED":            "Released",
	"TRANSFERRED_FEDERAL": "Transferred",
	"TRANSFERRED_OTHER":   "Transferred",
	"IN_CUSTODY":          "Neither: still in custody",
}

// custodians are the agencies that took custody, by contract code.
var custodians = map[string]string{
	"ICE":         "ICE",
	"CBP":         "CBP",
	"USMS":        "U.S. Marshals Service",
	"COOK_COUNTY": "Cook County Sheriff",
	"OTHER":       "Other agency",
}

// invert maps words back to codes, for the audit; a word shared by two
// codes (Transferred) names neither, since a reader cannot tell them apart.
func invert(m map[string]string) map[string]string {
	out := map[string]string{}
	seen := map[string]int{}
	for _, w := range m {
		seen[w]++
	}
	for c, w := range m {
		if seen[w] == 1 {
			out[w] = c
		}
	}
	return out
}

// date is a datetime's Chicago date, or empty when unknown.
func date(t records.Datetime) string {
	if !t.Valid {
		return ""
	}
	return t.Time.In(period.Chicago).Format(time.DateOnly)
}

// minute is a datetime's Chicago date and time to the minute, or empty.
func minute(t records.Datetime) string {
	if !t.Valid {
		return ""
	}
	return t.Time.In(period.Chicago).Format("2006-01-02 15:04")
}
