// Package contract is the records-exports contract, version 1, as data: the
// four CSV exports the toolkit reads, their columns, types, code lists and
// which columns are personal data that must never reach any output.
//
// Everything else derives from it: the row decoder, the checker, the
// synthetic generator and the published data dictionary. A change to the
// contract is made here and nowhere else.
package contract

import (
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/chicago-welcoming-city/transparency/tools/internal/period"
)

// SchemaVersion is the version of the contract this package describes; a
// delivery's manifest must declare it.
const SchemaVersion = 1

// Kind is the type of a column's values.
type Kind string

// The column kinds of contract v1.
const (
	KindID       Kind = "id"       // record identifier, unique within a file
	KindDatetime Kind = "datetime" // Chicago local time, one of the contract's forms
	KindDate     Kind = "date"     // calendar date
	KindCode     Kind = "code"     // one value of a closed list
	KindFlag     Kind = "flag"     // Y/N and their synonyms
	KindCount    Kind = "count"    // integer ≥ 0
	KindBeat     Kind = "beat"     // CPD beat; the district is beat / 100
	KindList     Kind = "list"     // ';'-separated values
	KindText     Kind = "text"     // free text or an identifier of a person
	KindNumber   Kind = "number"   // decimal number (coordinates)
)

// Column describes one column of an export.
type Column struct {
	Name     string   // canonical header name
	Kind     Kind     // value type
	Required bool     // a value must be present on every row
	PII      bool     // never published, never echoed, dropped at read
	Codes    []string // allowed values, for KindCode and KindList with a closed list
	Note     string   // plain-language meaning, used by the data dictionary
}

// RuleKind is the kind of a cross-field rule.
type RuleKind string

// The cross-field rules of contract v1.
const (
	RequiredWhen RuleKind = "required-when" // Column has a value when If holds
	EmptyWhen    RuleKind = "empty-when"    // Column is empty when If holds
	NotBefore    RuleKind = "not-before"    // Column's time is not before Other's
	AtMost       RuleKind = "at-most"       // Column's count is at most Other's
)

// Cond is a condition on a code or flag column's normalized value (flags
// read as Y or N). It holds only when the column has a value.
type Cond struct {
	Column string
	In     []string // holds when the value is one of these
	NotIn  []string // or: holds when the value is none of these
}

// Holds reports whether a normalized value meets the condition.
func (c Cond) Holds(value string) bool {
	if value == "" {
		return false
	}
	if len(c.In) > 0 {
		return slices.Contains(c.In, value)
	}
	return !slices.Contains(c.NotIn, value)
}

// Rule is a cross-field rule of an export.
type Rule struct {
	Kind   RuleKind
	Column string // the column the rule is about; problems are reported on it
	Other  string // NotBefore, AtMost: the column compared with
	If     Cond   // RequiredWhen, EmptyWhen
	// Toolkit marks rules the contract leaves open that the toolkit adds,
	// as a careful reader of the records would (see the data dictionary).
	Toolkit bool
}

// Export describes one CSV file of a delivery.
type Export struct {
	Name       string   // snake_case name, also the file's base name
	Title      string   // plain-language title
	Rules      []string // the legal rules its published numbers answer to
	IDColumn   string   // the record id column
	DateColumn string   // the datetime that places a record in a quarter
	// Since is when the records began to be kept; quarters before it are
	// not published as zero, they are not published at all. Zero means the
	// export's whole history is published.
	Since   time.Time
	Columns []Column
	Checks  []Rule // cross-field rules
}

// File is the export's file name within a delivery.
func (e Export) File() string { return e.Name + ".csv" }

// Slug is the lowercase-dash form of the name, used for data files and URLs.
func (e Export) Slug() string { return strings.ReplaceAll(e.Name, "_", "-") }

// Column returns the column with the canonical name, if any.
func (e Export) Column(name string) (Column, bool) {
	i := slices.IndexFunc(e.Columns, func(c Column) bool { return c.Name == name })
	if i < 0 {
		return Column{}, false
	}
	return e.Columns[i], true
}

// PIIColumns lists the names of the columns that are personal data.
func (e Export) PIIColumns() []string {
	var out []string
	for _, c := range e.Columns {
		if c.PII {
			out = append(out, c.Name)
		}
	}
	return out
}

// ValidDistricts are the CPD police districts (13, 21 and 23 were merged away).
var ValidDistricts = []int{1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 14, 15, 16, 17, 18, 19, 20, 22, 24, 25}

// IsDistrict reports whether d is a valid CPD district.
func IsDistrict(d int) bool { return slices.Contains(ValidDistricts, d) }

// Exports returns the four exports of contract v1, in delivery order.
func Exports() []Export { return slices.Clone(v1) }

// Lookup returns the export with the given name.
func Lookup(name string) (Export, error) {
	for _, e := range v1 {
		if e.Name == name {
			return e, nil
		}
	}
	return Export{}, fmt.Errorf("no export named %q in contract v%d", name, SchemaVersion)
}

