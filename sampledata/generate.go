package sampledata

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// PatientCount is the number of patients that Generate creates.
const PatientCount = 64

// The generator's fixed PCG seed. Changing it changes every generated row.
const (
	seedHigh = 0x5EED_0EB5
	seedLow  = 0xE4B2_2025
)

// Time window of the generated clinical events (UTC). Bulk updates run after
// dataEnd at batchTimes, so rows touched by one batch share an updated_at.
var (
	dataStart  = time.Date(2023, 1, 2, 0, 0, 0, 0, time.UTC)
	dataEnd    = time.Date(2025, 5, 31, 0, 0, 0, 0, time.UTC)
	batchTimes = []time.Time{
		time.Date(2025, 6, 2, 2, 0, 0, 0, time.UTC),
		time.Date(2025, 6, 9, 2, 0, 0, 0, time.UTC),
		time.Date(2025, 6, 16, 2, 0, 0, 0, time.UTC),
	}
)

// batchEvery is the period, in row ids, of the rows whose updated_at is a
// batch time.
const batchEvery = 8

// Dataset is the generated content of the sample EHR, one slice per table,
// each ordered by id. Tests read it for the values they expect.
type Dataset struct {
	Practitioners    []Practitioner    `json:"practitioners"`
	Locations        []Location        `json:"locations"`
	Patients         []Patient         `json:"patients"`
	Encounters       []Encounter       `json:"encounters"`
	VitalSigns       []VitalSign       `json:"vital_signs"`
	Conditions       []Condition       `json:"conditions"`
	Allergies        []Allergy         `json:"allergies"`
	MedicationOrders []MedicationOrder `json:"medication_orders"`
	Coverages        []Coverage        `json:"coverages"`
}

// PatientByMRN returns the patient with the given MRN.
func (d *Dataset) PatientByMRN(mrn string) (Patient, bool) {
	for _, p := range d.Patients {
		if p.MRN == mrn {
			return p, true
		}
	}
	return Patient{}, false
}

// PractitionerByNPI returns the practitioner with the given NPI.
func (d *Dataset) PractitionerByNPI(npi string) (Practitioner, bool) {
	for _, p := range d.Practitioners {
		if p.NPI == npi {
			return p, true
		}
	}
	return Practitioner{}, false
}

// MRN formats the MRN of a patient id, as in MRN000123.
func MRN(patientID int64) string {
	return fmt.Sprintf("MRN%06d", 100+patientID)
}

// generator draws the rows of a Dataset from one PCG source.
type generator struct {
	rng *rand.Rand
	ds  *Dataset
}

// Generate returns the sample EHR. It is deterministic: every call returns
// equal content.
func Generate() *Dataset {
	g := &generator{rng: rand.New(rand.NewPCG(seedHigh, seedLow)), ds: &Dataset{}}
	g.addPractitioners()
	g.addLocations()
	for i := range PatientCount {
		g.addPatient(i)
	}
	return g.ds
}

func (g *generator) addPractitioners() {
	for i, p := range practitionerPeople {
		id := int64(i + 1)
		g.ds.Practitioners = append(g.ds.Practitioners, Practitioner{
			ID:         id,
			NPI:        npi(100200300 + 7919*id),
			Prefix:     optional(p.prefix),
			GivenName:  p.given,
			MiddleName: optional(p.middle),
			FamilyName: p.family,
			Suffix:     optional(p.suffix),
			Specialty:  p.specialty,
			UpdatedAt:  g.updatedAt(id, dataStart.AddDate(0, 0, -g.rng.IntN(400))),
		})
	}
}

func (g *generator) addLocations() {
	for i, l := range locationRows {
		g.ds.Locations = append(g.ds.Locations, Location{
			ID:        int64(i + 1),
			Name:      l.name,
			Kind:      l.kind,
			UpdatedAt: g.updatedAt(int64(i+1), dataStart.AddDate(0, 0, -g.rng.IntN(700))),
		})
	}
}

// addPatient adds patient number i with the rows that belong to them. Each
// patient draws from their own PCG stream, so a change to one patient's
// rows leaves the values of the other patients as they were (their row
// ids may still shift).
func (g *generator) addPatient(i int) {
	id := int64(i + 1)
	g.rng = rand.New(rand.NewPCG(seedHigh, seedLow+uint64(id)))
	var who person
	if i < len(showcasePatients) {
		who = showcasePatients[i]
	} else {
		who = g.randomPerson()
	}
	birth, _ := time.Parse(time.DateOnly, who.birth)

	p := Patient{
		ID:         id,
		MRN:        MRN(id),
		Prefix:     optional(who.prefix),
		GivenName:  who.given,
		MiddleName: optional(who.middle),
		FamilyName: who.family,
		Suffix:     optional(who.suffix),
		Sex:        who.sex,
		BirthDate:  birth,
	}
	g.fillContact(&p, who.noPhone)
	if g.rng.Float64() < 0.85 {
		p.PrimaryPractitionerID = ptr(g.pcpFor(birth))
	}

	encounters := g.addEncounters(p, i%13 == 5)
	// The patient was registered before their first visit.
	p.UpdatedAt = g.updatedAt(id, encounters[0].StartTime.Add(-time.Duration(g.rng.IntN(72)+1)*time.Hour))
	g.ds.Patients = append(g.ds.Patients, p)

	// Conditions come first because chronic lung disease lowers the oxygen
	// saturation of the vital signs.
	base := g.newBaseline(p)
	conditions := g.addConditions(p, encounters, &base)
	for _, e := range encounters {
		g.addVitalSigns(p, e, &base)
	}
	g.addMedicationOrders(p, encounters, conditions)
	g.addAllergies(p, encounters)
	g.addCoverages(p, encounters[0].StartTime)
}

