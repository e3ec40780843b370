package sampledata

import "time"

// AssigningAuthority is the namespace of the sample EHR's MRNs, as it appears
// in PID-3.4 of the bundled HL7 messages (MRN^^^EHRBRIDGE-DEMO^MR).
const AssigningAuthority = "EHRBRIDGE-DEMO"

// Code system URIs of the coded columns.
const (
	SystemLOINC  = "http://loinc.org"
	SystemSNOMED = "http://snomed.info/sct"
	SystemRxNorm = "http://www.nlm.nih.gov/research/umls/rxnorm"
	SystemUCUM   = "http://unitsofmeasure.org"
)

// LOINC codes of the vital signs in the sample data.
const (
	LOINCHeartRate       = "8867-4"
	LOINCRespiratoryRate = "9279-1"
	LOINCBodyTemperature = "8310-5"
	LOINCBodyWeight      = "29463-7"
	LOINCBodyHeight      = "8302-2"
	LOINCBMI             = "39156-5"
	LOINCOxygenSat       = "59408-5"
	LOINCBloodPressure   = "85354-9" // panel: systolic and diastolic on one row
	LOINCSystolic        = "8480-6"
	LOINCDiastolic       = "8462-4"
)

// In the row types below, a pointer field is a nullable column and nil is
// NULL. Every time.Time is UTC. DATE columns hold midnight of the day, and
// TIMESTAMP columns hold whole seconds.

// Practitioner is a row of the practitioners table.
type Practitioner struct {
	ID         int64     `db:"id" json:"id"`
	NPI        string    `db:"npi" json:"npi"`
	Prefix     *string   `db:"prefix" json:"prefix"`
	GivenName  string    `db:"given_name" json:"given_name"`
	MiddleName *string   `db:"middle_name" json:"middle_name"`
	FamilyName string    `db:"family_name" json:"family_name"`
	Suffix     *string   `db:"suffix" json:"suffix"`
	Specialty  string    `db:"specialty" json:"specialty"`
	UpdatedAt  time.Time `db:"updated_at" json:"updated_at"`
}

// Location is a row of the locations table.
type Location struct {
	ID        int64     `db:"id" json:"id"`
	Name      string    `db:"name" json:"name"`
	Kind      string    `db:"kind" json:"kind"`
	UpdatedAt time.Time `db:"updated_at" json:"updated_at"`
}

// Patient is a row of the patients table.
type Patient struct {
	ID                    int64     `db:"id" json:"id"`
	MRN                   string    `db:"mrn" json:"mrn"`
	Prefix                *string   `db:"prefix" json:"prefix"`
	GivenName             string    `db:"given_name" json:"given_name"`
	MiddleName            *string   `db:"middle_name" json:"middle_name"`
	FamilyName            string    `db:"family_name" json:"family_name"`
	Suffix                *string   `db:"suffix" json:"suffix"`
	Sex                   string    `db:"sex" json:"sex"`
	BirthDate             time.Time `db:"birth_date" json:"birth_date"`
	Phone                 *string   `db:"phone" json:"phone"`
	AddressLine1          *string   `db:"address_line1" json:"address_line1"`
	AddressLine2          *string   `db:"address_line2" json:"address_line2"`
	City                  *string   `db:"city" json:"city"`
	State                 *string   `db:"state" json:"state"`
	PostalCode            *string   `db:"postal_code" json:"postal_code"`
	PrimaryPractitionerID *int64    `db:"primary_practitioner_id" json:"primary_practitioner_id"`
	UpdatedAt             time.Time `db:"updated_at" json:"updated_at"`
}

// Encounter is a row of the encounters table.
type Encounter struct {
	ID             int64      `db:"id" json:"id"`
	PatientID      int64      `db:"patient_id" json:"patient_id"`
	LocationID     *int64     `db:"location_id" json:"location_id"`
	PractitionerID *int64     `db:"practitioner_id" json:"practitioner_id"`
	Class          string     `db:"class" json:"class"`
	TypeCode       string     `db:"type_code" json:"type_code"`
	TypeDisplay    string     `db:"type_display" json:"type_display"`
	Status         string     `db:"status" json:"status"`
	StartTime      time.Time  `db:"start_time" json:"start_time"`
	EndTime        *time.Time `db:"end_time" json:"end_time"`
	UpdatedAt      time.Time  `db:"updated_at" json:"updated_at"`
}