var (
	agenciesDetainer  = []string{"ICE", "CBP", "USMS", "OTHER"}
	agenciesReceiving = []string{"ICE", "CBP", "USMS", "COOK_COUNTY", "OTHER"}
	flagValues        = []string{"Y", "N"}
)

var v1 = []Export{
	{
		Name:       "detainer_log",
		Title:      "Immigration detainers and administrative warrants",
		Rules:      []string{"MCC 2-173-069(b)", "5 ILCS 805/25(a)"},
		IDColumn:   "log_id",
		DateColumn: "received_at",
		Columns: []Column{
			{Name: "log_id", Kind: KindID, Required: true, Note: "record id"},
			{Name: "received_at", Kind: KindDatetime, Required: true, Note: "when CPD received the request"},
			{Name: "request_type", Kind: KindCode, Required: true, Codes: []string{"DETAINER", "ADMIN_WARRANT", "NOTIFICATION", "JUDICIAL_WARRANT"}},
			{Name: "issuing_agency", Kind: KindCode, Required: true, Codes: agenciesDetainer},
			{Name: "subject_name", Kind: KindText, PII: true},
			{Name: "subject_dob", Kind: KindDate, PII: true},
			{Name: "cb_number", Kind: KindText, PII: true, Note: "central booking number"},
			{Name: "arrest_beat", Kind: KindBeat},
			{Name: "charge_class", Kind: KindCode, Codes: []string{"FELONY", "MISDEMEANOR", "ORDINANCE", "NONE"}},
			{Name: "bail_posted_at", Kind: KindDatetime, Note: "empty if no bail was posted"},
			{Name: "disposition", Kind: KindCode, Required: true, Codes: []string{"RELEASED", "TRANSFERRED_FEDERAL", "TRANSFERRED_OTHER", "IN_CUSTODY"}},
			{Name: "disposition_at", Kind: KindDatetime, Note: "required unless IN_CUSTODY"},
			{Name: "receiving_agency", Kind: KindCode, Codes: agenciesReceiving, Note: "required when TRANSFERRED_*"},
			{Name: "entered_by_star", Kind: KindText, PII: true, Note: "CPD officer star number"},
			{Name: "remarks", Kind: KindText, PII: true, Note: "free text"},
		},
		Checks: []Rule{
			{Kind: RequiredWhen, Column: "disposition_at", If: Cond{Column: "disposition", NotIn: []string{"IN_CUSTODY"}}},
			{Kind: RequiredWhen, Column: "receiving_agency", If: Cond{Column: "disposition", In: []string{"TRANSFERRED_FEDERAL", "TRANSFERRED_OTHER"}}},
			{Kind: NotBefore, Column: "disposition_at", Other: "received_at", Toolkit: true},
		},
	},
	{
		Name:       "assistance_requests",
		Title:      "Requests for assistance with civil immigration enforcement",
		Rules:      []string{"MCC 2-173-069(a)", "5 ILCS 805/25(a)"},
		IDColumn:   "request_id",
		DateColumn: "received_at",
		Columns: []Column{
			{Name: "request_id", Kind: KindID, Required: true, Note: "record id"},
			{Name: "received_at", Kind: KindDatetime, Required: true},
			{Name: "oemc_event_no", Kind: KindText, PII: true},
			{Name: "channel", Kind: KindCode, Codes: []string{"OEMC_911", "PHONE", "IN_PERSON", "EMAIL", "OTHER"}},
			{Name: "requesting_agency", Kind: KindCode, Required: true, Codes: []string{"ICE", "CBP", "HSI", "OTHER_FEDERAL"}},
			{Name: "assistance_type", Kind: KindCode, Required: true, Codes: []string{"TRAFFIC_PERIMETER", "ON_SITE_SUPPORT", "CUSTODY_ACCESS", "INFORMATION", "FACILITY_USE", "TRANSPORT", "OTHER"}},
			{Name: "beat", Kind: KindBeat},
			{Name: "response", Kind: KindCode, Required: true, Codes: []string{"DECLINED", "REFERRED_SUPERVISOR", "PROVIDED_CRIMINAL_WARRANT", "PROVIDED"}, Note: "PROVIDED (help without a criminal warrant) is a possible ordinance violation and is always shown"},
			{Name: "responded_at", Kind: KindDatetime},
			{Name: "requester_name", Kind: KindText, PII: true},
			{Name: "requester_phone", Kind: KindText, PII: true},
			{Name: "notes", Kind: KindText, PII: true, Note: "free text"},
		},
		Checks: []Rule{
			{Kind: NotBefore, Column: "responded_at", Other: "received_at", Toolkit: true},
		},
	},
	{
		Name:       "federal_incidents",
		Title:      "Documented federal immigration enforcement activity",
		Rules:      []string{"Executive order \"ICE On Notice\" (2026)"},
		IDColumn:   "incident_id",
		DateColumn: "occurred_at",
		Since:      time.Date(2026, 1, 31, 0, 0, 0, 0, period.Chicago), // the order was signed
		Columns: []Column{
			{Name: "incident_id", Kind: KindID, Required: true, Note: "record id"},
			{Name: "occurred_at", Kind: KindDatetime, Required: true},
			{Name: "reported_at", Kind: KindDatetime, Required: true, Note: "not before occurred_at"},
			{Name: "beat", Kind: KindBeat},
			{Name: "block_address", Kind: KindText, PII: true},
			{Name: "latitude", Kind: KindNumber, PII: true},
			{Name: "longitude", Kind: KindNumber, PII: true},
			{Name: "federal_agency", Kind: KindCode, Required: true, Codes: []string{"ICE_ERO", "HSI", "CBP", "BORDER_PATROL", "FBI", "DEA", "ATF", "USMS", "NATIONAL_GUARD", "UNKNOWN"}},
			{Name: "agents_count", Kind: KindCount},
			{Name: "agents_masked", Kind: KindFlag, Codes: flagValues},
			{Name: "supervisor_identified", Kind: KindCode, Codes: []string{"Y", "N", "REFUSED"}},
			{Name: "supervisor_name", Kind: KindText, PII: true},
			{Name: "supervisor_badge", Kind: KindText, PII: true},
			{Name: "use_of_force", Kind: KindFlag, Required: true, Codes: flagValues},
			{Name: "force_types", Kind: KindList, Codes: []string{"PHYSICAL", "TASER", "CHEMICAL", "IMPACT_WEAPON", "FIREARM_POINTED", "FIREARM_DISCHARGED", "VEHICLE", "OTHER"}, Note: "empty when use_of_force = N"},
			{Name: "persons_injured", Kind: KindCount},
			{Name: "ems_requested", Kind: KindFlag, Codes: flagValues},
			{Name: "persons_detained", Kind: KindCount},
			{Name: "us_citizens_detained", Kind: KindCount, Note: "at most persons_detained"},
			{Name: "alleged_violations", Kind: KindList, Note: "Illinois statute citations such as 720 ILCS 5/12-3"},
			{Name: "referred_to_sao", Kind: KindFlag, Required: true, Codes: flagValues, Note: "referral to the Cook County State's Attorney"},
			{Name: "referral_date", Kind: KindDate, Note: "required when referred_to_sao = Y"},
			{Name: "sao_status", Kind: KindCode, Codes: []string{"PENDING", "CHARGED", "DECLINED"}, Note: "empty when not referred"},
			{Name: "bwc_preserved", Kind: KindFlag, Codes: flagValues, Note: "body-worn camera footage preserved"},
			{Name: "cpd_officer_star", Kind: KindText, PII: true},
			{Name: "subject_names", Kind: KindText, PII: true},
			{Name: "narrative", Kind: KindText, PII: true, Note: "free text"},
		},
		Checks: []Rule{
			{Kind: NotBefore, Column: "reported_at", Other: "occurred_at"},
			{Kind: AtMost, Column: "us_citizens_detained", Other: "persons_detained"},
			{Kind: EmptyWhen, Column: "force_types", If: Cond{Column: "use_of_force", In: []string{"N"}}},
			{Kind: RequiredWhen, Column: "referral_date", If: Cond{Column: "referred_to_sao", In: []string{"Y"}}},
			{Kind: EmptyWhen, Column: "sao_status", If: Cond{Column: "referred_to_sao", In: []string{"N"}}},
		},
	},
	{
		Name:       "visa_certifications",
		Title:      "U and T visa certification requests",
		Rules:      []string{"5 ILCS 825 (VOICES Act)"},
		IDColumn:   "request_id",
		DateColumn: "received_at",
		Columns: []Column{
			{Name: "request_id", Kind: KindID, Required: true, Note: "record id"},
			{Name: "received_at", Kind: KindDatetime, Required: true},
			{Name: "visa_type", Kind: KindCode, Required: true, Codes: []string{"U", "T"}},
			{Name: "requester_type", Kind: KindCode, Codes: []string{"ATTORNEY", "ADVOCATE", "SELF", "OTHER"}},
			{Name: "victim_name", Kind: KindText, PII: true},
			{Name: "victim_dob", Kind: KindDate, PII: true},
			{Name: "rd_number", Kind: KindText, PII: true, Note: "police report number"},
			{Name: "qualifying_crime", Kind: KindCode, Codes: []string{"DOMESTIC_VIOLENCE", "SEXUAL_ASSAULT", "TRAFFICKING", "FELONIOUS_ASSAULT", "KIDNAPPING", "EXTORTION", "WITNESS_TAMPERING", "OTHER"}},
			{Name: "decision", Kind: KindCode, Required: true, Codes: []string{"CERTIFIED", "DENIED", "PENDING", "WITHDRAWN"}},
			{Name: "decided_at", Kind: KindDatetime, Note: "required unless PENDING"},
			{Name: "denial_reason", Kind: KindText, PII: true, Note: "free text"},
		},
		Checks: []Rule{
			{Kind: RequiredWhen, Column: "decided_at", If: Cond{Column: "decision", NotIn: []string{"PENDING"}}},
			{Kind: NotBefore, Column: "decided_at", Other: "received_at", Toolkit: true},
		},
	},
}