// randomPerson draws an identity for a patient after the showcase ones.
func (g *generator) randomPerson() person {
	var who person
	birth := time.Date(1930, 1, 1, 0, 0, 0, 0, time.UTC).AddDate(0, 0, g.rng.IntN(95*365))
	who.birth = birth.Format(time.DateOnly)
	adult := birth.Before(dataEnd.AddDate(-18, 0, 0))

	switch r := g.rng.Float64(); {
	case r < 0.47:
		who.sex, who.given = "F", pick(g.rng, givenNamesF)
		who.prefix = adultPrefix(g.rng, adult, "Ms.", "Mrs.")
	case r < 0.94:
		who.sex, who.given = "M", pick(g.rng, givenNamesM)
		who.prefix = adultPrefix(g.rng, adult, "Mr.", "Mr.")
	case r < 0.98:
		who.sex, who.given = "O", pick(g.rng, givenNamesX)
		who.prefix = adultPrefix(g.rng, adult, "Mx.", "Mx.")
	default:
		who.sex, who.given = "U", pick(g.rng, givenNamesX)
	}
	if adult && g.rng.Float64() < 0.05 {
		who.prefix = "Dr."
	}
	if g.rng.Float64() < 0.55 {
		who.middle = pick(g.rng, middleNames)
	}
	who.family = pick(g.rng, familyNames)
	if adult && who.sex == "M" && g.rng.Float64() < 0.12 {
		who.suffix = pick(g.rng, suffixes)
	}
	who.noPhone = g.rng.Float64() < 0.12
	return who
}

// adultPrefix returns "" for a minor, and else one of two prefixes, with
// one adult in ten left without a prefix.
func adultPrefix(rng *rand.Rand, adult bool, first, second string) string {
	switch r := rng.Float64(); {
	case !adult || r < 0.1:
		return ""
	case r < 0.6:
		return first
	default:
		return second
	}
}

// fillContact sets the phone and address, leaving some of them NULL.
func (g *generator) fillContact(p *Patient, noPhone bool) {
	c := pick(g.rng, cities)
	if !noPhone {
		p.Phone = ptr(fmt.Sprintf("(%s) 555-01%02d", c.areaCode, g.rng.IntN(100)))
	}
	if g.rng.Float64() < 0.06 {
		return // no address on file
	}
	p.AddressLine1 = ptr(fmt.Sprintf("%d %s", 10+g.rng.IntN(980), pick(g.rng, streets)))
	if g.rng.Float64() < 0.25 {
		p.AddressLine2 = ptr(pick(g.rng, unitLines))
	}
	p.City, p.State, p.PostalCode = ptr(c.name), ptr(c.state), ptr(c.postalCode)
}

// pcpFor returns a primary care practitioner: the pediatrician for children.
func (g *generator) pcpFor(birth time.Time) int64 {
	if birth.After(dataEnd.AddDate(-16, 0, 0)) {
		return 2
	}
	return pick(g.rng, []int64{1, 3, 6})
}

// updatedAt returns the updated_at of row id: a time up to three days after
// the event, truncated to the second. Every batchEvery-th row of a table
// gets a batch time instead, so each table with a few dozen rows has ties.
func (g *generator) updatedAt(id int64, event time.Time) time.Time {
	delay := time.Duration(60+g.rng.IntN(3*24*3600)) * time.Second
	if id%batchEvery == 0 {
		return batchTimes[(id/batchEvery)%int64(len(batchTimes))]
	}
	return event.Add(delay).Truncate(time.Second)
}

// dateOf returns the UTC midnight of t's day.
func dateOf(t time.Time) time.Time {
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, time.UTC)
}

// ageAt returns the age in whole years on day t.
func ageAt(birth, t time.Time) int {
	age := t.Year() - birth.Year()
	if t.YearDay() < birth.YearDay() {
		age--
	}
	return age
}

// npi returns a National Provider Identifier: "1" followed by eight digits
// of base and the Luhn check digit computed over the prefix 80840, as the
// NPI standard defines.
func npi(base int64) string {
	body := fmt.Sprintf("1%08d", base%100_000_000)
	digits := "80840" + body
	sum := 0
	for i := len(digits) - 1; i >= 0; i-- {
		d := int(digits[i] - '0')
		if (len(digits)-1-i)%2 == 0 {
			d *= 2
			if d > 9 {
				d -= 9
			}
		}
		sum += d
	}
	return fmt.Sprintf("%s%d", body, (10-sum%10)%10)
}

// round returns x rounded to the given number of decimals.
func round(x float64, decimals int) float64 {
	scale := math.Pow(10, float64(decimals))
	return math.Round(x*scale) / scale
}

// between returns a uniform draw from [lo, hi).
func between(rng *rand.Rand, lo, hi float64) float64 {
	return lo + rng.Float64()*(hi-lo)
}

func pick[T any](rng *rand.Rand, items []T) T {
	return items[rng.IntN(len(items))]
}

func ptr[T any](v T) *T { return &v }

// optional returns nil for "", the NULL of the vocabulary tables.
func optional(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}