// VitalSign is a row of the vital_signs table. A blood pressure row has the
// panel code 85354-9, a nil Value, and Systolic and Diastolic set.
type VitalSign struct {
	ID            int64     `db:"id" json:"id"`
	PatientID     int64     `db:"patient_id" json:"patient_id"`
	EncounterID   *int64    `db:"encounter_id" json:"encounter_id"`
	LOINCCode     string    `db:"loinc_code" json:"loinc_code"`
	LOINCDisplay  string    `db:"loinc_display" json:"loinc_display"`
	Value         *float64  `db:"value" json:"value"`
	Unit          string    `db:"unit" json:"unit"`
	Systolic      *float64  `db:"systolic" json:"systolic"`
	Diastolic     *float64  `db:"diastolic" json:"diastolic"`
	EffectiveTime time.Time `db:"effective_time" json:"effective_time"`
	Status        string    `db:"status" json:"status"`
	UpdatedAt     time.Time `db:"updated_at" json:"updated_at"`
}

// Condition is a row of the conditions table.
type Condition struct {
	ID             int64      `db:"id" json:"id"`
	PatientID      int64      `db:"patient_id" json:"patient_id"`
	EncounterID    *int64     `db:"encounter_id" json:"encounter_id"`
	SNOMEDCode     string     `db:"snomed_code" json:"snomed_code"`
	SNOMEDDisplay  string     `db:"snomed_display" json:"snomed_display"`
	ClinicalStatus string     `db:"clinical_status" json:"clinical_status"`
	Severity       *string    `db:"severity" json:"severity"`
	OnsetDate      *time.Time `db:"onset_date" json:"onset_date"`
	RecordedDate   time.Time  `db:"recorded_date" json:"recorded_date"`
	UpdatedAt      time.Time  `db:"updated_at" json:"updated_at"`
}

// Allergy is a row of the allergies table.
type Allergy struct {
	ID               int64     `db:"id" json:"id"`
	PatientID        int64     `db:"patient_id" json:"patient_id"`
	SubstanceSystem  string    `db:"substance_system" json:"substance_system"`
	SubstanceCode    string    `db:"substance_code" json:"substance_code"`
	SubstanceDisplay string    `db:"substance_display" json:"substance_display"`
	Category         string    `db:"category" json:"category"`
	Criticality      *string   `db:"criticality" json:"criticality"`
	Status           string    `db:"status" json:"status"`
	Verification     string    `db:"verification" json:"verification"`
	Reaction         *string   `db:"reaction" json:"reaction"`
	Note             *string   `db:"note" json:"note"`
	RecordedDate     time.Time `db:"recorded_date" json:"recorded_date"`
	UpdatedAt        time.Time `db:"updated_at" json:"updated_at"`
}

// MedicationOrder is a row of the medication_orders table.
type MedicationOrder struct {
	ID            int64      `db:"id" json:"id"`
	PatientID     int64      `db:"patient_id" json:"patient_id"`
	EncounterID   *int64     `db:"encounter_id" json:"encounter_id"`
	RxNormCode    string     `db:"rxnorm_code" json:"rxnorm_code"`
	RxNormDisplay string     `db:"rxnorm_display" json:"rxnorm_display"`
	DosageText    string     `db:"dosage_text" json:"dosage_text"`
	PrescriberID  *int64     `db:"prescriber_id" json:"prescriber_id"`
	WrittenDate   time.Time  `db:"written_date" json:"written_date"`
	EndDate       *time.Time `db:"end_date" json:"end_date"`
	Status        string     `db:"status" json:"status"`
	UpdatedAt     time.Time  `db:"updated_at" json:"updated_at"`
}

// Coverage is a row of the coverages table.
type Coverage struct {
	ID           int64      `db:"id" json:"id"`
	PatientID    int64      `db:"patient_id" json:"patient_id"`
	PayerName    string     `db:"payer_name" json:"payer_name"`
	PlanName     string     `db:"plan_name" json:"plan_name"`
	GroupNumber  *string    `db:"group_number" json:"group_number"`
	SubscriberID string     `db:"subscriber_id" json:"subscriber_id"`
	Relationship string     `db:"relationship" json:"relationship"`
	PeriodStart  time.Time  `db:"period_start" json:"period_start"`
	PeriodEnd    *time.Time `db:"period_end" json:"period_end"`
	UpdatedAt    time.Time  `db:"updated_at" json:"updated_at"`
}
