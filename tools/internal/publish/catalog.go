package publish

import (
	"fmt"
	"slices"
	"strconv"

	"github.com/chicago-welcoming-city/transparency/tools/internal/contract"
	"github.com/chicago-welcoming-city/transparency/tools/internal/records"
)

// A Dimension is a way of breaking down an export's records: by district,
// by disposition, by whether force was used. Each record has one value (or,
// for Multi dimensions, any number of values) from a closed list, so every
// published table has a known shape and its cells add up to the total.
type Dimension struct {
	ID     string   // snake_case; also the download's column name
	Export string   // the export it breaks down
	Column string   // the contract column it reads
	Values []string // every value, in display order
	Multi  bool     // a record may count under several values (force types)
	// Context marks breakdowns no rule asks for, published for context.
	Context bool
	// Links are what the contract's rules make of this dimension and
	// another of the same export: a reader who sees both tables can use
	// them, so the publisher protects them and the audit attacks them.
	Links []Link
	one   func(records.Record) string   // the value, for single-valued dimensions
	many  func(records.Record) []string // the values, for Multi dimensions
}

// of returns a record's values of the dimension.
func (d Dimension) of(r records.Record) []string {
	if d.Multi {
		return d.many(r)
	}
	return []string{d.one(r)}
}

// A Link ties a dimension's counts to another dimension's in the same
// period. Sum: the records with Value are exactly those with one of the
// other dimension's Values (not transferred = released + in custody).
// Bound: the records under each of this dimension's values are among
// those with the other's single value (each force type ≤ force used).
// AtLeast: the records with Value include those with the other's single
// value (anyone detained ≥ a U.S. citizen detained).
type Link struct {
	Value     string // this dimension's value (Sum, AtLeast); empty for Bound
	Dimension string
	Values    []string
	Bound     bool
	AtLeast   bool
}

// A Measure is a figure computed from counts: a share of records, or a
// median number of days.
type Measure struct {
	ID     string
	Export string
	Unit   string // percent or days
	// A rate is the share of records whose Dimension is Value.
	Dimension, Value string
	// A median is of the days from one datetime to another, over records
	// with a decision: those with one of BaseValues of dimension Base.
	days       func(records.Record) (int, bool)
	Base       string
	BaseValues []string
}

const (
	unknown     = "UNKNOWN"
	none        = "NONE"
	notReferred = "NOT_REFERRED"
)

// Catalog lists every dimension and measure the toolkit can publish; the
// publication policy in config.yaml chooses among them.
func Catalog() ([]Dimension, []Measure) { return slices.Clone(dimensions), slices.Clone(measures) }

// catalogOf lists the dimensions and measures of one export, in catalog order.
func catalogOf(export string) (dims []Dimension, ms []Measure) {
	for _, d := range dimensions {
		if d.Export == export {
			dims = append(dims, d)
		}
	}
	for _, m := range measures {
		if m.Export == export {
			ms = append(ms, m)
		}
	}
	return dims, ms
}

// LookupDimension finds a dimension of an export by id.
func LookupDimension(export, id string) (Dimension, bool) {
	i := slices.IndexFunc(dimensions, func(d Dimension) bool { return d.Export == export && d.ID == id })
	if i < 0 {
		return Dimension{}, false
	}
	return dimensions[i], true
}

// LookupMeasure finds a measure of an export by id.
func LookupMeasure(export, id string) (Measure, bool) {
	i := slices.IndexFunc(measures, func(m Measure) bool { return m.Export == export && m.ID == id })
	if i < 0 {
		return Measure{}, false
	}
	return measures[i], true
}

func districtValues() []string {
	var out []string
	for _, d := range contract.ValidDistricts {
		out = append(out, strconv.Itoa(d))
	}
	return append(out, unknown)
}

// districtNames are the district values, by district number.
var districtNames = func() map[int]string {
	m := map[int]string{}
	for _, d := range contract.ValidDistricts {
		m[d] = strconv.Itoa(d)
	}
	return m
}()

func district(b records.Beat) string {
	if !b.Valid {
		return unknown
	}
	return districtNames[b.District]
}

func code(c records.Code) string {
	if c == "" {
		return unknown
	}
	return string(c)
}

func flag(f records.Flag) string {
	switch {
	case !f.Valid:
		return unknown
	case f.Value:
		return "Y"
	}
	return "N"
}

func atLeastOne(c records.Number) string {
	switch {
	case !c.Valid:
		return unknown
	case c.Value > 0:
		return "Y"
	}
	return "N"
}

// column returns a contract column; the catalog naming one the contract
// lacks is a bug, found when the package loads.
func column(export, name string) contract.Column {
	e, err := contract.Lookup(export)
	if err != nil {
		panic(err)
	}
	c, ok := e.Column(name)
	if !ok {
		panic(fmt.Sprintf("catalog: %s has no column %s", export, name))
	}
	return c
}

// codes returns a contract column's codes, with UNKNOWN when it may be empty.
func codes(export, name string) []string {
	c := column(export, name)
	out := slices.Clone(c.Codes)
	if !c.Required {
		out = append(out, unknown)
	}
	return out
}

