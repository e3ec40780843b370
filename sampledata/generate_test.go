package sampledata

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

// datasetHash pins the generated content. A change to the generator or its
// vocabularies changes it: check that the change is intended, and that the
// HL7 tests still pass, before updating it.
const datasetHash = "fe2c306f1ec1e16afed1347319d65abb0ab46589da252409c023240aeb199ba0"

func TestGenerateDeterministic(t *testing.T) {
	first, second := Generate(), Generate()
	if diff := cmp.Diff(first, second); diff != "" {
		t.Fatalf("Generate differs between calls (-first +second):\n%s", diff)
	}
	data, err := json.Marshal(first)
	if err != nil {
		t.Fatalf("marshal: %v", err)
	}
	sum := sha256.Sum256(data)
	if got := hex.EncodeToString(sum[:]); got != datasetHash {
		t.Errorf("got dataset hash %s, want %s", got, datasetHash)
	}
}

func TestGenerateCounts(t *testing.T) {
	ds := Generate()
	tests := []struct {
		name     string
		got, min int
	}{
		{"patients", len(ds.Patients), 60},
		{"practitioners", len(ds.Practitioners), 10},
		{"locations", len(ds.Locations), 8},
		{"encounters", len(ds.Encounters), 2 * len(ds.Patients)},
		{"vital signs", len(ds.VitalSigns), 6 * len(ds.Patients)},
		{"conditions", len(ds.Conditions), len(ds.Patients)},
		{"allergies", len(ds.Allergies), 15},
		{"medication orders", len(ds.MedicationOrders), 40},
		{"coverages", len(ds.Coverages), 55},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got < tt.min {
				t.Errorf("got %d rows, want at least %d", tt.got, tt.min)
			}
		})
	}
}

// TestGenerateVariety counts the cases that mappings and cursors must
// handle, each at least the given number of times.
func TestGenerateVariety(t *testing.T) {
	ds := Generate()
	count := func(n int, match func(i int) bool) int {
		c := 0
		for i := range n {
			if match(i) {
				c++
			}
		}
		return c
	}
	patients := func(match func(p Patient) bool) int {
		return count(len(ds.Patients), func(i int) bool { return match(ds.Patients[i]) })
	}
	nonASCII := regexp.MustCompile(`[^\x00-\x7f]`)

	tests := []struct {
		name     string
		got, min int
	}{
		{"prefix Dr.", patients(func(p Patient) bool { return deref(p.Prefix) == "Dr." }), 1},
		{"prefix Mr.", patients(func(p Patient) bool { return deref(p.Prefix) == "Mr." }), 3},
		{"prefix Ms.", patients(func(p Patient) bool { return deref(p.Prefix) == "Ms." }), 3},
		{"prefix Mx.", patients(func(p Patient) bool { return deref(p.Prefix) == "Mx." }), 2},
		{"no prefix", patients(func(p Patient) bool { return p.Prefix == nil }), 3},
		{"suffix", patients(func(p Patient) bool { return p.Suffix != nil }), 3},
		{"middle name", patients(func(p Patient) bool { return p.MiddleName != nil }), 10},
		{"no middle name", patients(func(p Patient) bool { return p.MiddleName == nil }), 10},
		{"hyphenated family name", patients(func(p Patient) bool { return strings.Contains(p.FamilyName, "-") }), 1},
		{"apostrophe family name", patients(func(p Patient) bool { return strings.Contains(p.FamilyName, "'") }), 2},
		{"non-ASCII name", patients(func(p Patient) bool { return nonASCII.MatchString(p.GivenName + p.FamilyName) }), 6},
		{"no phone", patients(func(p Patient) bool { return p.Phone == nil }), 2},
		{"no address", patients(func(p Patient) bool { return p.AddressLine1 == nil }), 1},
		{"no primary practitioner", patients(func(p Patient) bool { return p.PrimaryPractitionerID == nil }), 1},
		{"sex O or U", patients(func(p Patient) bool { return p.Sex == "O" || p.Sex == "U" }), 2},
		{"born before 1940", patients(func(p Patient) bool { return p.BirthDate.Year() < 1940 }), 1},
		{"born 2020 or later", patients(func(p Patient) bool { return p.BirthDate.Year() >= 2020 }), 1},
		{"encounter in progress", count(len(ds.Encounters), func(i int) bool { return ds.Encounters[i].EndTime == nil }), 2},
		{"encounter without practitioner", count(len(ds.Encounters), func(i int) bool { return ds.Encounters[i].PractitionerID == nil }), 2},
		{"encounter without location", count(len(ds.Encounters), func(i int) bool { return ds.Encounters[i].LocationID == nil }), 1},
		{"blood pressure rows", count(len(ds.VitalSigns), func(i int) bool { return ds.VitalSigns[i].LOINCCode == LOINCBloodPressure }), 60},
		{"amended vital signs", count(len(ds.VitalSigns), func(i int) bool { return ds.VitalSigns[i].Status == "amended" }), 1},
		{"condition without onset", count(len(ds.Conditions), func(i int) bool { return ds.Conditions[i].OnsetDate == nil }), 1},
		{"allergy note", count(len(ds.Allergies), func(i int) bool { return ds.Allergies[i].Note != nil }), 1},
		{"order without prescriber", count(len(ds.MedicationOrders), func(i int) bool { return ds.MedicationOrders[i].PrescriberID == nil }), 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.got < tt.min {
				t.Errorf("got %d, want at least %d", tt.got, tt.min)
			}
		})
	}
}

