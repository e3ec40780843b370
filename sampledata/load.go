package sampledata

import (
	"context"
	_ "embed"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/jmoiron/sqlx"
	_ "modernc.org/sqlite" // driver "sqlite" for BuildSQLite
)

//go:embed ehr/schema.sql
var schemaSQL string

// Text formats of the DATE and TIMESTAMP values that Load writes. Both
// engines parse them, and in SQLite, where the values are stored as text,
// they sort in time order.
const (
	DateFormat      = time.DateOnly // 2006-01-02
	TimestampFormat = time.DateTime // 2006-01-02 15:04:05, always UTC
)

// SchemaSQL returns the CREATE statements of the sample EHR, for SQLite and
// PostgreSQL.
func SchemaSQL() string { return schemaSQL }

// Load creates the sample EHR tables in db and inserts the rows of
// Generate, all in one transaction. db must be empty and use the driver
// "sqlite" (modernc.org/sqlite) or "postgres" (lib/pq).
func Load(ctx context.Context, db *sqlx.DB) error {
	tx, err := db.BeginTxx(ctx, nil)
	if err != nil {
		return fmt.Errorf("load sample EHR: begin: %w", err)
	}
	if err := loadTx(ctx, tx, Generate()); err != nil {
		return errors.Join(err, tx.Rollback())
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("load sample EHR: commit: %w", err)
	}
	return nil
}

func loadTx(ctx context.Context, tx *sqlx.Tx, ds *Dataset) error {
	if _, err := tx.ExecContext(ctx, schemaSQL); err != nil {
		return fmt.Errorf("load sample EHR: create schema: %w", err)
	}
	for _, t := range tables(ds) {
		if err := insertRows(ctx, tx, t); err != nil {
			return err
		}
	}
	return nil
}

// table is the column list and rows of one table, in insert order.
type table struct {
	name    string
	columns []string
	rows    [][]any
}

// insertRows inserts the rows of t with one prepared statement.
func insertRows(ctx context.Context, tx *sqlx.Tx, t table) error {
	marks := strings.TrimSuffix(strings.Repeat("?, ", len(t.columns)), ", ")
	query := tx.Rebind(fmt.Sprintf("INSERT INTO %s (%s) VALUES (%s)",
		t.name, strings.Join(t.columns, ", "), marks))
	stmt, err := tx.PrepareContext(ctx, query)
	if err != nil {
		return fmt.Errorf("load sample EHR: prepare insert into %s: %w", t.name, err)
	}
	defer stmt.Close()
	for _, row := range t.rows {
		if _, err := stmt.ExecContext(ctx, row...); err != nil {
			return fmt.Errorf("load sample EHR: insert into %s row id %v: %w", t.name, row[0], err)
		}
	}
	return nil
}

// BuildSQLite writes the sample EHR to a SQLite file at path, replacing any
// file there. It builds a temporary file in the same folder and renames it
// into place, so readers see either the old file or the complete new one.
func BuildSQLite(ctx context.Context, path string) (err error) {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return fmt.Errorf("build sample SQLite: %w", err)
	}
	tmpPath := tmp.Name()
	defer func() {
		if err != nil {
			_ = os.Remove(tmpPath)
		}
	}()
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("build sample SQLite: %w", err)
	}

	// foreign_keys(1) makes SQLite check the references while loading.
	db, err := sqlx.Open("sqlite", tmpPath+"?_pragma=foreign_keys(1)")
	if err != nil {
		return fmt.Errorf("build sample SQLite: open: %w", err)
	}
	if err := Load(ctx, db); err != nil {
		return errors.Join(fmt.Errorf("build sample SQLite: %w", err), db.Close())
	}
	if err := db.Close(); err != nil {
		return fmt.Errorf("build sample SQLite: close: %w", err)
	}
	if err := os.Rename(tmpPath, path); err != nil {
		return fmt.Errorf("build sample SQLite: %w", err)
	}
	return nil
}

// tables returns the rows of ds as insert arguments, parents before
// children so that foreign keys hold after each insert.
func tables(ds *Dataset) []table {
	return []table{
		practitionerTable(ds),
		locationTable(ds),
		patientTable(ds),
		encounterTable(ds),
		vitalSignTable(ds),
		conditionTable(ds),
		allergyTable(ds),
		medicationOrderTable(ds),
		coverageTable(ds),
	}
}

func practitionerTable(ds *Dataset) table {
	t := table{name: "practitioners", columns: []string{
		"id", "npi", "prefix", "given_name", "middle_name", "family_name", "suffix", "specialty",
		"updated_at",
	}}
	for _, r := range ds.Practitioners {
		t.rows = append(t.rows, []any{r.ID, r.NPI, r.Prefix, r.GivenName, r.MiddleName,
			r.FamilyName, r.Suffix, r.Specialty, timestampArg(r.UpdatedAt)})
	}
	return t
}

func locationTable(ds *Dataset) table {
	t := table{name: "locations", columns: []string{"id", "name", "kind", "updated_at"}}
	for _, r := range ds.Locations {
		t.rows = append(t.rows, []any{r.ID, r.Name, r.Kind, timestampArg(r.UpdatedAt)})
	}
	return t
}

