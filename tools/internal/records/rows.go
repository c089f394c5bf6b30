package records

// The typed rows of the four exports. Each holds exactly the contract's
// columns that are not personal data: a PII column has no field, so its
// values are never decoded, kept or passed on. TestRowsMatchContract holds
// the structs and the contract together.

// Record is what every typed row offers the pipeline.
type Record interface {
	// RecordID is the export's record id.
	RecordID() string
	// When is the datetime that places the record in a quarter.
	When() Datetime
}

// Detainer is a row of detainer_log.csv.
type Detainer struct {
	LogID           ID       `csv:"log_id"`
	ReceivedAt      Datetime `csv:"received_at"`
	RequestType     Code     `csv:"request_type"`
	IssuingAgency   Code     `csv:"issuing_agency"`
	ArrestBeat      Beat     `csv:"arrest_beat"`
	ChargeClass     Code     `csv:"charge_class"`
	BailPostedAt    Datetime `csv:"bail_posted_at"`
	Disposition     Code     `csv:"disposition"`
	DispositionAt   Datetime `csv:"disposition_at"`
	ReceivingAgency Code     `csv:"receiving_agency"`
}

// Assistance is a row of assistance_requests.csv.
type Assistance struct {
	RequestID        ID       `csv:"request_id"`
	ReceivedAt       Datetime `csv:"received_at"`
	Channel          Code     `csv:"channel"`
	RequestingAgency Code     `csv:"requesting_agency"`
	AssistanceType   Code     `csv:"assistance_type"`
	Beat             Beat     `csv:"beat"`
	Response         Code     `csv:"response"`
	RespondedAt      Datetime `csv:"responded_at"`
}

// Incident is a row of federal_incidents.csv.
type Incident struct {
	IncidentID           ID       `csv:"incident_id"`
	OccurredAt           Datetime `csv:"occurred_at"`
	ReportedAt           Datetime `csv:"reported_at"`
	Beat                 Beat     `csv:"beat"`
	FederalAgency        Code     `csv:"federal_agency"`
	AgentsCount          Number   `csv:"agents_count"`
	AgentsMasked         Flag     `csv:"agents_masked"`
	SupervisorIdentified Code     `csv:"supervisor_identified"`
	UseOfForce           Flag     `csv:"use_of_force"`
	ForceTypes           List     `csv:"force_types"`
	PersonsInjured       Number   `csv:"persons_injured"`
	EMSRequested         Flag     `csv:"ems_requested"`
	PersonsDetained      Number   `csv:"persons_detained"`
	USCitizensDetained   Number   `csv:"us_citizens_detained"`
	AllegedViolations    List     `csv:"alleged_violations"`
	ReferredToSAO        Flag     `csv:"referred_to_sao"`
	ReferralDate         Date     `csv:"referral_date"`
	SAOStatus            Code     `csv:"sao_status"`
	BWCPreserved         Flag     `csv:"bwc_preserved"`
}

// Visa is a row of visa_certifications.csv.
type Visa struct {
	RequestID       ID       `csv:"request_id"`
	ReceivedAt      Datetime `csv:"received_at"`
	VisaType        Code     `csv:"visa_type"`
	RequesterType   Code     `csv:"requester_type"`
	QualifyingCrime Code     `csv:"qualifying_crime"`
	Decision        Code     `csv:"decision"`
	DecidedAt       Datetime `csv:"decided_at"`
}

// RecordID implements Record.
func (r Detainer) RecordID() string { return r.LogID.Value }

// When implements Record.
func (r Detainer) When() Datetime { return r.ReceivedAt }

// RecordID implements Record.
func (r Assistance) RecordID() string { return r.RequestID.Value }

// When implements Record.
func (r Assistance) When() Datetime { return r.ReceivedAt }

// RecordID implements Record.
func (r Incident) RecordID() string { return r.IncidentID.Value }

// When implements Record.
func (r Incident) When() Datetime { return r.OccurredAt }

// RecordID implements Record.
func (r Visa) RecordID() string { return r.RequestID.Value }

// When implements Record.
func (r Visa) When() Datetime { return r.ReceivedAt }