// TestGenerateUpdatedAtTies checks that every table with more than a few
// rows has rows sharing one updated_at, which cursor logic must not skip.
func TestGenerateUpdatedAtTies(t *testing.T) {
	ds := Generate()
	tables := map[string][]time.Time{}
	for _, r := range ds.Patients {
		tables["patients"] = append(tables["patients"], r.UpdatedAt)
	}
	for _, r := range ds.Encounters {
		tables["encounters"] = append(tables["encounters"], r.UpdatedAt)
	}
	for _, r := range ds.VitalSigns {
		tables["vital_signs"] = append(tables["vital_signs"], r.UpdatedAt)
	}
	for _, r := range ds.Conditions {
		tables["conditions"] = append(tables["conditions"], r.UpdatedAt)
	}
	for _, r := range ds.MedicationOrders {
		tables["medication_orders"] = append(tables["medication_orders"], r.UpdatedAt)
	}
	for _, r := range ds.Coverages {
		tables["coverages"] = append(tables["coverages"], r.UpdatedAt)
	}
	for name, times := range tables {
		t.Run(name, func(t *testing.T) {
			seen := map[time.Time]int{}
			first, last := times[0], times[0]
			for _, ts := range times {
				seen[ts]++
				if ts.Before(first) {
					first = ts
				}
				if ts.After(last) {
					last = ts
				}
			}
			if len(seen) == len(times) {
				t.Errorf("got %d distinct updated_at values for %d rows, want some ties", len(seen), len(times))
			}
			if last.Sub(first) < 180*24*time.Hour {
				t.Errorf("got updated_at from %v to %v, want a spread of at least 180 days", first, last)
			}
		})
	}
}

func TestGenerateValues(t *testing.T) {
	ds := Generate()
	mrn := regexp.MustCompile(`^MRN\d{6}$`)
	seenMRN := map[string]bool{}
	earliest := time.Date(1930, 1, 1, 0, 0, 0, 0, time.UTC)
	latest := time.Date(2024, 12, 31, 0, 0, 0, 0, time.UTC)
	for _, p := range ds.Patients {
		if !mrn.MatchString(p.MRN) || seenMRN[p.MRN] {
			t.Errorf("patient %d: got MRN %q, want a unique MRN like MRN000123", p.ID, p.MRN)
		}
		seenMRN[p.MRN] = true
		if p.BirthDate.Before(earliest) || p.BirthDate.After(latest) {
			t.Errorf("patient %d: got birth year %d, want 1930 to 2024", p.ID, p.BirthDate.Year())
		}
	}
	for _, v := range ds.VitalSigns {
		checkVitalRange(t, v)
	}
	for _, e := range ds.Encounters {
		if e.EndTime != nil && !e.EndTime.After(e.StartTime) {
			t.Errorf("encounter %d: got end %v before start %v", e.ID, e.EndTime, e.StartTime)
		}
	}
}