// listCodes returns the codes of a list column; a record with none simply
// counts under no value.
func listCodes(export, name string) []string { return slices.Clone(column(export, name).Codes) }

var yn = []string{"Y", "N", unknown}

// dhsAgencies are the requesting agencies that are part of the Department
// of Homeland Security.
var dhsAgencies = []string{"ICE", "CBP", "HSI"}

var dimensions = []Dimension{
	// detainer_log
	{ID: "district", Export: "detainer_log", Column: "arrest_beat", Values: districtValues(), Context: true,
		one: func(r records.Record) string { return district(r.(records.Detainer).ArrestBeat) }},
	{ID: "request_type", Export: "detainer_log", Column: "request_type", Values: codes("detainer_log", "request_type"),
		one: func(r records.Record) string { return code(r.(records.Detainer).RequestType) }},
	{ID: "issuing_agency", Export: "detainer_log", Column: "issuing_agency", Values: codes("detainer_log", "issuing_agency"),
		one: func(r records.Record) string { return code(r.(records.Detainer).IssuingAgency) }},
	{ID: "charge_class", Export: "detainer_log", Column: "charge_class", Values: codes("detainer_log", "charge_class"), Context: true,
		one: func(r records.Record) string { return code(r.(records.Detainer).ChargeClass) }},
	{ID: "bail_posted", Export: "detainer_log", Column: "bail_posted_at", Values: []string{"Y", "N"},
		one: func(r records.Record) string {
			if r.(records.Detainer).BailPostedAt.Valid {
				return "Y"
			}
			return "N"
		}},
	{ID: "disposition", Export: "detainer_log", Column: "disposition", Values: codes("detainer_log", "disposition"),
		one: func(r records.Record) string { return code(r.(records.Detainer).Disposition) }},
	{ID: "receiving_agency", Export: "detainer_log", Column: "receiving_agency", Values: []string{"ICE", "CBP", "USMS", "COOK_COUNTY", "OTHER", none},
		// No receiving agency exactly when the person was not transferred.
		Links: []Link{{Value: none, Dimension: "disposition", Values: []string{"RELEASED", "IN_CUSTODY"}}},
		one: func(r records.Record) string {
			d := r.(records.Detainer)
			if d.Disposition != "TRANSFERRED_FEDERAL" && d.Disposition != "TRANSFERRED_OTHER" {
				return none
			}
			return code(d.ReceivingAgency)
		}},

	// assistance_requests
	{ID: "district", Export: "assistance_requests", Column: "beat", Values: districtValues(), Context: true,
		one: func(r records.Record) string { return district(r.(records.Assistance).Beat) }},
	{ID: "channel", Export: "assistance_requests", Column: "channel", Values: codes("assistance_requests", "channel"),
		one: func(r records.Record) string { return code(r.(records.Assistance).Channel) }},
	{ID: "requesting_agency", Export: "assistance_requests", Column: "requesting_agency", Values: codes("assistance_requests", "requesting_agency"),
		one: func(r records.Record) string { return code(r.(records.Assistance).RequestingAgency) }},
	{ID: "dhs_request", Export: "assistance_requests", Column: "requesting_agency", Values: []string{"Y", "N"},
		// The TRUST Act's annual report lists the requests of the
		// Department of Homeland Security: ICE (with HSI, part of it) and
		// CBP. Requests of other federal agencies are not among them.
		Links: []Link{
			{Value: "Y", Dimension: "requesting_agency", Values: dhsAgencies},
			{Value: "N", Dimension: "requesting_agency", Values: []string{"OTHER_FEDERAL"}},
		},
		one: func(r records.Record) string {
			if slices.Contains(dhsAgencies, code(r.(records.Assistance).RequestingAgency)) {
				return "Y"
			}
			return "N"
		}},
	{ID: "assistance_type", Export: "assistance_requests", Column: "assistance_type", Values: codes("assistance_requests", "assistance_type"),
		one: func(r records.Record) string { return code(r.(records.Assistance).AssistanceType) }},
	{ID: "response", Export: "assistance_requests", Column: "response", Values: codes("assistance_requests", "response"),
		one: func(r records.Record) string { return code(r.(records.Assistance).Response) }},

	// federal_incidents
	{ID: "district", Export: "federal_incidents", Column: "beat", Values: districtValues(), Context: true,
		one: func(r records.Record) string { return district(r.(records.Incident).Beat) }},
	{ID: "federal_agency", Export: "federal_incidents", Column: "federal_agency", Values: codes("federal_incidents", "federal_agency"),
		one: func(r records.Record) string { return code(r.(records.Incident).FederalAgency) }},
	{ID: "agents_masked", Export: "federal_incidents", Column: "agents_masked", Values: yn,
		one: func(r records.Record) string { return flag(r.(records.Incident).AgentsMasked) }},
	{ID: "supervisor_identified", Export: "federal_incidents", Column: "supervisor_identified", Values: codes("federal_incidents", "supervisor_identified"),
		one: func(r records.Record) string { return code(r.(records.Incident).SupervisorIdentified) }},
	{ID: "use_of_force", Export: "federal_incidents", Column: "use_of_force", Values: []string{"Y", "N"},
		one: func(r records.Record) string { return flag(r.(records.Incident).UseOfForce) }},
	{ID: "force_type", Export: "federal_incidents", Column: "force_types", Values: listCodes("federal_incidents", "force_types"), Multi: true,
		// Force types are empty when no force was used.
		Links: []Link{{Dimension: "use_of_force", Values: []string{"Y"}, Bound: true}},
		many: func(r records.Record) []string {
			var out []string
			for _, t := range r.(records.Incident).ForceTypes {
				if c := records.NormalizeCode(t); !slices.Contains(out, c) {
					out = append(out, c)
				}
			}
			return out
		}},
	{ID: "injuries", Export: "federal_incidents", Column: "persons_injured", Values: yn,
		one: func(r records.Record) string { return atLeastOne(r.(records.Incident).PersonsInjured) }},
	{ID: "ems_requested", Export: "federal_incidents", Column: "ems_requested", Values: yn,
		one: func(r records.Record) string { return flag(r.(records.Incident).EMSRequested) }},
	// Whether anyone was detained: a count of people, from a yes/no column
	// of a system that has one (an arrest made), through its
	// configuration. Published for context.
	{ID: "persons_detained", Export: "federal_incidents", Column: "persons_detained", Values: yn, Context: true,
		// A U.S. citizen detained is someone detained (the contract's rule).
		Links: []Link{{Value: "Y", Dimension: "us_citizens_detained", Values: []string{"Y"}, AtLeast: true}},
		one:   func(r records.Record) string { return atLeastOne(r.(records.Incident).PersonsDetained) }},
	{ID: "us_citizens_detained", Export: "federal_incidents", Column: "us_citizens_detained", Values: yn,
		one: func(r records.Record) string { return atLeastOne(r.(records.Incident).USCitizensDetained) }},
	{ID: "referred_to_sao", Export: "federal_incidents", Column: "referred_to_sao", Values: []string{"Y", "N"},
		one: func(r records.Record) string { return flag(r.(records.Incident).ReferredToSAO) }},
	{ID: "sao_status", Export: "federal_incidents", Column: "sao_status", Values: []string{"PENDING", "CHARGED", "DECLINED", notReferred, unknown},
		// A status is empty exactly when the incident was not referred.
		Links: []Link{{Value: notReferred, Dimension: "referred_to_sao", Values: []string{"N"}}},
		one: func(r records.Record) string {
			i := r.(records.Incident)
			if !i.ReferredToSAO.Is() {
				return notReferred
			}
			return code(i.SAOStatus)
		}},
	{ID: "bwc_preserved", Export: "federal_incidents", Column: "bwc_preserved", Values: yn,
		one: func(r records.Record) string { return flag(r.(records.Incident).BWCPreserved) }},

	// visa_certifications
	{ID: "visa_type", Export: "visa_certifications", Column: "visa_type", Values: codes("visa_certifications", "visa_type"),
		one: func(r records.Record) string { return code(r.(records.Visa).VisaType) }},
	{ID: "requester_type", Export: "visa_certifications", Column: "requester_type", Values: codes("visa_certifications", "requester_type"), Context: true,
		one: func(r records.Record) string { return code(r.(records.Visa).RequesterType) }},
	{ID: "qualifying_crime", Export: "visa_certifications", Column: "qualifying_crime", Values: codes("visa_certifications", "qualifying_crime"),
		one: func(r records.Record) string { return code(r.(records.Visa).QualifyingCrime) }},
	{ID: "decision", Export: "visa_certifications", Column: "decision", Values: codes("visa_certifications", "decision"),
		one: func(r records.Record) string { return code(r.(records.Visa).Decision) }},
}