func patientTable(ds *Dataset) table {
	t := table{name: "patients", columns: []string{
		"id", "mrn", "prefix", "given_name", "middle_name", "family_name", "suffix", "sex",
		"birth_date", "phone", "address_line1", "address_line2", "city", "state", "postal_code",
		"primary_practitioner_id", "updated_at",
	}}
	for _, r := range ds.Patients {
		t.rows = append(t.rows, []any{r.ID, r.MRN, r.Prefix, r.GivenName, r.MiddleName,
			r.FamilyName, r.Suffix, r.Sex, dateArg(r.BirthDate), r.Phone, r.AddressLine1,
			r.AddressLine2, r.City, r.State, r.PostalCode, r.PrimaryPractitionerID,
			timestampArg(r.UpdatedAt)})
	}
	return t
}

func encounterTable(ds *Dataset) table {
	t := table{name: "encounters", columns: []string{
		"id", "patient_id", "location_id", "practitioner_id", "class", "type_code", "type_display",
		"status", "start_time", "end_time", "updated_at",
	}}
	for _, r := range ds.Encounters {
		t.rows = append(t.rows, []any{r.ID, r.PatientID, r.LocationID, r.PractitionerID, r.Class,
			r.TypeCode, r.TypeDisplay, r.Status, timestampArg(r.StartTime),
			nullableTimestampArg(r.EndTime), timestampArg(r.UpdatedAt)})
	}
	return t
}

func vitalSignTable(ds *Dataset) table {
	t := table{name: "vital_signs", columns: []string{
		"id", "patient_id", "encounter_id", "loinc_code", "loinc_display", "value", "unit",
		"systolic", "diastolic", "effective_time", "status", "updated_at",
	}}
	for _, r := range ds.VitalSigns {
		t.rows = append(t.rows, []any{r.ID, r.PatientID, r.EncounterID, r.LOINCCode,
			r.LOINCDisplay, r.Value, r.Unit, r.Systolic, r.Diastolic,
			timestampArg(r.EffectiveTime), r.Status, timestampArg(r.UpdatedAt)})
	}
	return t
}

func conditionTable(ds *Dataset) table {
	t := table{name: "conditions", columns: []string{
		"id", "patient_id", "encounter_id", "snomed_code", "snomed_display", "clinical_status",
		"severity", "onset_date", "recorded_date", "updated_at",
	}}
	for _, r := range ds.Conditions {
		t.rows = append(t.rows, []any{r.ID, r.PatientID, r.EncounterID, r.SNOMEDCode,
			r.SNOMEDDisplay, r.ClinicalStatus, r.Severity, nullableDateArg(r.OnsetDate),
			dateArg(r.RecordedDate), timestampArg(r.UpdatedAt)})
	}
	return t
}

func allergyTable(ds *Dataset) table {
	t := table{name: "allergies", columns: []string{
		"id", "patient_id", "substance_system", "substance_code", "substance_display", "category",
		"criticality", "status", "verification", "reaction", "note", "recorded_date", "updated_at",
	}}
	for _, r := range ds.Allergies {
		t.rows = append(t.rows, []any{r.ID, r.PatientID, r.SubstanceSystem, r.SubstanceCode,
			r.SubstanceDisplay, r.Category, r.Criticality, r.Status, r.Verification, r.Reaction,
			r.Note, dateArg(r.RecordedDate), timestampArg(r.UpdatedAt)})
	}
	return t
}

func medicationOrderTable(ds *Dataset) table {
	t := table{name: "medication_orders", columns: []string{
		"id", "patient_id", "encounter_id", "rxnorm_code", "rxnorm_display", "dosage_text",
		"prescriber_id", "written_date", "end_date", "status", "updated_at",
	}}
	for _, r := range ds.MedicationOrders {
		t.rows = append(t.rows, []any{r.ID, r.PatientID, r.EncounterID, r.RxNormCode,
			r.RxNormDisplay, r.DosageText, r.PrescriberID, dateArg(r.WrittenDate),
			nullableDateArg(r.EndDate), r.Status, timestampArg(r.UpdatedAt)})
	}
	return t
}

func coverageTable(ds *Dataset) table {
	t := table{name: "coverages", columns: []string{
		"id", "patient_id", "payer_name", "plan_name", "group_number", "subscriber_id",
		"relationship", "period_start", "period_end", "updated_at",
	}}
	for _, r := range ds.Coverages {
		t.rows = append(t.rows, []any{r.ID, r.PatientID, r.PayerName, r.PlanName, r.GroupNumber,
			r.SubscriberID, r.Relationship, dateArg(r.PeriodStart), nullableDateArg(r.PeriodEnd),
			timestampArg(r.UpdatedAt)})
	}
	return t
}

// dateArg and timestampArg format values as text, so that SQLite stores
// them in the documented formats. Bound as time.Time, modernc.org/sqlite
// would store Go's time.Time.String form, which does not sort as time.
func dateArg(t time.Time) string { return t.UTC().Format(DateFormat) }

func timestampArg(t time.Time) string { return t.UTC().Format(TimestampFormat) }

func nullableDateArg(t *time.Time) any {
	if t == nil {
		return nil
	}
	return dateArg(*t)
}

func nullableTimestampArg(t *time.Time) any {
	if t == nil {
		return nil
	}
	return timestampArg(*t)
}