// checkVitalRange checks that a value is physiologically plausible for
// any age.
func checkVitalRange(t *testing.T, v VitalSign) {
	t.Helper()
	limits := map[string][2]float64{
		LOINCHeartRate:       {40, 200},
		LOINCRespiratoryRate: {8, 60},
		LOINCBodyTemperature: {35, 41},
		LOINCBodyWeight:      {2, 200},
		LOINCBodyHeight:      {45, 210},
		LOINCBMI:             {12, 50},
		LOINCOxygenSat:       {85, 100},
	}
	if v.LOINCCode == LOINCBloodPressure {
		if v.Value != nil || v.Systolic == nil || v.Diastolic == nil {
			t.Fatalf("vital sign %d: got a blood pressure row without systolic and diastolic", v.ID)
		}
		if *v.Systolic < 70 || *v.Systolic > 200 || *v.Diastolic < 35 || *v.Diastolic >= *v.Systolic {
			t.Errorf("vital sign %d: got %v/%v mm[Hg], want a plausible blood pressure", v.ID, *v.Systolic, *v.Diastolic)
		}
		return
	}
	limit, ok := limits[v.LOINCCode]
	if !ok || v.Value == nil {
		t.Fatalf("vital sign %d: got code %s with value %v, want a known code with a value", v.ID, v.LOINCCode, v.Value)
	}
	if *v.Value < limit[0] || *v.Value > limit[1] {
		t.Errorf("vital sign %d (%s): got %v %s, want %v to %v", v.ID, v.LOINCCode, *v.Value, v.Unit, limit[0], limit[1])
	}
}

// TestGenerateReferences checks the foreign keys within the dataset, so
// that a load never depends on the database to catch a dangling id.
func TestGenerateReferences(t *testing.T) {
	ds := Generate()
	patients, practitioners, locations, encounters := map[int64]bool{}, map[int64]bool{}, map[int64]bool{}, map[int64]bool{}
	for _, r := range ds.Patients {
		patients[r.ID] = true
	}
	for _, r := range ds.Practitioners {
		practitioners[r.ID] = true
	}
	for _, r := range ds.Locations {
		locations[r.ID] = true
	}
	for _, r := range ds.Encounters {
		encounters[r.ID] = true
	}
	check := func(table string, id int64, refs map[int64]bool, ref *int64) {
		if ref != nil && !refs[*ref] {
			t.Errorf("%s %d: got a reference to missing id %d", table, id, *ref)
		}
	}
	for _, r := range ds.Patients {
		check("patients", r.ID, practitioners, r.PrimaryPractitionerID)
	}
	for _, r := range ds.Encounters {
		check("encounters", r.ID, patients, &r.PatientID)
		check("encounters", r.ID, locations, r.LocationID)
		check("encounters", r.ID, practitioners, r.PractitionerID)
	}
	for _, r := range ds.VitalSigns {
		check("vital_signs", r.ID, patients, &r.PatientID)
		check("vital_signs", r.ID, encounters, r.EncounterID)
	}
	for _, r := range ds.MedicationOrders {
		check("medication_orders", r.ID, patients, &r.PatientID)
		check("medication_orders", r.ID, practitioners, r.PrescriberID)
	}
}

func TestNPICheckDigit(t *testing.T) {
	// The Luhn sum over the prefix 80840 and 123456789 gives the check digit 3.
	if got := npi(23456789); got != "1234567893" {
		t.Errorf("got %s, want 1234567893", got)
	}
}