var measures = []Measure{
	{ID: "share_transferred_federal", Export: "detainer_log", Unit: UnitPercent, Dimension: "disposition", Value: "TRANSFERRED_FEDERAL"},
	{ID: "share_declined", Export: "assistance_requests", Unit: UnitPercent, Dimension: "response", Value: "DECLINED"},
	{ID: "share_provided_without_warrant", Export: "assistance_requests", Unit: UnitPercent, Dimension: "response", Value: "PROVIDED"},
	{ID: "share_with_force", Export: "federal_incidents", Unit: UnitPercent, Dimension: "use_of_force", Value: "Y"},
	{ID: "share_ems_requested", Export: "federal_incidents", Unit: UnitPercent, Dimension: "ems_requested", Value: "Y"},
	{ID: "median_days_to_decision", Export: "visa_certifications", Unit: UnitDays, Base: "decision", BaseValues: []string{"CERTIFIED", "DENIED"},
		days: func(r records.Record) (int, bool) {
			v := r.(records.Visa)
			if (v.Decision != "CERTIFIED" && v.Decision != "DENIED") || !v.DecidedAt.Valid || !v.ReceivedAt.Valid {
				return 0, false
			}
			d := v.DecidedAt.Time.Sub(v.ReceivedAt.Time).Hours() / 24
			return int(d), true
		}},
}
